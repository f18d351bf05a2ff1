# Sourced by .ci/run: a private PostgreSQL cluster for the tests, on 127.0.0.1, in a temporary folder, stopped
# when CI ends. Installs PostgreSQL with apt-get when no server binaries are found. Exports LABREVIEW_TEST_PG.
# Any failure here fails CI (set -e in .ci/run): with CI=true the suite treats a missing server as a failure too.

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] && command -v pg_config >/dev/null 2>&1; then found=$(pg_config --bindir); fi
  printf '%s' "$found"
}

start_postgres() {
  local bin sudo="" port dir run_as=()
  bin=$(pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin=$(pg_bin)
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "ci: no PostgreSQL server could be installed (initdb not found)" >&2
    return 1
  fi
  dir=$(mktemp -d /tmp/labreview-ci-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then  # initdb refuses to run as root: the cluster belongs to the postgres user
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    run_as=(su postgres -s /bin/sh -c)
  else
    run_as=(sh -c)
  fi
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run_as[@]}" "'$bin/initdb' -D '$dir/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" || {
    cat "$dir/initdb.log" >&2
    return 1
  }
  "${run_as[@]}" "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null" || {
    cat "$dir/server.log" >&2
    return 1
  }
  export LABREVIEW_TEST_PG="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  PG_CI_STOP="'$bin/pg_ctl' -D '$dir/data' -m immediate stop >/dev/null 2>&1; true"
  PG_CI_RUN_AS=("${run_as[@]}")
  PG_CI_DIR="$dir"
  echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
  if [ -n "${PG_CI_STOP:-}" ]; then
    "${PG_CI_RUN_AS[@]}" "$PG_CI_STOP" || true
    rm -rf "${PG_CI_DIR:?}"
    PG_CI_STOP=""
  fi
}

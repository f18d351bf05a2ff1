"""The same benchmarks on PostgreSQL (``python -m benchmarks --pg URL``), beside SQLite's in the same run.

URL is a server's maintenance database (``postgresql+psycopg://postgres@127.0.0.1:54329/postgres``). The
benchmark makes its own databases there, named ``copy_bench_…``, and drops them at the end:

- each size's portfolio is the cached SQLite file moved with ``labreview db copy`` (timed: *db copy*), then
  cloned (``CREATE DATABASE … TEMPLATE``) for every launch and for the headless run, which write to it;
- the import target is a new database set up by ``labreview init``, as the SQLite one;
- the minutes' 10k portfolio is copied the same way.

The commands are the same as on SQLite, with ``--db URL``; what fails on PostgreSQL is reported as an
error in its row, the other rows still run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PREFIX = f"copy_bench_{os.getpid()}_"


class Server:
    """The server the benchmark makes its databases on (autocommit connections through psycopg)."""

    def __init__(self, url: str) -> None:
        import psycopg  # deferred: only with --pg (the postgres extra)

        self._psycopg = psycopg
        self.url = url
        self.base = url.rpartition("/")[0]
        self.made: list[str] = []
        with self._connect():
            pass

    def _connect(self):
        return self._psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True)

    def database(self, name: str) -> str:
        return f"{self.base}/{name}"

    def create(self, name: str, template: str | None = None) -> str:
        """A new database ``PREFIX + name`` (empty, or a clone of ``template``); its URL."""
        full = PREFIX + name
        self.drop(name)
        with self._connect() as connection:
            clause = f' TEMPLATE "{PREFIX + template}"' if template else ""
            connection.execute(f'CREATE DATABASE "{full}"{clause}')
        self.made.append(full)
        return self.database(full)

    def drop(self, name: str) -> None:
        with self._connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{PREFIX + name}" WITH (FORCE)')

    def close(self) -> None:
        with self._connect() as connection:
            for full in reversed(self.made):
                connection.execute(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        self.made.clear()

    def shown(self) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)


def copy_in(server: Server, source: Path, name: str, env: dict[str, str], cwd: Path) -> tuple[str, float]:
    """``labreview db copy SOURCE`` into a new database ``name``: its URL and the command's wall time."""
    target = server.create(name)
    argv = [sys.executable, "-m", "labreview", "db", "copy", str(source), target]
    started = time.perf_counter()
    completed = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"labreview db copy {source.name} failed: {completed.stderr.strip()[-500:]}")
    return target, seconds

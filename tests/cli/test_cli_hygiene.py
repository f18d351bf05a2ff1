"""Command-line hygiene: completion, a debug log, no app without a terminal, the demo copy removed on a signal,
roles as choices, and where things are (``labreview paths``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labreview import __version__
from labreview.domain.vocabulary import BoardRole
from tests.terminal import Terminal


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment whose user folders (data, config, state and logs) and temporary folder are in ``tmp_path``."""
    home = tmp_path / "home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TMPDIR": str(tmp_path / "tmp"),
        "LABREVIEW_CONFIG": "",
        "LABREVIEW_DB": "",
        **extra,
    }


def run(*args, env=None, stdin=None):
    (Path(env["TMPDIR"]) if env else Path("/tmp")).mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=stdin,
        timeout=120,
    )


def assert_clean_refusal(result, *phrases):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


# ---------------------------------------------------------------------- completion


def test_bash_completion(tmp_path):
    result = run("completion", "bash", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    script = result.stdout
    for word in ("minutes", "import", "export", "audit", "completion", "paths", "--demo", "--format"):
        assert word in script
    for role in BoardRole:
        assert role.value in script  # --role completes the roles
    bash = shutil.which("bash")
    if bash:
        checked = subprocess.run([bash, "-n"], input=script, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr


def test_zsh_completion(tmp_path):
    result = run("completion", "zsh", env=env_for(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#compdef labreview")
    zsh = shutil.which("zsh")
    if zsh:
        checked = subprocess.run([zsh, "-n"], input=result.stdout, capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr


def test_completion_for_an_unknown_shell_is_a_usage_error(tmp_path):
    result = run("completion", "cmd.exe", env=env_for(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "cmd.exe" in result.stderr


# ---------------------------------------------------------------------- roles


def test_roles_are_choices_in_help_and_still_refused_in_one_line(tmp_path):
    environment = env_for(tmp_path)
    shown = run("board", "add", "--help", env=environment).stdout
    assert "{" + ",".join(r.value for r in BoardRole) + "}" in shown.replace("\n", "").replace(" ", "")
    db = str(tmp_path / "p.db")
    assert run("init", "--db", db, env=environment).returncode == 0
    assert_clean_refusal(run("board", "add", "Wiz", "--role", "wizard", "--db", db, env=environment), "board role")


# ---------------------------------------------------------------------- paths and the debug log


def test_paths_shows_the_locations_in_use(tmp_path):
    environment = env_for(tmp_path)
    home = Path(environment["HOME"])
    result = run("paths", env=environment)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert lines["database"].strip() == f"{home / 'data' / 'labreview' / 'portfolio.db'} (default; not created yet)"
    assert lines["config"].strip() == f"{home / 'config' / 'labreview' / 'config.toml'} (default; not created yet)"
    assert lines["logs"].strip().startswith(str(home / "state" / "labreview"))
    assert "sample" in lines

    config = tmp_path / "mine.toml"
    config.write_text('actor = "Kim"\n', encoding="utf-8")
    environment = env_for(tmp_path, LABREVIEW_DB=str(tmp_path / "env.db"), LABREVIEW_CONFIG=str(config))
    lines = dict(line.split(":", 1) for line in run("paths", env=environment).stdout.splitlines())
    assert lines["database"].strip() == f"{tmp_path / 'env.db'} (from LABREVIEW_DB; not created yet)"
    assert lines["config"].strip() == f"{config} (from LABREVIEW_CONFIG)"
    lines = dict(line.split(":", 1) for line in run("paths", "--db", "x.db", env=environment).stdout.splitlines())
    assert lines["database"].strip() == "x.db (from --db; not created yet)"


def test_a_database_url_is_shown_without_its_password(tmp_path):
    url = "postgresql://kim:s3cret@db.example/labreview"
    result = run("paths", "--db", url, env=env_for(tmp_path))
    assert result.returncode == 0 and "s3cret" not in result.stdout and "kim:***@db.example" in result.stdout


def test_debug_writes_a_log_to_the_user_log_folder(tmp_path):
    environment = env_for(tmp_path)
    logs = Path(run("paths", env=environment).stdout.split("logs:", 1)[1].split("\n", 1)[0].strip())
    db = str(tmp_path / "p.db")
    assert run("init", "--db", db, env=environment).returncode == 0
    assert not logs.exists()  # no log without --debug
    result = run("--debug", "audit", "verify", "--db", db, env=environment)
    assert result.returncode == 0, result.stderr
    log = logs / "labreview.log"
    assert f"debug log: {log}" in result.stderr
    text = log.read_text(encoding="utf-8")
    assert f"labreview {__version__}" in text and "audit verify" in text
    missing = run("minutes", "2026-Q1", "--db", str(tmp_path / "nope.db"), "--debug", env=environment)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    text = log.read_text(encoding="utf-8")
    assert "minutes 2026-Q1" in text and "No database at" in text  # appended: one log across runs


# ---------------------------------------------------------------------- no app without a terminal


def demo_copies(environment) -> list[Path]:
    return sorted(Path(environment["TMPDIR"]).glob("labreview-demo-*"))


def test_the_app_needs_a_terminal(sample_copy, tmp_path):
    environment = env_for(tmp_path)
    with open(os.devnull) as nothing:
        assert_clean_refusal(run("--db", str(sample_copy), env=environment, stdin=nothing), "terminal")
        assert_clean_refusal(run("--demo", env=environment, stdin=nothing), "terminal")
    assert demo_copies(environment) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_the_demo_copy_is_removed_on_a_signal(tmp_path, signum):
    environment = env_for(tmp_path)
    Path(environment["TMPDIR"]).mkdir(parents=True)
    terminal = Terminal(["--demo"], env=environment)
    try:
        assert terminal.wait_for("EXP-102", timeout=60), terminal.text()
        assert len(demo_copies(environment)) == 1
        os.kill(terminal.child.pid, signum)
        deadline = time.monotonic() + 20
        while terminal.child.isalive() and time.monotonic() < deadline:
            terminal.pump(0.1)
        assert not terminal.child.isalive()
        assert demo_copies(environment) == []
    finally:
        terminal.close()

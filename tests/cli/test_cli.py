"""The command line's error paths: one clear line on stderr, exit code 2, never a traceback."""

import os
import sqlite3
import subprocess
import sys

import pytest

from labreview import __version__


def run(*args, env=None, cwd=None):
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args], capture_output=True, text=True, env=environment, cwd=cwd, timeout=60
    )


def assert_clean_refusal(result, *phrases):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"labreview {__version__}"


def test_missing_database(tmp_path):
    assert_clean_refusal(run("--db", str(tmp_path / "nope.db")), "No database at", "labreview init")


def test_not_sqlite(tmp_path):
    path = tmp_path / "portfolio.csv"
    path.write_text("key,title\nA-1,x\n")
    assert_clean_refusal(run("--db", str(path)), "not a readable SQLite database")


def test_other_sqlite_database(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE stuff (x)")
    connection.close()
    assert_clean_refusal(run("--db", str(path)), "not a labreview portfolio")


def test_newer_schema(tmp_path):
    path = tmp_path / "p.db"
    assert run("init", "--db", str(path)).returncode == 0
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = 'zzzz'")
    connection.commit()
    connection.close()
    assert_clean_refusal(run("--db", str(path)), "newer labreview")


def test_database_from_the_environment(tmp_path):
    assert_clean_refusal(run(env={"LABREVIEW_DB": str(tmp_path / "env.db")}), str(tmp_path / "env.db"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert_clean_refusal(run("init", "--db", str(locked / "p.db")), "Cannot")


def test_unwritable_directory_as_a_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert_clean_refusal(run("init", "--db", str(blocker / "sub" / "p.db")), "Cannot create the folder")


def test_init_creates_and_then_leaves_alone(tmp_path):
    path = tmp_path / "new" / "p.db"
    first = run("init", "--db", str(path))
    assert first.returncode == 0 and "Created an empty portfolio" in first.stdout
    second = run("init", "--db", str(path))
    assert second.returncode == 0 and "already a labreview portfolio" in second.stdout


def test_init_refuses_to_touch_another_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("keep me")
    assert_clean_refusal(run("init", "--db", str(path)), "not a readable SQLite database")
    assert path.read_text() == "keep me"


def test_bad_config_file(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("timebox_minutes = 'eight'\n")
    result = run("--db", str(tmp_path / "x.db"), env={"LABREVIEW_CONFIG": str(config)})
    assert_clean_refusal(result, "timebox_minutes")


def test_unknown_option_is_a_usage_error():
    result = run("--frobnicate")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "usage:" in result.stderr


def test_demo_and_db_together_are_refused(tmp_path):
    assert_clean_refusal(run("--demo", "--db", str(tmp_path / "x.db")), "--demo")


def test_board_add_and_list(tmp_path):
    db = str(tmp_path / "p.db")
    assert run("init", "--db", db).returncode == 0
    assert "board is empty" in run("board", "list", "--db", db).stdout
    added = run("board", "add", "Priya Raman", "--role", "privacy-partner", "--email", "p@x.example", "--db", db)
    assert added.returncode == 0 and "on the board as privacy partner" in added.stdout
    assert_clean_refusal(run("board", "add", "priya raman", "--role", "privacy-partner", "--db", db), "already")
    assert_clean_refusal(run("board", "add", "Wiz", "--role", "wizard", "--db", db), "not a board role")
    listing = run("board", "list", "--db", db)
    assert listing.stdout.strip() == "Priya Raman — privacy partner <p@x.example>"


def test_truncated_database(tmp_path):
    path = tmp_path / "p.db"
    assert run("init", "--db", str(path)).returncode == 0
    cut = tmp_path / "cut.db"
    cut.write_bytes(path.read_bytes()[:20_000])
    assert_clean_refusal(run("--db", str(cut)), str(cut))
    assert_clean_refusal(run("audit", "verify", "--db", str(cut)), str(cut))


def test_damaged_pages(tmp_path):
    path = tmp_path / "p.db"
    assert run("init", "--db", str(path)).returncode == 0
    data = bytearray(path.read_bytes())
    data[8192:16384] = b"\x5a" * 8192  # two pages of a table become noise; the header is intact
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    assert_clean_refusal(run("--db", str(damaged)), "not a readable SQLite database")
    assert_clean_refusal(run("--read-only", "--db", str(damaged)), "not a readable SQLite database")


def test_audit_needs_a_subcommand():
    result = run("audit")
    assert result.returncode == 2 and "usage:" in result.stderr and "Traceback" not in result.stderr


def test_audit_verify_of_a_fresh_portfolio(tmp_path):
    path = tmp_path / "p.db"
    assert run("init", "--db", str(path)).returncode == 0
    result = run("audit", "verify", "--db", str(path))
    assert result.returncode == 0 and result.stdout.startswith("ok: 1 audit records, chain intact")

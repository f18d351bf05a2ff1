"""A portfolio on a PostgreSQL server: probed like a file, upgraded only on purpose, read-only for real,
refused in one line (exit 2) for every failure a person can fix, and the database's own version check.

Runs against the PostgreSQL test server (``tests/backends.py``) in both suite runs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from labreview.domain.errors import StaleEdit, StorageError
from labreview.portfolio import Portfolio
from labreview.store.database import State, probe
from labreview.store.engine import make_engine
from labreview.store.models import Initiative
from labreview.store.schema import HEAD, REVISIONS

pytestmark = pytest.mark.postgres


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args], capture_output=True, text=True, timeout=120, check=False
    )


def one_line_refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def set_revision(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def test_a_url_is_probed_like_a_file(pg_url, pg_empty_url):
    assert probe(pg_empty_url).state is State.EMPTY
    found = probe(pg_url)
    assert (found.state, found.revision, found.path) == (State.CURRENT, HEAD, None)
    set_revision(pg_url, "9999")
    assert probe(pg_url).state is State.NEWER
    set_revision(pg_url, REVISIONS[0])
    assert probe(pg_url).state is State.OLDER


def test_another_schema_is_foreign(pg_empty_url):
    engine = make_engine(pg_empty_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id int)"))
    engine.dispose()
    assert probe(pg_empty_url).state is State.FOREIGN
    line = one_line_refusal(cli("board", "list", "--db", pg_empty_url))
    assert "not a labreview portfolio" in line


def test_a_missing_table_is_incomplete(pg_url):
    engine = make_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE budget_line"))
    engine.dispose()
    found = probe(pg_url)
    assert found.state is State.INCOMPLETE and found.missing == ("budget_line",)


def test_init_sets_up_an_empty_database_once(pg_empty_url):
    made = cli("init", "--db", pg_empty_url)
    assert made.returncode == 0, made.stderr
    assert probe(pg_empty_url).state is State.CURRENT
    again = cli("init", "--db", pg_empty_url)
    assert again.returncode == 0 and "already a labreview portfolio" in again.stdout


def test_an_older_shared_schema_is_upgraded_only_by_db_upgrade(pg_empty_url):
    from alembic import command
    from alembic.config import Config

    from labreview.store import database

    engine = make_engine(pg_empty_url)
    config = Config()
    config.set_main_option("script_location", str(database.Path(database.__file__).with_name("migrations")))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, REVISIONS[0])
        connection.commit()
    engine.dispose()
    assert probe(pg_empty_url).state is State.OLDER

    for args in (("board", "list"), ("board", "add", "Ann", "--role", "sponsor"), ("minutes", "2026-Q4")):
        line = one_line_refusal(cli(*args, "--db", pg_empty_url))
        assert "labreview db upgrade" in line and "pg_dump" in line
    with pytest.raises(StorageError, match="db upgrade"):
        Portfolio.open(pg_empty_url)
    assert probe(pg_empty_url).revision == REVISIONS[0], "opening must not upgrade a shared schema"

    upgraded = cli("db", "upgrade", "--db", pg_empty_url)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"from schema {REVISIONS[0]} to {HEAD}" in upgraded.stdout
    assert probe(pg_empty_url).state is State.CURRENT
    assert cli("board", "list", "--db", pg_empty_url).returncode == 0


def test_a_newer_schema_is_refused_even_read_only(pg_url):
    set_revision(pg_url, "9999")
    for args in (("board", "list"), ("--read-only",), ("audit", "verify"), ("db", "upgrade")):
        line = one_line_refusal(cli(*args, "--db", pg_url))
        assert "newer labreview" in line


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda url: url.rsplit("/", 1)[0] + "/no_such_database_here", "does not exist"),
        (lambda url: url.replace("postgres@", "nobody_here@"), "no user of that name"),
        (lambda url: url.replace(url.split("@")[1].split("/")[0], "127.0.0.1:9"), "cannot be reached"),
    ],
    ids=["no database", "no such user", "no server"],
)
def test_server_failures_are_one_line_and_exit_2(pg_url, change, words):
    target = change(pg_url)
    for args in (("board", "list"), ("init",), ("audit", "verify"), ("db", "upgrade"), ("--read-only",)):
        line = one_line_refusal(cli(*args, "--db", target))
        assert words in line, line


def test_a_password_is_never_shown(pg_url):
    target = pg_url.replace("postgres@", "postgres:s3cret-pw@").rsplit("/", 1)[0] + "/no_such_database_here"
    line = one_line_refusal(cli("board", "list", "--db", target))
    assert "s3cret-pw" not in line and "***" in line


def test_a_missing_driver_is_said_in_words(pg_url, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    found = probe(pg_url)
    assert found.state is State.UNREADABLE and "postgres extra" in found.message
    with pytest.raises(StorageError, match="postgres extra"):
        make_engine(pg_url)


def test_read_only_is_a_read_only_transaction(pg_url):
    engine = make_engine(pg_url, read_only=True)
    try:
        with pytest.raises(Exception, match="read-only transaction"), engine.begin() as connection:
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('x', 'y')"))
    finally:
        engine.dispose()


def test_the_database_refuses_an_update_of_a_row_changed_since_it_was_read(db_target, clock):
    """The version check in SQL: even past the service's own check, a stale row is never overwritten."""
    p = Portfolio.open(db_target, create=True, actor="Tess Facilitator", clock=clock)
    try:
        p.add_person("Oscar Owner")
        p.create_initiative("LAB-1", "Churn model", category="capability", owner="Oscar Owner")
        with Session(p.engine, expire_on_commit=False) as mine:
            row = mine.get(Initiative, p.initiative("LAB-1").id)
            mine.commit()  # read, then another writer changes the row, then this one writes what it read
            p.update_initiative("LAB-1", title="Changed elsewhere", version=row.version)
            row.title, row.version = "Stale write", row.version + 1
            with pytest.raises(Exception, match="expected to update 1 row"):
                mine.commit()
        assert p.initiative("LAB-1").title == "Changed elsewhere"
    finally:
        p.close()


def test_the_databases_refusal_reaches_a_person_as_a_stale_edit(db_target, clock):
    """The database's version check fails the flush inside an audited use case: the person is told in the
    service's words, and nothing of the use case is saved."""
    from sqlalchemy.orm.exc import StaleDataError

    p = Portfolio.open(db_target, create=True, actor="Tess Facilitator", clock=clock)
    try:
        events = len(p.audit_log())
        with pytest.raises(StaleEdit, match="Someone else changed this"), p.audited("edit") as recorder:
            recorder.summary = "stale"
            raise StaleDataError("UPDATE statement on table 'initiative' expected to update 1 row(s); 0 were matched.")
        assert len(p.audit_log()) == events
    finally:
        p.close()

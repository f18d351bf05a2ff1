"""``labreview db copy``: a portfolio moved between SQLite and PostgreSQL, row for row, the audit log's head the
same on both; a target holding anything, a source that is no portfolio, a URL that leads nowhere: one line, exit 2,
and no half-filled target."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from labreview.cli import main
from tests import backends


def dump(path) -> dict[str, list[tuple]]:
    """Every table of an SQLite file, row by row in primary-key order, each value with its SQLite type (so that
    1, 1.0 and '1' differ)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {}
        for name in names:
            info = list(connection.execute(f"PRAGMA table_info({name})"))
            shown = ", ".join(f"typeof({row[1]}), quote({row[1]})" for row in info)
            key = ", ".join(row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]) or "1"
            tables[name] = connection.execute(f"SELECT {shown} FROM {name} ORDER BY {key}").fetchall()
        return tables
    finally:
        connection.close()


def copy(capsys, source, target) -> tuple[int, str, str]:
    code = main(["db", "copy", str(source), str(target)])
    out, err = capsys.readouterr()
    return code, out, err


def head(capsys, database) -> str:
    assert main(["audit", "verify", "--db", str(database)]) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.startswith("head: ")]
    return line.removeprefix("head: ")


def assert_refused(result, *phrases) -> None:
    code, out, err = result
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def test_sqlite_to_sqlite_keeps_every_row(capsys, sample_copy, tmp_path):
    target = tmp_path / "copy" / "new.db"
    code, out, err = copy(capsys, sample_copy, target)
    assert code == 0, err
    assert out.startswith("Copied ") and " rows in 26 tables " in out
    assert dump(target) == dump(sample_copy)
    assert head(capsys, target) == head(capsys, sample_copy)


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back_gives_the_same_rows_and_audit_head(capsys, sample_copy, pg_empty_url, tmp_path):
    back = tmp_path / "back.db"
    assert copy(capsys, sample_copy, pg_empty_url)[0] == 0
    assert copy(capsys, pg_empty_url, back)[0] == 0
    assert dump(back) == dump(sample_copy)
    heads = {head(capsys, database) for database in (sample_copy, pg_empty_url, back)}
    assert len(heads) == 1
    # The sequences were set past the ids copied: the next row gets the next id, never a copied one's.
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_empty_url)
    try:
        with engine.begin() as connection:
            largest = connection.execute(text("SELECT max(id) FROM person")).scalar_one()
            new = connection.execute(
                text("INSERT INTO person (name, email, active) VALUES ('New Person', '', true) RETURNING id")
            ).scalar_one()
            assert new == largest + 1
            largest = connection.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
            sequence = connection.execute(text("SELECT pg_get_serial_sequence('audit_event', 'id')")).scalar_one()
            assert connection.execute(text("SELECT nextval(:s)"), {"s": sequence}).scalar_one() == largest + 1
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_to_postgresql_into_a_freshly_migrated_database(capsys, sample_copy, pg_url, tmp_path):
    server = backends.server()
    middle = server.fresh(migrated=False)
    try:
        assert copy(capsys, sample_copy, middle)[0] == 0
        code, _out, err = copy(capsys, middle, pg_url)  # pg_url: migrated to the head, every table empty
        assert code == 0, err
        back = tmp_path / "back.db"
        assert copy(capsys, pg_url, back)[0] == 0
        assert dump(back) == dump(sample_copy)
        assert head(capsys, pg_url) == head(capsys, middle) == head(capsys, sample_copy)
        # Holding data now: refused, and nothing of it changed.
        assert_refused(copy(capsys, sample_copy, pg_url), "already holds a portfolio", "never overwrites")
        assert_refused(copy(capsys, pg_url, pg_url), "is the source itself")
        assert head(capsys, pg_url) == head(capsys, sample_copy)
    finally:
        server.drop(middle)


@pytest.mark.postgres
def test_a_postgresql_source_or_target_that_is_not_a_portfolio_is_refused(capsys, pg_empty_url, sample_copy, tmp_path):
    assert_refused(copy(capsys, pg_empty_url, tmp_path / "new.db"), "is an empty database", "no portfolio to copy")
    assert not (tmp_path / "new.db").exists()
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE stuff (x integer)"))
    finally:
        engine.dispose()
    assert_refused(copy(capsys, pg_empty_url, tmp_path / "new.db"), "not a labreview portfolio")
    assert_refused(copy(capsys, sample_copy, pg_empty_url), "holds tables that are not a labreview portfolio's")
    assert not (tmp_path / "new.db").exists()


def test_a_target_that_holds_anything_is_refused_and_left_alone(capsys, sample_copy, tmp_path):
    other = tmp_path / "other.db"
    other.write_bytes(sample_copy.read_bytes())
    before = other.read_bytes()
    assert_refused(copy(capsys, sample_copy, other), "already holds a portfolio", "never overwrites")
    assert_refused(copy(capsys, sample_copy, sample_copy), "is the source itself")
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE stuff (x)")
    connection.close()
    assert_refused(copy(capsys, sample_copy, foreign), "already holds a database")
    assert other.read_bytes() == before
    assert not (tmp_path / "other.db-wal").exists()


def test_a_source_that_is_not_a_current_portfolio_is_refused(capsys, tmp_path):
    target = tmp_path / "new.db"
    assert_refused(copy(capsys, tmp_path / "missing.db", target), "No database at")
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database")
    assert_refused(copy(capsys, text_file, target), "not a readable SQLite database")
    assert not target.exists()


def test_urls_that_lead_nowhere_are_refused_in_one_line(capsys, sample_copy, tmp_path):
    assert_refused(copy(capsys, "nosuch://host/db", tmp_path / "new.db"), "not a kind of database it knows")
    assert_refused(copy(capsys, sample_copy, "sqlite://"), "in-memory")
    closed = "postgresql+psycopg://postgres@127.0.0.1:1/copy_nowhere"
    assert_refused(copy(capsys, closed, tmp_path / "new.db"))
    assert_refused(copy(capsys, sample_copy, closed), "copy_nowhere")
    assert not (tmp_path / "new.db").exists()


def broken_after(monkeypatch, tables: int) -> None:
    """Make the copy fail as a database would, after ``tables`` tables were written."""
    from labreview.store import bulk

    real = bulk.insert_rows
    written: set[str] = set()

    def failing(connection, table, columns, rows):
        written.add(table.name)
        if len(written) > tables:
            raise OperationalError("INSERT", {}, Exception("disk on fire"))
        real(connection, table, columns, rows)

    monkeypatch.setattr(bulk, "insert_rows", failing)


def test_a_copy_that_fails_removes_the_new_file(capsys, monkeypatch, sample_copy, tmp_path):
    broken_after(monkeypatch, 5)
    target = tmp_path / "new.db"
    assert_refused(copy(capsys, sample_copy, target), "failed", "disk on fire")
    assert list(tmp_path.iterdir()) == [sample_copy]


@pytest.mark.postgres
def test_a_copy_that_fails_leaves_the_server_database_empty(capsys, monkeypatch, sample_copy, pg_empty_url):
    with monkeypatch.context() as patch:
        broken_after(patch, 5)
        assert_refused(copy(capsys, sample_copy, pg_empty_url), "failed", "disk on fire")
    code, _out, err = copy(capsys, sample_copy, pg_empty_url)  # migrated, and nothing else: a copy goes in
    assert code == 0, err
    assert head(capsys, pg_empty_url) == head(capsys, sample_copy)


@pytest.mark.postgres
def test_a_value_postgresql_cannot_take_is_refused_in_one_line(capsys, sample_copy, pg_empty_url):
    """SQLite keeps text in an integer column edited by hand; PostgreSQL cannot: one line, nothing copied."""
    connection = sqlite3.connect(sample_copy)
    connection.execute("UPDATE initiative SET quarterly_cost = 'lots' WHERE id = (SELECT min(id) FROM initiative)")
    connection.commit()
    connection.close()
    assert_refused(copy(capsys, sample_copy, pg_empty_url), "initiative", "does not fit")
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_empty_url)
    try:
        with engine.connect() as c:
            assert c.execute(text("SELECT count(*) FROM person")).scalar_one() == 0
    finally:
        engine.dispose()

"""Storage faults: read-only files and folders, a full disk, a busy or damaged database.

Each is answered in words (a ``StorageError`` for the service, one line on stderr
and exit 2 for the command line), and nothing is half-written.

The tests run as root here, and root writes through ``chmod``. Where a file or
folder must really be unwritable, they make it immutable with ``chattr +i``
(which binds root too) or, for a whole process, drop the capabilities that let
root ignore permissions (``setpriv``); as another user a plain ``chmod`` does.
Each skips with the reason when the machine allows none of these.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest
from sqlalchemy import event, inspect

from labreview import cli
from labreview.domain.errors import StorageError
from labreview.portfolio import Portfolio
from labreview.store import engine as engine_module
from labreview.store.database import State, probe, readonly_uri
from labreview.store.engine import make_engine
from tests.conftest import SAMPLE

Q = "2026-Q4"


# ----------------------------------------------------------------------------- making things unwritable


@pytest.fixture
def unwritable():
    """Make a file or folder unwritable for this process, root or not; undone afterwards."""
    undo: list[list[str] | tuple[Path, int]] = []

    def apply(path: Path) -> None:
        if os.geteuid() != 0:
            undo.append((path, path.stat().st_mode))
            path.chmod(0o555 if path.is_dir() else 0o444)
            return
        if shutil.which("chattr") is None:
            pytest.skip("running as root without chattr: no way to make a file unwritable for root")
        result = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"running as root and chattr +i is not permitted here: {result.stderr.strip()}")
        undo.append(["chattr", "-i", str(path)])

    yield apply
    for step in reversed(undo):
        if isinstance(step, tuple):
            step[0].chmod(step[1])
        else:
            subprocess.run(step, check=False)


def wal_portfolio(folder: Path) -> Path:
    """A portfolio in WAL mode, closed cleanly (no -wal file left), in its own folder."""
    folder.mkdir()
    path = folder / "portfolio.db"
    shutil.copyfile(SAMPLE, path)
    p = Portfolio.open(path, actor="Setup")
    p.add_person("Wanda Wal")
    p.close()
    with path.open("rb") as handle:  # bytes 18-19 of the header are 2, 2 in WAL mode
        assert handle.read(20)[18:20] == b"\x02\x02"
    assert sorted(f.name for f in folder.iterdir()) == ["portfolio.db"]
    return path


def stderr_of(argv: list[str], monkeypatch) -> tuple[int, str, dict]:
    """Run the command line in-process with the app replaced by a stub that records how it was made."""
    made: dict = {}

    class StubApp:
        return_code = 0

        def run(self) -> None:
            made["ran"] = True

    def make_app(target, **options):
        made.update(options, target=target)
        return StubApp()

    import labreview.ui.app

    monkeypatch.setattr(labreview.ui.app, "make_app", make_app)
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)  # the stub app stands in for the terminal's app too
    monkeypatch.setenv("LABREVIEW_CONFIG", "/nonexistent/labreview.toml")
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli.main(argv)
    return code, err.getvalue(), made


# ----------------------------------------------------------------------------- read-only


def test_opening_read_only_writes_nothing(sample_copy):
    before = sample_copy.read_bytes()
    p = Portfolio.open(sample_copy, read_only=True)
    try:
        assert p.active_session().quarter == Q and p.verify_audit().ok
        with pytest.raises(StorageError, match="open read-only; nothing can be changed"):
            p.add_person("Rita Readonly")
        p.set_current_item(Q, "EXP-105")  # bookkeeping writes are skipped, not failed
    finally:
        p.close()
    assert sample_copy.read_bytes() == before
    assert not list(sample_copy.parent.glob("sample.db-*"))


def test_a_read_only_file_is_opened_read_only(tmp_path, unwritable):
    path = wal_portfolio(tmp_path / "data")
    unwritable(path)
    assert probe(path).state is State.CURRENT
    p = Portfolio.open(path, read_only=True)
    try:
        assert "Wanda Wal" in {person.name for person in p.people()}
    finally:
        p.close()


def test_a_read_only_folder_is_read_as_an_immutable_file(tmp_path, unwritable):
    path = wal_portfolio(tmp_path / "data")
    unwritable(path.parent)
    assert "immutable=1" in readonly_uri(path), "SQLite cannot make the -shm file a WAL reader needs here"
    assert probe(path).state is State.CURRENT
    p = Portfolio.open(path, read_only=True)
    try:
        assert "Wanda Wal" in {person.name for person in p.people()} and p.verify_audit().ok
    finally:
        p.close()
    assert sorted(f.name for f in path.parent.iterdir()) == ["portfolio.db"]


def test_unsaved_changes_in_a_read_only_folder_are_refused_not_hidden(tmp_path, unwritable):
    path = wal_portfolio(tmp_path / "data")
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT INTO person (name, email, active) VALUES ('Kept In Wal', '', 1)\")\n"
        "c.commit()\n"
        "os._exit(0)  # no checkpoint: the change lives only in the -wal file\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)
    (path.parent / "portfolio.db-shm").unlink()
    assert (path.parent / "portfolio.db-wal").stat().st_size > 0
    unwritable(path.parent)
    found = probe(path)
    assert found.state is State.UNREADABLE and "portfolio.db-wal" in found.message
    with pytest.raises(StorageError, match=r"recent changes in portfolio\.db-wal"):
        Portfolio.open(path, read_only=True)


def test_the_command_line_falls_back_to_read_only_for_an_unwritable_file(tmp_path, unwritable, monkeypatch):
    path = wal_portfolio(tmp_path / "data")
    unwritable(path)
    code, err, made = stderr_of(["--db", str(path)], monkeypatch)
    assert code == 0 and made["read_only"] is True and made["ran"]
    assert err.strip().splitlines() == [
        f"labreview: {path} cannot be written by you; opening it read-only (nothing can be changed)."
    ]


def test_the_command_line_falls_back_to_read_only_for_an_unwritable_folder(tmp_path, unwritable, monkeypatch):
    path = wal_portfolio(tmp_path / "data")
    unwritable(path.parent)
    code, err, made = stderr_of(["--db", str(path)], monkeypatch)
    assert code == 0 and made["read_only"] is True
    assert f"the folder {path.parent} cannot be written" in err and len(err.strip().splitlines()) == 1


def test_an_unwritable_older_database_is_refused_clearly(tmp_path, unwritable, monkeypatch):
    from tests.store.test_migrations import fixture_for

    folder = tmp_path / "old"
    folder.mkdir()
    path = folder / "portfolio.db"
    shutil.copyfile(fixture_for("0001"), path)
    unwritable(path)
    code, err, made = stderr_of(["--db", str(path)], monkeypatch)
    assert code == 2 and "ran" not in made
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "opening it read-only" in lines[0]
    assert "older schema (0001) and must be upgraded" in lines[1] and "Traceback" not in err


def test_explicit_read_only_never_upgrades(tmp_path, monkeypatch):
    from tests.store.test_migrations import fixture_for

    path = tmp_path / "portfolio.db"
    shutil.copyfile(fixture_for("0001"), path)
    before = path.read_bytes()
    code, err, _made = stderr_of(["--read-only", "--db", str(path)], monkeypatch)
    assert code == 2 and "needs write access" in err
    assert path.read_bytes() == before and not list(tmp_path.glob("*.bak"))


# ----------------------------------------------------------------------------- a full disk


def table_counts(p: Portfolio) -> dict[str, int]:
    with p.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {t: connection.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar() for t in tables}


DISK_FULL = {
    "sqlite": "The disk is full: the change was not saved. Free some space and try again.",
    "postgresql": "The server's disk is full: the change was not saved. Free some space and try again.",
}
"""What the service says when the disk is full, by backend."""

NO_SPACE = """
CREATE FUNCTION lrt_no_space() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device'
        USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
END
$$
"""


@pytest.fixture
def full_disk(portfolio, db_target):
    """The ``portfolio`` fixture's database may not grow. On SQLite its file may not grow by a single page
    (``max_page_count``). On PostgreSQL (a shared server whose disk a test cannot fill) every row written fails
    as the server fails when its disk is full: SQLSTATE 53100 ``disk_full``, raised by a trigger on every table."""
    p = portfolio
    p.start_session(Q)
    if p.engine.dialect.name != "sqlite":
        admin = make_engine(db_target)
        with admin.begin() as connection:
            tables = inspect(connection).get_table_names()
            connection.exec_driver_sql(NO_SPACE)
            for table in tables:
                connection.exec_driver_sql(
                    f'CREATE TRIGGER lrt_no_space BEFORE INSERT OR UPDATE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION lrt_no_space()"
                )
        full = True

        def make_room() -> None:
            nonlocal full
            if full:
                with admin.begin() as connection:
                    connection.exec_driver_sql("DROP FUNCTION lrt_no_space() CASCADE")  # and its triggers
                full = False

        yield p, make_room, DISK_FULL["postgresql"]
        make_room()
        admin.dispose()
        return

    with p.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def limit(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    def make_room_in_the_file() -> None:
        if event.contains(p.engine, "connect", limit):
            event.remove(p.engine, "connect", limit)
        p.engine.dispose()

    event.listen(p.engine, "connect", limit)
    p.engine.dispose()  # pooled connections were opened without the limit
    yield p, make_room_in_the_file, DISK_FULL["sqlite"]
    make_room_in_the_file()


def test_a_full_disk_refuses_the_change_and_writes_nothing(full_disk):
    p, _make_room, disk_full = full_disk
    before = table_counts(p)
    head = p.verify_audit()
    with pytest.raises(StorageError) as refused:
        p.create_initiative(
            "LAB-9", "Big idea", category="capability", owner="Oscar Owner", description="evidence " * 1100
        )
    assert refused.value.message == disk_full
    with pytest.raises(StorageError, match=re.escape(disk_full)):
        p.record_decision(Q, "LAB-2", "kill", rationale="No lift; " + "the learning note says why. " * 70)
    assert table_counts(p) == before
    after = p.verify_audit()
    assert after.ok and after.checked == head.checked and after.head == head.head
    assert p.decision(Q, "LAB-2") is None and "LAB-9" not in p.initiative_keys()


def test_a_full_disk_refuses_a_bulk_import_and_writes_nothing(full_disk, tmp_path):
    from labreview.exchange import csv_read

    p, make_room, disk_full = full_disk
    before = table_counts(p)
    path = tmp_path / "bulk.csv"
    rows = "".join(f"B-{n},Bulk item {n},capability,Owner {n % 3},{'evidence ' * 40}\n" for n in range(300))
    path.write_text("key,title,category,owner,description\n" + rows, encoding="utf-8")
    with pytest.raises(StorageError, match=re.escape(disk_full)):
        csv_read.import_file(p, path)
    assert table_counts(p) == before and p.verify_audit().ok
    make_room()
    assert csv_read.import_file(p, path)[1].written and len(p.initiative_keys()) == before["initiative"] + 300


def test_after_a_full_disk_the_same_change_goes_through_once_there_is_room(full_disk):
    p, make_room, disk_full = full_disk
    with pytest.raises(StorageError, match=re.escape(disk_full)):
        p.record_decision(Q, "LAB-2", "kill", rationale="No lift; " + "the learning note says why. " * 70)
    make_room()
    decision = p.record_decision(Q, "LAB-2", "kill", rationale="No lift; " + "the learning note says why. " * 70)
    assert decision.outcome.value == "kill" and p.verify_audit().ok


# ----------------------------------------------------------------------------- busy, damaged


def test_a_database_held_too_long_by_another_writer_is_answered_in_words(tmp_path, monkeypatch, clock):
    path = tmp_path / "p.db"
    Portfolio.open(path, create=True).close()
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    p = Portfolio(make_engine(path), actor="Second laptop", clock=clock)
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError) as refused:
            p.add_person("Bea Busy")
        assert refused.value.message.startswith("The database is busy with another labreview; the change was not saved")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    p.add_person("Bea Busy")  # and it works once the other writer is done
    assert p.verify_audit().ok
    p.close()


@pytest.mark.sqlite_only  # overwrites a b-tree page of the SQLite file
def test_a_file_damaged_while_open_is_answered_in_words(portfolio):
    p = portfolio
    with p.engine.connect() as connection:
        page_size = connection.exec_driver_sql("PRAGMA page_size").scalar()
        root = connection.exec_driver_sql("SELECT rootpage FROM sqlite_master WHERE name = 'person'").scalar()
    p.engine.dispose()  # the last connection to close checkpoints the WAL into the file
    path = Path(str(p.engine.url.database))
    with path.open("r+b") as handle:  # the b-tree page of the person table becomes noise
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    with pytest.raises(StorageError, match="The database file is damaged: the change was not saved"):
        p.add_person("Dora Damage")

"""Storage a user can trust with their only copy (issue 13), met the way a person and a hostile file meet it:
through the command line in a separate process. Every refusal is exit code 2 and exactly one line on stderr,
never a traceback; where a promise says a file is left alone, its bytes are compared.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from labreview.store import schema
from tests.cli.test_cli import assert_clean_refusal, run
from tests.conftest import SAMPLE
from tests.store.test_storage_faults import unwritable  # noqa: F401 - a fixture

Q = "2026-Q3"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path) -> Path:
    """A copy of the sample portfolio in its own folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "portfolio.db"
    shutil.copyfile(SAMPLE, path)
    return path


def journal_mode(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


# ----------------------------------------------------------------------------- 1. -o PATH --force


def test_force_refuses_a_fifo_and_leaves_it_a_fifo(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run("minutes", Q, "-o", str(fifo), "--force", "--db", str(db))
    assert_clean_refusal(result, str(fifo), "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert_clean_refusal(run("export", "backlog", str(fifo), "--force", "--db", str(db)), "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_force_refuses_a_device_node_and_leaves_it_a_device(db, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null, in our own folder
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc.strerror}")
    result = run("minutes", Q, "-o", str(device), "--force", "--db", str(db))
    assert_clean_refusal(result, str(device), "not a regular file")
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_force_writes_through_a_symlink_to_a_regular_file(db, tmp_path):
    real = tmp_path / "published" / "minutes.md"
    real.parent.mkdir()
    real.write_text("old minutes\n")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    result = run("minutes", Q, "-o", str(link), "--force", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text().startswith("# ")


def test_force_refuses_a_symlink_to_a_fifo(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.md"
    link.symlink_to(fifo)
    assert_clean_refusal(run("minutes", Q, "-o", str(link), "--force", "--db", str(db)), "not a regular file")
    assert link.is_symlink() and stat.S_ISFIFO(fifo.lstat().st_mode)


# ----------------------------------------------------------------------------- 2. --db paths with %XX or ?


@pytest.mark.parametrize("name", ["budget%41.db", "q?x.db", "a#b.db", "sp ace%2F.db"])
def test_every_command_opens_exactly_the_file_named(tmp_path, name):
    folder = tmp_path / "odd"
    folder.mkdir()
    path = folder / name
    created = run("init", "--db", str(path))
    assert created.returncode == 0, created.stderr
    added = run("board", "add", "Priya Raman", "--role", "sponsor", "--db", str(path))
    assert added.returncode == 0, added.stderr
    assert sorted(p.name for p in folder.iterdir()) == [name]
    assert "Priya Raman" in run("board", "list", "--db", str(path)).stdout
    verified = run("audit", "verify", "--db", str(path))
    assert verified.returncode == 0 and "ok: 2 audit records" in verified.stdout


def test_an_older_file_with_an_odd_name_is_backed_up_and_upgraded_in_place(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    path = folder / "old%41?.db"
    shutil.copyfile(Path(__file__).parents[1] / "fixtures" / "schema-0001.db", path)
    added = run("board", "add", "Priya Raman", "--role", "sponsor", "--db", str(path))
    assert added.returncode == 0, added.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "old%41?.db" and len(names) == 2 and names[1].startswith("old%41?.db.0001-"), names
    assert "Priya Raman" in run("board", "list", "--db", str(path)).stdout


# ----------------------------------------------------------------------------- 3. one line and exit 2


def test_a_database_of_another_alembic_application_is_refused(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY);"
        "INSERT INTO alembic_version VALUES ('0002');"
        "CREATE TABLE invoice (id INTEGER PRIMARY KEY, total INTEGER);"
    )
    connection.close()
    before = sha(path)
    for argv in (["board", "list"], ["export", "backlog", "-"], ["audit", "verify"], ["minutes", Q, "-o", "-"], []):
        assert_clean_refusal(run(*argv, "--db", str(path)), "not a labreview portfolio")
    assert sha(path) == before


def test_a_portfolio_missing_a_table_is_refused(db):
    connection = sqlite3.connect(db)
    connection.execute("DROP TABLE decision")
    connection.commit()
    connection.close()
    before = sha(db)
    for argv in (["board", "list"], ["export", "backlog", "-"], ["export", "decisions", "-"], []):
        assert_clean_refusal(run(*argv, "--db", str(db)), "decision", "missing")
    assert sha(db) == before


def test_the_tables_each_revision_has_agree_with_the_models_and_the_fixtures():
    from labreview.store.models import metadata

    assert schema.TABLES[schema.HEAD] == set(metadata.tables)
    for revision in schema.REVISIONS:
        connection = sqlite3.connect(Path(__file__).parents[1] / "fixtures" / f"schema-{revision}.db")
        found = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        connection.close()
        assert found - {"alembic_version", "sqlite_sequence"} == schema.TABLES[revision]


def test_reading_a_portfolio_in_a_read_only_folder(db, unwritable):  # noqa: F811 - the fixture
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    before = sha(db)
    unwritable(db.parent)
    listing = run("board", "list", "--db", str(db))
    assert listing.returncode == 0 and "—" in listing.stdout, listing.stderr
    exported = run("export", "backlog", "-", "--db", str(db))
    assert exported.returncode == 0 and exported.stdout.startswith("key,"), exported.stderr
    assert sha(db) == before
    refused = run("export", "backlog", str(db.parent / "out.csv"), "--db", str(db))
    assert_clean_refusal(refused, str(db.parent))


@pytest.mark.parametrize(
    ("url", "phrase"),
    [
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("postgresql://kim@localhost/portfolio", "postgres"),
        ("foo://bar", "foo"),
    ],
)
def test_database_urls_that_cannot_be_a_portfolio_are_refused(url, phrase):
    for argv in (["board", "list"], ["init"], ["audit", "verify"], ["export", "backlog", "-"]):
        assert_clean_refusal(run(*argv, "--db", url), phrase)


@pytest.mark.parametrize(
    "argv", [["board", "list"], ["minutes", Q, "-o", "-"], ["audit", "verify"], ["export", "backlog", "-"]]
)
def test_standard_output_on_a_full_device_is_one_line(db, argv):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "labreview", *argv, "--db", str(db)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            timeout=60,
        )
    assert_clean_refusal(result, "standard output", "No space left")


def test_a_broken_pipe_is_one_line(db):
    reader, writer = os.pipe()
    os.close(reader)  # like `| head -2` that has already stopped reading
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "labreview", "board", "list", "--db", str(db)],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert_clean_refusal(result, "standard output")


@pytest.mark.parametrize(
    "argv",
    [["--frobnicate"], ["board"], ["minutes"], ["board", "add", "X"], ["audit"], ["export", "nothing"], ["bogus"]],
)
def test_usage_errors_are_one_line(argv):
    result = run(*argv)
    assert_clean_refusal(result, "labreview")


# ----------------------------------------------------------------------------- 5. reads leave files alone


def test_reading_an_empty_file_leaves_it_empty(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    for argv in (["board", "list"], ["export", "backlog", "-"], ["minutes", Q, "-o", "-"], ["audit", "verify"]):
        result = run(*argv, "--db", str(path))
        assert_clean_refusal(result, str(path))
        assert "will be set up" not in result.stderr
        assert path.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


def test_reading_a_rollback_journal_file_leaves_its_bytes_alone(db):
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    connection.close()
    before = sha(db)
    for argv in (
        ["board", "list"],
        ["export", "backlog", "-"],
        ["export", "decisions", "-"],
        ["minutes", Q, "-o", "-"],
        ["audit", "verify"],
    ):
        result = run(*argv, "--db", str(db))
        assert result.returncode == 0, (argv, result.stderr)
        assert sha(db) == before, argv
    assert journal_mode(db) == "delete"
    assert sorted(p.name for p in db.parent.iterdir()) == ["portfolio.db"]


async def test_the_app_does_not_hang_on_a_portfolio_that_fails_while_opening(db, tmp_path):
    """The command line checked the file (``checked``), then a table went: the app says so and ends with code 2,
    instead of "Opening the portfolio…" for ever."""
    import asyncio

    from labreview.config import Config
    from labreview.ui.app import make_app

    connection = sqlite3.connect(db)
    connection.execute("DROP TABLE review_session")
    connection.commit()
    connection.close()
    app = make_app(db, config=Config(path=tmp_path / "config.toml"), checked=True)
    said = ""
    async with app.run_test(size=(80, 24)):
        for _ in range(200):
            if app.return_code is not None:
                said = " ".join(str(r) for r in app._exit_renderables)  # printed on stderr once the app is gone
                break
            await asyncio.sleep(0.05)
    assert app.return_code == 2
    assert "review_session" in said and "restore it from a backup" in said


# ----------------------------------------------------------------------------- 4. a damaged large file


@pytest.fixture
def damaged_large(db) -> Path:
    """A portfolio over 16 MiB (so that opening it skips the page-by-page check) whose initiative table has a page
    of noise: the damage a bad sector or a half-copied file leaves."""
    from labreview.store.database import QUICK_CHECK_LIMIT

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("CREATE TABLE zz_attachments (body BLOB)")  # a large, innocent table of someone's own
    for _ in range(QUICK_CHECK_LIMIT // (1 << 20) + 2):
        connection.execute("INSERT INTO zz_attachments VALUES (zeroblob(1048576))")
    connection.commit()
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'initiative'").fetchone()[0]
    connection.close()
    assert db.stat().st_size > QUICK_CHECK_LIMIT
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x5a" * page_size)
    return db


def test_a_damaged_large_file_is_not_written(damaged_large, tmp_path):
    before = sha(damaged_large)
    added = run("board", "add", "Nadia New", "--role", "finance", "--db", str(damaged_large))
    assert_clean_refusal(added, str(damaged_large), "damaged")
    csv = tmp_path / "in.csv"
    csv.write_text("key,title,category,owner\nNEW-1,New thing,efficiency,Kim Novak\n")
    assert_clean_refusal(run("import", str(csv), "--db", str(damaged_large)), "damaged")
    assert sha(damaged_large) == before


def test_exporting_a_damaged_large_file_is_one_line(damaged_large):
    before = sha(damaged_large)
    for argv in (["export", "backlog", "-"], ["export", "decisions", "-"], ["board", "list"]):
        result = run(*argv, "--db", str(damaged_large))
        if result.returncode != 0:
            assert_clean_refusal(result, "damaged")
    assert_clean_refusal(run("export", "backlog", "-", "--db", str(damaged_large)), "damaged")
    assert sha(damaged_large) == before


async def test_the_app_stops_writing_once_the_background_check_finds_damage(db, tmp_path):
    import asyncio

    from labreview.config import Config
    from labreview.domain.errors import StorageError
    from labreview.store.database import QUICK_CHECK_LIMIT
    from labreview.ui.app import make_app

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("CREATE TABLE zz_attachments (body BLOB)")
    connection.execute("INSERT INTO zz_attachments VALUES (zeroblob(?))", (QUICK_CHECK_LIMIT + (1 << 20),))
    connection.commit()
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    with db.open("r+b") as handle:  # a page of noise in the middle of the attachment's overflow chain
        handle.seek(db.stat().st_size - 64 * page_size)
        handle.write(b"\x5a" * page_size)
    app = make_app(db, config=Config(path=tmp_path / "config.toml"), checked=True)
    async with app.run_test(size=(100, 32)):
        await app.ready.wait()
        for _ in range(400):
            if app.read_only:
                break
            await asyncio.sleep(0.05)
        assert app.read_only and app.meeting.banner == "READ-ONLY"
        with pytest.raises(StorageError):
            app.portfolio.add_person("Wren Writer")


# ----------------------------------------------------------------------------- 6. tamper evidence


def edit(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("statement", "phrase"),
    [
        ("UPDATE decision SET outcome = 'promote' WHERE id = 1", "the decision row with id 1 has outcome = 'promote'"),
        (
            "UPDATE initiative SET quarterly_cost = 99 WHERE key = 'EXP-116'",
            "(EXP-116) has quarterly_cost = 99, but its audit history says 300000",
        ),
        ("DELETE FROM attendee WHERE rowid = (SELECT min(rowid) FROM attendee)", "no audit record deleted it"),
        ("INSERT INTO setting (key, value) VALUES ('approver', 'me')", "no audit record created it"),
    ],
)
def test_direct_edits_of_the_tables_are_found_by_replaying_the_log(db, statement, phrase):
    edit(db, statement)
    result = run("audit", "verify", "--db", str(db))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("broken: the ") and phrase in result.stdout, result.stdout


def head_of(path: Path) -> str:
    result = run("audit", "verify", "--db", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = [line for line in result.stdout.splitlines() if line.startswith("head: ")]
    return line.removeprefix("head: ")


def cut_thoroughly(path: Path, records: int) -> None:
    """Delete the newest ``records`` records, put back the rows they changed and point the head at the record
    before them: a forgery the file alone cannot show."""
    from tests.portfolio.test_audit import count, row, sql, unapply

    n = count(path)
    for event_id in range(n, n - records, -1):
        unapply(path, event_id)
    last = row(path, n - records)
    sql(
        path,
        f"DELETE FROM audit_event WHERE id > {n - records}",
        "UPDATE audit_head SET event_id = :event_id, records = :records, hash = :hash WHERE id = 1",
        event_id=n - records,
        records=n - records,
        hash=last["hash"],
    )


def test_every_minutes_file_is_an_anchor(db, tmp_path):
    minutes = tmp_path / "minutes.md"
    assert run("minutes", Q, "-o", str(minutes), "--db", str(db)).returncode == 0
    head = head_of(db)
    assert f"Audit log head: record 1922, hash {head}." in minutes.read_text()
    anchored = run("audit", "verify", "--anchor", str(minutes), "--db", str(db))
    assert anchored.returncode == 0 and anchored.stdout.startswith("ok: 1922 audit records"), anchored.stdout
    added = run("board", "add", "Nadia New", "--role", "finance", "--db", str(db))
    assert added.returncode == 0, added.stderr
    assert run("audit", "verify", "--anchor", str(minutes), "--db", str(db)).returncode == 0  # still reached
    cut_thoroughly(db, 2)
    assert run("audit", "verify", "--db", str(db)).returncode == 0  # consistent: the file alone cannot tell
    caught = run("audit", "verify", "--anchor", str(minutes), "--db", str(db))
    assert caught.returncode == 1 and caught.stdout.startswith(f"broken: no record has the hash {head}")


@pytest.mark.parametrize("anchor", ["not-a-hash!", "", "   ", "abc123", "g" * 64, "line\none"])
def test_a_malformed_anchor_is_bad_input(db, anchor):
    assert_clean_refusal(run("audit", "verify", "--anchor", anchor, "--db", str(db)), "--anchor")


def test_a_file_without_a_head_is_no_anchor(db, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\nNothing here.\n")
    assert_clean_refusal(run("audit", "verify", "--anchor", str(notes), "--db", str(db)), "carries no audit log head")


def schema_0001_kind_of_portfolio(path: Path) -> int:
    """A portfolio holding only what a file of schema 0001 could hold (no stabilisation plan, ballot, consolidation
    survivor or carried agenda item, whose columns a forger would have to drop with their data): a session of
    Q with scores and a decision. Returns the number of audit records."""
    import datetime as dt

    from labreview.portfolio import Portfolio

    day = dt.datetime(2026, 8, 20, 14, 0, tzinfo=dt.UTC)
    p = Portfolio.open(path, create=True, actor="Kim Novak", clock=lambda: day)
    try:
        p.ensure_defaults()
        for name, role in (("Kim Novak", "innovation-lead"), ("Grace Liu", "finance"), ("Ravi Menon", "martech-lead")):
            p.add_person(name, role)
        p.add_person("Oscar Owner")
        for n in range(1, 4):
            p.create_initiative(f"LAB-{n}", f"Pilot {n}", category="efficiency", owner="Oscar Owner")
        p.create_session(Q, held_on=dt.date(2026, 8, 20), facilitator="Kim Novak", attendees=["Kim Novak", "Grace Liu"])
        for n in range(1, 4):
            p.toggle_agenda(Q, f"LAB-{n}")
        p.start_session(Q)
        for n in range(1, 4):
            for criterion in ("outcome-impact", "data-risk"):
                p.record_score(Q, f"LAB-{n}", "Grace Liu", criterion, 3)
        p.record_decision(Q, "LAB-1", "iterate", rationale="another cycle", next_review=dt.date(2026, 11, 23))
        p.end_session(Q)
        return p.newest_event_id()
    finally:
        p.close()


def test_a_dropped_head_claiming_schema_0001_does_not_launder_a_cut(tmp_path):
    db = tmp_path / "data" / "portfolio.db"
    db.parent.mkdir()
    records = schema_0001_kind_of_portfolio(db)
    minutes = tmp_path / "minutes.md"
    assert run("minutes", Q, "-o", str(minutes), "--db", str(db)).returncode == 0
    cut_thoroughly(db, 3)
    edit(  # made to look like a file of schema 0001 all through, as a careful forger would
        db,
        "DROP TABLE audit_head",
        "DROP TABLE budget_envelope",
        "DROP TABLE seat_link",
        "DROP TABLE ballot_score",
        "DROP TABLE ballot",
        "DROP TABLE presence",
        "DROP TABLE service_state",
        "DROP TABLE kpi_reading",
        "DROP TABLE decision_right",
        "ALTER TABLE decision DROP COLUMN signed_off_by_id",
        "ALTER TABLE agenda_item DROP COLUMN carried_reason",
        "ALTER TABLE action_item DROP COLUMN plan_days",
        "ALTER TABLE decision DROP COLUMN absorbed_by_id",
        "UPDATE alembic_version SET version_num = '0001'",
    )
    opened = run("board", "add", "Nadia New", "--role", "finance", "--db", str(db))  # upgrades it, after a backup
    assert opened.returncode == 0, opened.stderr
    verified = run("audit", "verify", "--db", str(db))
    assert verified.returncode == 0, verified.stdout
    assert f"note: records 1–{records - 3} were found without a head when this file was upgraded" in verified.stdout
    caught = run("audit", "verify", "--anchor", str(minutes), "--db", str(db))
    assert caught.returncode == 1 and "no record has the hash" in caught.stdout


def test_a_forged_old_schema_that_drops_newer_data_is_caught_by_the_log_itself(db, tmp_path):
    """The sample holds a stabilisation plan (action_item.plan_days, schema 0005): dropping the column to pass the
    file off as schema 0001 loses what the audit log recorded, and verify says so without any anchor."""
    edit(
        db,
        "DROP TABLE seat_link",
        "DROP TABLE ballot_score",
        "DROP TABLE ballot",
        "DROP TABLE presence",
        "DROP TABLE service_state",
        "DROP TABLE kpi_reading",
        "DROP TABLE decision_right",
        "ALTER TABLE decision DROP COLUMN signed_off_by_id",
        "ALTER TABLE action_item DROP COLUMN plan_days",
        "ALTER TABLE decision DROP COLUMN absorbed_by_id",
        "UPDATE alembic_version SET version_num = '0004'",
    )
    assert run("board", "add", "Nadia New", "--role", "finance", "--db", str(db)).returncode == 0
    verified = run("audit", "verify", "--db", str(db))
    assert verified.returncode == 1 and "plan_days = None, but its audit history says 30" in verified.stdout


# ----------------------------------------------------------------------------- 7. a copy at any moment


def test_backup_copies_what_is_still_in_the_wal_file(db, tmp_path):
    """A writer that has not checkpointed (the app, mid-meeting) keeps today's changes in -wal: ``cp`` of the
    database file misses them, ``labreview backup`` has them."""
    from labreview.portfolio import Portfolio

    p = Portfolio.open(db, actor="Kim Novak")
    try:
        p.add_board_member("Wendy Wal", "finance")
        wal = db.with_name(db.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0
        plain = tmp_path / "plain-copy.db"
        shutil.copyfile(db, plain)  # what `cp portfolio.db` gives while the app runs
        copy = tmp_path / "backup.db"
        result = run("backup", str(copy), "--db", str(db))
        assert result.returncode == 0 and "Backed up" in result.stdout, result.stderr
    finally:
        p.close()
    assert "Wendy Wal" not in run("board", "list", "--db", str(plain)).stdout
    assert "Wendy Wal" in run("board", "list", "--db", str(copy)).stdout
    verified = run("audit", "verify", "--db", str(copy))
    assert verified.returncode == 0 and verified.stdout.startswith("ok: 1923 audit records"), verified.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == ["backup.db"]
    assert_clean_refusal(run("backup", str(copy), "--db", str(db)), "already exists")
    assert run("backup", str(copy), "--force", "--db", str(db)).returncode == 0
    assert_clean_refusal(run("backup", str(db), "--force", "--db", str(db)), "the portfolio itself")


def test_backup_refuses_to_replace_a_fifo(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert_clean_refusal(run("backup", str(fifo), "--force", "--db", str(db)), "not a regular file")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_closes_the_app_like_ctrl_q_so_a_plain_copy_is_complete(db, tmp_path, number):
    from tests.terminal import Terminal, config_file

    config = config_file(tmp_path)
    wal = db.with_name(db.name + "-wal")
    terminal = Terminal(["--db", str(db)], env={"LABREVIEW_CONFIG": str(config)})
    try:
        assert terminal.wait_for("Northwind Retail", timeout=30), terminal.text()
        terminal.press("S")  # start the 2026-Q4 session: committed, and in the -wal file for now
        assert terminal.wait_for("session has started", timeout=20), terminal.text()
        assert wal.exists() and wal.stat().st_size > 0
        terminal.child.kill(number)
        deadline = time.monotonic() + 20
        while terminal.child.isalive() and time.monotonic() < deadline:
            terminal.pump(0.1)
        assert not terminal.child.isalive()
    finally:
        terminal.close()
    assert "Traceback" not in bytes(terminal.raw).decode("utf-8", "replace")
    assert not wal.exists() or wal.stat().st_size == 0, "the -wal file still holds changes"
    alone = tmp_path / "alone.db"
    shutil.copyfile(db, alone)  # the database file by itself, as `cp` copies it
    connection = sqlite3.connect(alone)
    status = connection.execute("SELECT status FROM review_session WHERE quarter = '2026-Q4'").fetchone()[0]
    connection.close()
    assert status == "open"


# ----------------------------------------------------------------------------- 8. smaller promises


def test_keys_that_upper_case_into_other_letters_are_refused(db, tmp_path):
    csv = tmp_path / "keys.csv"
    rows = ["key,title,category,owner", "EXP-ß,Sharp s,efficiency,Kim Novak", "EXP-ﬁ,Ligature,efficiency,Kim Novak"]
    csv.write_text("\n".join(rows) + "\n")
    result = run("import", str(csv), "--db", str(db))
    assert_clean_refusal(result, "2 rows are bad")
    assert "EXP-ß" in result.stdout and "EXP-ﬁ" in result.stdout
    skipped = run("import", str(csv), "--skip-invalid", "--db", str(db))
    assert skipped.returncode == 0, skipped.stderr
    exported = run("export", "backlog", "-", "--db", str(db)).stdout
    assert "EXP-SS" not in exported and "EXP-FI" not in exported


@pytest.mark.parametrize("cost", ["1,2,3", ",5", "1,234,5"])
def test_ambiguous_costs_are_refused(db, tmp_path, cost):
    csv = tmp_path / "costs.csv"
    csv.write_text(f'key,title,category,owner,quarterly_cost\nNEW-1,New,efficiency,Kim Novak,"{cost}"\n')
    result = run("import", str(csv), "--db", str(db))
    assert_clean_refusal(result, "1 row is bad")
    assert "ambiguous" in result.stdout
    assert "NEW-1" not in run("export", "backlog", "-", "--db", str(db)).stdout


@pytest.mark.parametrize("cost", ["12,500", "12,500.50", "12500,50", "12.500,50", "€ 9 000"])
def test_unambiguous_costs_still_read(db, tmp_path, cost):
    csv = tmp_path / "costs.csv"
    csv.write_text(f'key,title,category,owner,quarterly_cost\nNEW-1,New,efficiency,Kim Novak,"{cost}"\n')
    assert run("import", str(csv), "--db", str(db)).returncode == 0


@pytest.mark.parametrize("name", ["Eve\x1b]0;pwned\x07", "Bel\x07l", "Two\nLines", "Tab\tby"])
def test_board_add_refuses_control_characters(db, name):
    result = run("board", "add", name, "--role", "finance", "--db", str(db))
    assert_clean_refusal(result, "control character")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_board_list_never_prints_control_characters(db):
    edit(db, "UPDATE person SET name = 'Mallory\x1b]0;owned\x07 \u202eevil' WHERE board_role = 'finance'")
    listing = run("board", "list", "--db", str(db))
    assert listing.returncode == 0, listing.stderr
    assert "\x1b" not in listing.stdout and "\x07" not in listing.stdout and "\u202e" not in listing.stdout
    assert "Mallory\\x1b]0;owned\\x07 \\u202eevil" in listing.stdout


def test_a_locked_database_is_not_called_damaged(db):
    edit(db, "PRAGMA journal_mode = DELETE")
    holder = sqlite3.connect(db, isolation_level=None, timeout=1)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("board", "list", "--db", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clean_refusal(result, "locked")
    assert "damaged" not in result.stderr and "not a readable SQLite database" not in result.stderr


def test_database_errors_are_worded_as_what_they_are():
    from labreview.store.database import sqlite_problem

    assert sqlite_problem(sqlite3.OperationalError("disk I/O error")).startswith("the disk reported an input/output")
    assert "damaged" not in sqlite_problem(sqlite3.OperationalError("disk I/O error"))
    assert "locked" in sqlite_problem(sqlite3.OperationalError("database is locked"))
    assert "damaged" in sqlite_problem(sqlite3.DatabaseError("database disk image is malformed"))


def test_saving_the_theme_keeps_comments_and_writes_through_a_symlink(tmp_path):
    from labreview.config import load, save_theme

    real = tmp_path / "dotfiles" / "labreview.toml"
    real.parent.mkdir()
    lines = ["# my settings", 'actor = "Kim Novak"  # the name in the audit log', "", "[weights]", "outcome-impact = 2"]
    real.write_text("\n".join(lines) + "\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_theme(load(link), "nord")
    assert link.is_symlink() and link.resolve() == real
    text = real.read_text()
    assert "# my settings" in text and "# the name in the audit log" in text and 'theme = "nord"' in text
    assert load(link).theme == "nord" and load(link).actor == "Kim Novak"


async def test_a_keymap_that_cannot_work_is_warned_about_and_quit_is_never_lost(db, tmp_path):
    import asyncio

    from labreview.config import Config
    from labreview.ui.app import make_app

    keymap = {
        "labreview.screen.budget": "not a key!!",
        "labreview.screen.backlog": "ctrl+q,f6",
        "labreview.no.such.binding": "f7",
    }
    config = Config(path=tmp_path / "config.toml", theme="no-such-theme", keymap=keymap)
    app = make_app(db, config=config)
    async with app.run_test(size=(100, 32)) as pilot:
        await app.ready.wait()
        for _ in range(100):
            messages = [n.message for n in app._notifications]
            if any("no such binding id" in m for m in messages):
                break
            await asyncio.sleep(0.05)
        assert all("\n" not in m for m in messages)
        said = " ".join(messages)
        assert "'not a key!!' is not a key" in said
        assert "ctrl+q always quits" in said
        assert "'labreview.no.such.binding': no such binding id" in said
        assert "theme 'no-such-theme' is not one labreview has" in said
        await pilot.press("f6")
        await pilot.pause()
        assert app.current_mode == "backlog"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0

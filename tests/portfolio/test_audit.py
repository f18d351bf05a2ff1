"""The audit log is tamper-evident: edits made to the database behind labreview's back are found.

Every tampering case edits the tables with plain SQL on a connection of its own, as
somebody with a database browser (or ``psql``) would, on the SQLite file or the
PostgreSQL database alike, and ``labreview audit verify`` must name the first broken
record (exit 1). What it cannot find is tested too, so that the limit stays written down:
a forger who recomputes every hash and the head is only caught by a head hash
kept somewhere else (``--anchor``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

from labreview import cli
from labreview.portfolio import ledger
from labreview.store.engine import make_engine
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


Target = Path | str
"""Where the portfolio is: a file path (SQLite) or a database URL (PostgreSQL), as ``db_target`` gives it."""


@pytest.fixture
def log(portfolio, db_target) -> Target:
    """The small portfolio of ``conftest`` with some history, closed, as a database to tamper with."""
    p = portfolio
    p.start_session("2026-Q4")
    for value, criterion in enumerate(("outcome-impact", "operational-fit", "data-risk"), 2):
        p.record_score("2026-Q4", "LAB-1", "Dana Sponsor", criterion, value)
    p.undo()
    p.set_setting("name", "Tamper test")
    p.close()
    assert count(db_target) >= 20
    return db_target


@contextmanager
def connected(target: Target) -> Iterator[Connection]:
    """One transaction on a connection of the tamperer's own, committed at the end; the engine is disposed."""
    engine = make_engine(target)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def count(target: Target) -> int:
    with connected(target) as connection:
        return connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one()


def sql(target: Target, *statements: str, **params) -> None:
    """Run the statements in one transaction; each gets the ``params`` it names (``:name``)."""
    with connected(target) as connection:
        for statement in statements:
            connection.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})


def verify(target: Target, *extra: str, capsys) -> tuple[int, str]:
    code = cli.main(["audit", "verify", "--db", str(target), *extra])
    out = capsys.readouterr().out
    return code, out


def row(target: Target, event_id: int) -> dict:
    with connected(target) as connection:
        found = connection.execute(text("SELECT * FROM audit_event WHERE id = :id"), {"id": event_id})
        return dict(found.mappings().one())


def contents(target: Target) -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""
    with connected(target) as connection:
        tables = inspect(connection).get_table_names()
        return {t: sorted(repr(tuple(r)) for r in connection.execute(text(f'SELECT * FROM "{t}"'))) for t in tables}


def forged_hash(values: dict) -> str:
    """What labreview would have written for these column values (a forger can compute this too)."""
    at = values["at"]  # text on SQLite, a timestamp on PostgreSQL
    at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    return ledger.event_hash(
        values["prev_hash"],
        values["id"],
        at,
        values["actor"],
        values["action"],
        values["summary"],
        values["changes"],
        values["undoes_id"],
    )


def insert(target: Target, values: dict) -> None:
    columns = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    sql(target, f"INSERT INTO audit_event ({columns}) VALUES ({marks})", **values)


# ----------------------------------------------------------------------------- the tampering cases


def edit_summary(db: Target, n: int) -> int:
    sql(db, "UPDATE audit_event SET summary = summary || ' (approved by the board)' WHERE id = 5")
    return 5


def edit_changes(db: Target, n: int) -> int:
    sql(db, "UPDATE audit_event SET changes = replace(changes, 'innovation-lead', 'privacy-partner') WHERE id = 3")
    assert "privacy-partner" in row(db, 3)["changes"]
    return 3


def edit_actor_and_time(db: Target, n: int) -> int:
    sql(db, f"UPDATE audit_event SET actor = 'Somebody Else', at = '2020-01-01 00:00:00.000000' WHERE id = {n - 2}")
    return n - 2


def edit_and_rehash_the_record(db: Target, n: int) -> int:
    values = row(db, 6)
    values["summary"] = "Nothing happened here"
    values["hash"] = forged_hash(values)
    sql(db, "UPDATE audit_event SET summary = :summary, hash = :hash WHERE id = 6", **values)
    return 7  # record 6 is self-consistent now; record 7 no longer follows it


def delete_in_the_middle(db: Target, n: int) -> int:
    sql(db, "DELETE FROM audit_event WHERE id = 9")
    return 9


def delete_several_in_the_middle(db: Target, n: int) -> int:
    sql(db, "DELETE FROM audit_event WHERE id BETWEEN 4 AND 8")
    return 4


def delete_the_first(db: Target, n: int) -> int:
    sql(db, "DELETE FROM audit_event WHERE id = 1")
    return 1


def swap_contents(db: Target, n: int) -> int:
    a, b = row(db, 3), row(db, 4)
    for target, source in ((3, b), (4, a)):
        sql(
            db,
            "UPDATE audit_event SET at = :at, actor = :actor, action = :action, summary = :summary, "
            f"changes = :changes, undoes_id = :undoes_id, prev_hash = :prev_hash, hash = :hash WHERE id = {target}",
            **source,
        )
    return 3


def swap_ids(db: Target, n: int) -> int:
    sql(
        db,
        "UPDATE audit_event SET id = -1 WHERE id = 10",
        "UPDATE audit_event SET id = 10 WHERE id = 11",
        "UPDATE audit_event SET id = 11 WHERE id = -1",
    )
    return 10


def move_to_the_end(db: Target, n: int) -> int:
    sql(db, f"UPDATE audit_event SET id = {n + 1} WHERE id = 2")
    return 2


def insert_forged_in_the_middle(db: Target, n: int) -> int:
    # make room at 8 by shifting the later records up by one, as a forger would
    sql(db, *(f"UPDATE audit_event SET id = {event_id + 1} WHERE id = {event_id}" for event_id in range(n, 7, -1)))
    forged = row(db, 7) | {"id": 8, "summary": "Pat Privacy approved Level 3 access for LAB-2", "undoes_id": None}
    forged["prev_hash"] = row(db, 7)["hash"]
    forged["hash"] = forged_hash(forged)
    insert(db, forged)
    return 9  # the forged record itself chains correctly; the one after it does not


def append_forged_at_the_end(db: Target, n: int) -> int:
    last = row(db, n)
    forged = last | {
        "id": n + 1,
        "summary": "Sue Security approved Level 3 access for LAB-2",
        "prev_hash": last["hash"],
    }
    forged["hash"] = forged_hash(forged)
    insert(db, forged)
    return n + 1


def truncate_the_tail(db: Target, n: int) -> int:
    sql(db, f"DELETE FROM audit_event WHERE id > {n - 3}")
    return n - 2


def truncate_to_nothing(db: Target, n: int) -> int | None:
    sql(db, "DELETE FROM audit_event")
    return 1


def delete_the_head(db: Target, n: int) -> int | None:
    sql(db, "DELETE FROM audit_head")
    return None


def drop_the_head_table(db: Target, n: int) -> int | None:
    sql(db, f"DELETE FROM audit_event WHERE id > {n - 2}", "DROP TABLE audit_head")
    return None


def empty_hash(db: Target, n: int) -> int:
    sql(db, "UPDATE audit_event SET hash = '' WHERE id = 12")
    return 12


CASES: list[Callable[[Target, int], int | None]] = [
    edit_summary,
    edit_changes,
    edit_actor_and_time,
    edit_and_rehash_the_record,
    delete_in_the_middle,
    delete_several_in_the_middle,
    delete_the_first,
    swap_contents,
    swap_ids,
    move_to_the_end,
    insert_forged_in_the_middle,
    append_forged_at_the_end,
    truncate_the_tail,
    truncate_to_nothing,
    delete_the_head,
    drop_the_head_table,
    empty_hash,
]
"""Every way of tampering tried here; the note of issue 6 counts them."""


def test_an_untouched_log_verifies(log, capsys):
    file = log if isinstance(log, Path) else None  # on SQLite its bytes too must stay as they were
    before = file.read_bytes() if file else b""
    rows = contents(log)
    code, out = verify(log, capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"ok: {count(log)} audit records, chain intact"
    assert lines[1].startswith("head: ") and len(lines[1]) == len("head: ") + 64
    assert contents(log) == rows, "verifying must not write to the database"
    if file:
        assert file.read_bytes() == before, "verifying must not write to the database file"


@pytest.mark.parametrize("tamper", CASES, ids=lambda f: f.__name__)
def test_tampering_is_found_at_the_first_broken_record(log, tamper, capsys):
    n = count(log)
    first_broken = tamper(log, n)
    code, out = verify(log, capsys=capsys)
    assert code == 1, out
    if first_broken is None:
        assert out.startswith("broken: ")
    else:
        assert out.startswith(f"broken at audit record {first_broken}: "), out
    assert "Traceback" not in out


def unapply(db: Target, event_id: int) -> None:
    """Put the tables back as they were before record ``event_id`` (what a thorough forger does after a cut)."""
    changes = json.loads(row(db, event_id)["changes"])
    with connected(db) as connection:

        def stored(value):
            if connection.dialect.name != "sqlite":
                return value  # PostgreSQL reads the recorded ISO text (with its +00:00) into its timestamp columns
            if isinstance(value, str) and "T" in value and value.endswith("+00:00"):
                try:  # a recorded datetime, in the form SQLAlchemy stores it in SQLite
                    return dt.datetime.fromisoformat(value).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
                except ValueError:
                    return value
            return value

        def run(statement: str, values: list) -> None:
            connection.execute(text(statement), {f"v{i}": value for i, value in enumerate(values)})

        for change in reversed(changes):
            keys = list(change["key"].values())
            if change["op"] == "insert":
                where = " AND ".join(f"{k} = :v{i}" for i, k in enumerate(change["key"]))
                run(f"DELETE FROM {change['table']} WHERE {where}", keys)
            elif change["op"] == "delete":
                before = change["before"]
                columns, marks = ", ".join(before), ", ".join(f":v{i}" for i in range(len(before)))
                run(f"INSERT INTO {change['table']} ({columns}) VALUES ({marks})", [stored(v) for v in before.values()])
            else:
                before = change["before"]
                sets = ", ".join(f"{k} = :v{i}" for i, k in enumerate(before))
                where = " AND ".join(f"{k} = :v{len(before) + i}" for i, k in enumerate(change["key"]))
                run(f"UPDATE {change['table']} SET {sets} WHERE {where}", [stored(v) for v in before.values()] + keys)


def test_a_cut_with_the_head_rewritten_is_caught_by_replaying_the_log(log, capsys):
    """The two statements of issue 13: delete the newest records, copy the previous hash into the head. The rows
    those records changed still show their changes, which the shortened log no longer explains."""
    n = count(log)
    last = row(log, n - 2)
    sql(
        log,
        f"DELETE FROM audit_event WHERE id > {n - 2}",
        "UPDATE audit_head SET event_id = :event_id, records = :records, hash = :hash",
        event_id=n - 2,
        records=n - 2,
        hash=last["hash"],
    )
    code, out = verify(log, capsys=capsys)
    assert code == 1, out
    assert out.startswith("broken: the initiative row with id 1 (LAB-1) has score_data_risk = None"), out
    assert "but its audit history says" in out


def test_a_complete_forgery_is_only_caught_by_a_hash_kept_elsewhere(log, capsys):
    """Somebody who deletes the newest records, puts back what they changed and rewrites the head to match
    defeats the file's own checks."""
    code, out = verify(log, capsys=capsys)
    kept = out.splitlines()[1].removeprefix("head: ")  # e.g. printed into the minutes of the meeting
    n = count(log)
    last = row(log, n - 2)
    unapply(log, n)
    unapply(log, n - 1)
    sql(
        log,
        f"DELETE FROM audit_event WHERE id > {n - 2}",
        "UPDATE audit_head SET event_id = :event_id, records = :records, hash = :hash",
        event_id=n - 2,
        records=n - 2,
        hash=last["hash"],
    )
    code, out = verify(log, capsys=capsys)
    assert code == 0, "this forgery is consistent: the file alone cannot tell"
    code, out = verify(log, "--anchor", kept, capsys=capsys)
    assert code == 1 and out.startswith(f"broken: no record has the hash {kept}")
    assert verify(log, "--anchor", row(log, 3)["hash"], capsys=capsys)[0] == 0


def test_every_record_written_through_the_service_moves_the_head(portfolio):
    with portfolio.engine.connect() as connection:
        head = connection.exec_driver_sql("SELECT event_id, records, hash FROM audit_head").one()
        last = connection.exec_driver_sql("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").one()
    assert (head.event_id, head.records, head.hash) == (last.id, last.id, last.hash)
    portfolio.add_person("Nia New")
    portfolio.undo()
    assert portfolio.verify_audit().ok
    assert portfolio.verify_audit().checked == last.id + 2


def test_the_command_line_answers_in_a_separate_process(log, tmp_path):
    environment = {**os.environ, "LABREVIEW_CONFIG": str(tmp_path / "none.toml")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "labreview", "audit", "verify", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,
        )

    ok = run("--db", str(log))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ") and not ok.stderr
    delete_in_the_middle(log, count(log))
    broken = run("--db", str(log))
    assert broken.returncode == 1 and broken.stdout.startswith("broken at audit record 9: record 9 is missing")
    missing = run("--db", str(tmp_path / "nothing.db"))
    assert missing.returncode == 2 and missing.stderr.startswith("labreview: No database at")
    assert "Traceback" not in broken.stderr + missing.stderr


@pytest.mark.sqlite_only  # damages the bytes of the SQLite file
def test_a_damaged_file_is_an_error_not_a_verdict(log, tmp_path, capsys):
    data = bytearray(log.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    assert cli.main(["audit", "verify", "--db", str(damaged)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("labreview: ") and len(err.strip().splitlines()) == 1
    (tmp_path / "cut.db").write_bytes(log.read_bytes()[:5000])
    assert cli.main(["audit", "verify", "--db", str(tmp_path / "cut.db")]) == 2


def test_an_older_schema_is_verified_without_being_upgraded(tmp_path, capsys):
    copy = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "schema-0001.db", copy)
    before = copy.read_bytes()
    code, out = verify(copy, capsys=capsys)
    assert code == 0 and out.startswith("ok: 1898 audit records, chain intact")
    assert "older schema without a head record" in out
    assert copy.read_bytes() == before
    assert not list(tmp_path.glob("*.bak"))

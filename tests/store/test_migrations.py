"""Every schema revision has a fixture database with real data, and each one upgrades to the current schema
with its data intact, after a backup copy of the old file has been written beside it.

The fixtures are made by ``tests/fixtures/make_schema_fixture.py`` with the code of
their own revision (see ``tests/fixtures/README.md``). A new revision in
``labreview.store.schema.REVISIONS`` makes ``test_every_schema_revision_has_a_fixture``
fail until its fixture is committed.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from labreview.domain.errors import StorageError
from labreview.portfolio import Portfolio
from labreview.store import database, schema
from labreview.store.database import State, prepare, probe
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"

KEY_VALUES = {
    "initiatives": "SELECT key, title, stage, track, owner_id, quarterly_cost, current_gate, access_tier, version "
    "FROM initiative ORDER BY key",
    "scores": "SELECT session_id, initiative_id, reviewer_id, criterion, value FROM score ORDER BY id",
    "decisions": "SELECT session_id, initiative_id, outcome, stage_before, stage_after, rationale FROM decision "
    "ORDER BY id",
    "signatures": "SELECT request_id, person_id, capacity, approve, conditions FROM access_signature ORDER BY id",
    "checks": "SELECT initiative_id, item_id, state, reason FROM gate_check ORDER BY initiative_id, item_id",
    "audit": "SELECT id, actor, summary, prev_hash, hash FROM audit_event ORDER BY id",
    "session": "SELECT quarter, status, current_item_id FROM review_session ORDER BY quarter",
}
"""What a person would miss first if an upgrade lost it."""


def fixture_for(revision: str) -> Path:
    return FIXTURES / f"schema-{revision}.db"


def read(path: Path) -> tuple[dict[str, int], dict[str, list[tuple]]]:
    connection = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        values = {name: connection.execute(query).fetchall() for name, query in KEY_VALUES.items()}
        return counts, values
    finally:
        connection.close()


def test_every_schema_revision_has_a_fixture():
    missing = [revision for revision in schema.REVISIONS if not fixture_for(revision).is_file()]
    assert not missing, (
        f"no fixture database for schema revision(s) {', '.join(missing)}: "
        "make one as tests/fixtures/README.md says and commit it"
    )


def test_no_fixture_is_left_without_its_revision():
    known = {fixture_for(revision).name for revision in schema.REVISIONS}
    assert {p.name for p in FIXTURES.glob("schema-*.db")} <= known


@pytest.mark.parametrize("revision", schema.REVISIONS)
def test_fixture_upgrades_with_its_data_intact(revision, tmp_path):
    source = fixture_for(revision)
    if not source.is_file():
        pytest.fail(f"no fixture for schema revision {revision} (see test_every_schema_revision_has_a_fixture)")
    copy = tmp_path / "portfolio.db"
    shutil.copyfile(source, copy)
    assert probe(copy).revision == revision, "the fixture must be of the revision its name says"
    counts, values = read(copy)
    assert counts["initiative"] >= 30 and counts["score"] > 0 and counts["decision"] > 0 and counts["audit_event"] > 0

    found = prepare(copy)

    assert found.state is (State.CURRENT if revision == schema.HEAD else State.OLDER)
    backups = sorted(tmp_path.glob("portfolio.db.*.bak"))
    if revision == schema.HEAD:
        assert backups == []
    else:
        assert len(backups) == 1 and backups[0].name.startswith(f"portfolio.db.{revision}-")
        assert probe(backups[0]).revision == revision, "the backup must be the file as it was, before the upgrade"
        assert read(backups[0]) == (counts, values)
    assert probe(copy).state is State.CURRENT
    counts_after, values_after = read(copy)
    assert {t: counts_after[t] for t in counts} == counts, "an upgrade must keep every row of every table"
    assert values_after == values

    portfolio = Portfolio.open(copy, actor="Migration test")
    try:
        verdict = portfolio.verify_audit()
        assert verdict.ok and verdict.checked == counts["audit_event"], verdict.message
        portfolio.add_person("Nina After-Upgrade")  # the upgraded file takes new records, chained to the old ones
        portfolio.undo()
        assert portfolio.verify_audit().ok
        assert portfolio.active_session().quarter == "2026-Q4"
    finally:
        portfolio.close()


def test_the_backup_is_written_before_the_upgrade_touches_the_file(tmp_path, monkeypatch):
    old = schema.REVISIONS[0]
    if old == schema.HEAD:
        pytest.skip("only one schema revision: nothing is ever upgraded")
    copy = tmp_path / "portfolio.db"
    shutil.copyfile(fixture_for(old), copy)
    before = read(copy)

    def broken_upgrade(target):
        raise RuntimeError("disk unplugged halfway")

    monkeypatch.setattr(database, "upgrade", broken_upgrade)
    with pytest.raises(StorageError, match="Cannot set up the database"):
        prepare(copy)
    (backup,) = tmp_path.glob("portfolio.db.*.bak")
    assert probe(backup).revision == old and read(backup) == before
    assert probe(copy).revision == old and read(copy) == before


def test_an_older_file_opened_read_only_is_refused_not_upgraded(tmp_path):
    old = schema.REVISIONS[0]
    if old == schema.HEAD:
        pytest.skip("only one schema revision")
    copy = tmp_path / "portfolio.db"
    shutil.copyfile(fixture_for(old), copy)
    data = copy.read_bytes()
    with pytest.raises(StorageError, match=r"older schema .* needs write access"):
        Portfolio.open(copy, read_only=True)
    assert copy.read_bytes() == data and not list(tmp_path.glob("*.bak"))

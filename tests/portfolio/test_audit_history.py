"""The audit log read back a page at a time, for the whole portfolio or one initiative, and record by record."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from labreview.domain.errors import NotFound
from labreview.portfolio import Portfolio
from labreview.portfolio.audit import PAGE
from tests.hostile import EXTRAS

Q = "2026-Q4"


@pytest.fixture
def sample(sample_target, clock):
    p = Portfolio.open(sample_target, actor="Kim Novak", clock=clock)
    yield p
    p.close()


def test_pages_follow_each_other_newest_first_without_gaps_or_overlaps(sample):
    total = sample.audit_total()
    assert total > 1000
    seen: list[int] = []
    before = None
    while True:
        page = sample.audit_page(before=before, limit=PAGE)
        if not page:
            break
        assert len(page) <= PAGE
        seen.extend(e.id for e in page)
        before = page[-1].id
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == total
    assert [e.id for e in sample.audit_log(3)] == seen[:3]
    assert [e.id for e in sample.audit_page(before=seen[10], limit=5)] == seen[11:16]
    assert len(sample.audit_page(limit=10_000)) == PAGE  # a page is bounded


def test_entries_by_id_keep_the_order_given_and_leave_out_unknown_ids(sample):
    assert [e.id for e in sample.audit_entries([5, 3, 999_999, 4])] == [5, 3, 4]
    assert sample.audit_entries([]) == []


def test_the_history_of_an_initiative_is_what_touched_its_rows(sample):
    ids = sample.audit_ids_of("EXP-104")
    assert ids == sorted(ids, reverse=True) and ids
    entries = sample.audit_entries(ids[:PAGE])
    assert any(e.action == "create initiative" for e in entries)
    assert all("EXP-104" in e.summary for e in entries if e.action != "set gate check"), [e.summary for e in entries]
    shared = set(sample.audit_ids_of("EXP-105")) & set(ids)
    assert all("EXP-105" in e.summary for e in sample.audit_entries(sorted(shared)))
    with pytest.raises(NotFound):
        sample.audit_ids_of("NOPE-1")


def test_an_update_naming_its_row_by_id_alone_counts_for_the_initiative_and_ids_do_not_collide(portfolio):
    p = portfolio
    p.start_session(Q)
    for n in range(3, 13):  # initiative ids up to 12: "1" is a prefix of 10, 11 and 12
        p.create_initiative(f"LAB-{n}", f"Filler {n}", category="efficiency", owner="Oscar Owner", quarterly_cost=1)
    p.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 3)
    p.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 4)  # an update: the score row by its id
    p.record_score(Q, "LAB-12", "Dana Sponsor", "outcome-impact", 2)
    p.update_initiative("LAB-12", title="Renamed twelve")
    lab1, lab12 = p.audit_ids_of("LAB-1"), p.audit_ids_of("LAB-12")
    summaries = {e.id: e.summary for e in p.audit_entries(lab1)}
    rescored = p.audit_log(4)[2]
    assert rescored.id in lab1 and rescored.id not in lab12
    update = next(c for c in p.audit_record(rescored.id).changes if c.table == "score")
    assert update.op == "update" and "initiative_id" not in {c for c, _b, _a in update.values}
    assert not set(lab1) & set(lab12)
    assert all("LAB-12" not in s for s in summaries.values())
    assert len(p.audit_ids_of("LAB-12")) == 3  # created, scored, renamed
    # the index is extended with what came after, not read again
    p.record_score(Q, "LAB-12", "Dana Sponsor", "outcome-impact", 5)
    assert len(p.audit_ids_of("LAB-12")) == 4 and p.audit_ids_of("LAB-1") == lab1


def test_a_record_in_full_and_its_undo(portfolio):
    p = portfolio
    p.update_initiative("LAB-2", title="[bold]Subject[/] lines\x1b[2J")
    changed = p.audit_log(1)[0]
    p.undo()
    undo = p.audit_log(1)[0]
    assert p.audit_page(limit=2)[1].undone and not undo.undone
    record = p.audit_record(changed.id)
    assert record.undone_by == undo.id and record.entry.undone
    (change,) = [c for c in record.changes if c.table == "initiative"]
    title = next(v for v in change.values if v[0] == "title")
    assert title == ("title", "Subject lines", "[bold]Subject[/] lines\x1b[2J")  # as stored: the UI escapes
    assert p.audit_record(undo.id).undoes_id == changed.id
    assert changed.id in p.audit_ids_of("LAB-2") and undo.id in p.audit_ids_of("LAB-2")
    with pytest.raises(NotFound):
        p.audit_record(999_999)


def test_hostile_summaries_come_back_as_stored(portfolio):
    p = portfolio
    for n, hostile in enumerate(s for s in EXTRAS if "\x00" not in s and "\ud83d" not in s and len(s) < 200):
        p.update_initiative("LAB-1", title=f"{hostile} {n}".strip()[:200])
        record = p.audit_record(p.audit_log(1)[0].id)
        title = next(v for c in record.changes for v in c.values if v[0] == "title")
        assert title[2] == p.initiative("LAB-1").title


def test_a_record_whose_changes_were_edited_into_nonsense_is_said_not_read(portfolio):
    p = portfolio
    newest = p.audit_log(1)[0].id
    with p.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET changes = :c WHERE id = :i"), {"c": "{not json", "i": newest})
        connection.execute(
            text("UPDATE audit_event SET changes = :c WHERE id = :i"), {"c": json.dumps([1, "x"]), "i": newest - 1}
        )
    assert p.audit_record(newest).problem and p.audit_record(newest).changes == ()
    assert p.audit_record(newest - 1).problem
    assert p.audit_ids_of("LAB-1")  # the index reads past them

"""The ``Backlog`` object: the same views from SQL and from the memory index, and the index kept current after
every kind of change, its own (from what it recorded, no audit JSON read) and another process's (from the log)."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import replace

import pytest

from labreview.domain.backlog_query import Order
from labreview.portfolio import Portfolio, ledger, parse_filter
from labreview.portfolio.backlog import Backlog
from labreview.portfolio.importing.records import ImportRecord

FILTERS = ["", "stage:lab", "owner:kim", "tier:none", "gate:2", "category:cap,perf", "decision:kill",
           "predictive", "stage:trans owner:r", "xyz-nothing", "agenda:yes", "overlap:yes",
           "overlaps:yes stage:factory seg"]  # fmt: skip
COLUMNS = ["key", "title", "stage", "category", "owner", "cost", "track", "gate", "tier", "score", "spread", "decision"]
CHECKED = ["", "stage:lab", "owner:kim", "pilot", "agenda:yes", "stage:retired", "overlap:yes"]
"""Filters compared after each change (every column, both directions, grouped or not)."""


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from tests.conftest import SAMPLE

    path = tmp_path_factory.mktemp("backlog") / "sample.db"
    shutil.copyfile(SAMPLE, path)
    portfolio = Portfolio.open(path, actor="t", weights={"outcome-impact": 2})
    yield portfolio
    portfolio.close()


def query(portfolio, text):
    """``text`` as the backlog screen asks for it: filters naming the session, and the agenda's keys."""
    session = portfolio.active_session()
    filters = replace(parse_filter(text), agenda_session=session.id if session else None)
    return filters, {e.key for e in session.agenda} if session else set()


def shown(view):
    """Everything a view shows: how many match of how many, the groups, every row in order."""
    return view.length, view.total, list(view.groups), view.fetch(0, view.length + 1)


def assert_same_as_sql(backlog: Backlog, texts=CHECKED, columns=COLUMNS):
    assert backlog.in_memory
    fresh = Backlog(backlog.portfolio)  # not loaded: served by SQL
    for text in texts:
        filters, agenda = query(backlog.portfolio, text)
        for column, descending, grouped in itertools.product(columns, (False, True), (False, True)):
            order = Order(column, descending, grouped)
            assert shown(backlog.view(filters, order, agenda)) == shown(fresh.view(filters, order, agenda)), (
                text, column, descending, grouped,
            )  # fmt: skip


@pytest.fixture
def no_json(monkeypatch):
    """The audit log's JSON must not be read back (the backlog's own changes are known without it)."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the backlog read the audit log's JSON for a change of its own")

    monkeypatch.setattr(ledger, "loads", refuse)


@pytest.mark.parametrize("text", FILTERS)
def test_the_sql_view_and_the_index_view_agree(sample, text):
    by_sql, by_index = Backlog(sample), Backlog(sample)
    by_index.load()
    assert not by_sql.in_memory and by_index.in_memory
    filters, agenda = query(sample, text)
    for column, descending, grouped in itertools.product(COLUMNS, (False, True), (False, True)):
        order = Order(column, descending, grouped)
        sql, index = by_sql.view(filters, order, agenda), by_index.view(filters, order, agenda)
        assert shown(index) == shown(sql), (text, column, descending, grouped)
        assert index.fetch(1, 2) == sql.fetch(1, 2)  # by range, not only from the top
        for place, row in enumerate(index.fetch(0, index.length)):
            assert index.locate(row.key) == place
        assert sql.locate("EXP-101") is None  # SQL does not locate: the screen looks in its first block


def test_locate_a_key_not_shown_or_not_there(sample):
    backlog = Backlog(sample)
    backlog.load()
    filters, agenda = query(sample, "stage:lab")
    view = backlog.view(filters, Order("key"), agenda)
    retired = backlog.view(query(sample, "stage:retired")[0], Order("key"), agenda).fetch(0, 1)[0].key
    assert view.locate(retired) is None and view.locate("NOPE-1") is None


@pytest.fixture
def meeting(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="t", clock=clock)
    p.start_session("2026-Q4")
    backlog = Backlog(p)
    backlog.load()
    yield p, backlog
    p.close()


def test_after_a_score_the_index_serves_what_sql_does(meeting, no_json):
    p, backlog = meeting
    p.record_score("2026-Q4", "EXP-104", "Kim Novak", "outcome-impact", 5)
    p.record_score("2026-Q4", "EXP-104", "Kim Novak", "data-risk", 1)
    backlog.refresh()
    assert_same_as_sql(backlog)


def test_after_a_decision_the_index_serves_what_sql_does(meeting, no_json):
    p, backlog = meeting
    p.record_decision("2026-Q4", "EXP-105", "kill", rationale="no signal")
    backlog.refresh()
    assert_same_as_sql(backlog)


def test_after_a_field_edit_and_a_creation_the_index_serves_what_sql_does(meeting, no_json):
    p, backlog = meeting
    p.update_initiative("EXP-101", title="Zebra: subject lines")
    p.create_initiative("AAA-001", "A new pilot", category="capability", owner="Kim Novak")
    backlog.refresh()
    assert not backlog.index.key_ordered
    assert_same_as_sql(backlog)
    filters, agenda = query(p, "zebra")
    assert [r.key for r in backlog.view(filters, Order("key"), agenda).fetch(0, 5)] == ["EXP-101"]


def test_after_an_import_the_index_serves_what_sql_does(meeting, no_json):
    p, backlog = meeting
    p.import_initiatives(
        [
            ImportRecord(2, "EXP-102", {"title": "Aardvark first"}),
            ImportRecord(3, "NEW-001", {"title": "Imported pilot", "category": "capability", "owner": "Kim Novak"}),
        ],
        source="a test",
    )
    backlog.refresh()
    assert_same_as_sql(backlog)


def test_after_a_bulk_import_the_index_is_loaded_again(meeting, monkeypatch, no_json):
    from labreview.portfolio.importing import write

    monkeypatch.setattr(write, "FULL_AUDIT_LIMIT", 1)  # recorded as one "bulk" change, not row by row
    p, backlog = meeting
    before = backlog.index
    p.import_initiatives(
        [ImportRecord(2 + n, f"BLK-{n:03d}", {"title": f"Bulk {n}", "category": "capability", "owner": "Kim Novak"})
         for n in range(5)],
        source="a test",
    )  # fmt: skip
    backlog.refresh()
    assert backlog.index is not before
    assert_same_as_sql(backlog)


def test_after_undo_the_index_serves_what_sql_does(meeting, no_json):
    p, backlog = meeting
    p.create_initiative("AAA-001", "A new pilot", category="capability", owner="Kim Novak")
    p.record_score("2026-Q4", "EXP-104", "Kim Novak", "outcome-impact", 5)
    backlog.refresh()
    p.undo()  # the score
    p.undo()  # the creation
    backlog.refresh()
    assert_same_as_sql(backlog)
    assert backlog.index.id_of("AAA-001") is None and len(backlog.index) == 40


def test_a_change_made_by_another_process_is_read_from_the_audit_log(meeting, clock, monkeypatch):
    p, backlog = meeting
    other = Portfolio.open(p.engine.url.database, actor="u", clock=clock)  # another app on the same file
    try:
        other.update_initiative("EXP-103", title="Aaa: renamed elsewhere")
        other.record_score("2026-Q4", "EXP-106", "Kim Novak", "outcome-impact", 1)
        p.record_decision("2026-Q4", "EXP-105", "kill", rationale="no signal")  # one of its own between
        other.record_decision("2026-Q4", "EXP-108", "hold", rationale="wait a quarter")
    finally:
        other.close()
    read = []
    monkeypatch.setattr(ledger, "loads", lambda text: read.append(text) or json.loads(text))
    backlog.refresh()
    assert len(read) == 3  # the other app's three actions, not this one's
    assert_same_as_sql(backlog)
    filters, agenda = query(p, "renamed elsewhere")
    assert [r.key for r in backlog.view(filters, Order("title"), agenda).fetch(0, 5)] == ["EXP-103"]


def test_the_sql_total_is_counted_again_after_a_change(meeting):
    p, _ = meeting
    backlog = Backlog(p)  # never loaded
    filters, agenda = query(p, "stage:lab")
    assert backlog.view(filters, Order("key"), agenda).total == 40
    p.create_initiative("AAA-001", "A new pilot", category="capability", owner="Kim Novak")
    view = backlog.view(filters, Order("key"), agenda)
    assert view.total == 41 and "AAA-001" in [r.key for r in view.fetch(0, view.length)]


def test_a_storage_error_while_refreshing_hands_the_backlog_back_to_sql(meeting, monkeypatch):
    from labreview.domain.errors import StorageError

    p, backlog = meeting

    def broken(_index):
        raise StorageError("The disk reported an input/output error.")

    monkeypatch.setattr(p, "backlog_memory_refresh", broken)
    backlog.refresh()
    assert not backlog.in_memory
    filters, agenda = query(p, "")
    assert backlog.view(filters, Order("key"), agenda).length == 40


def test_new_weights_reorder_the_index_by_score_as_sql_does(meeting, no_json):
    from labreview.portfolio.changelog import WEIGHTS
    from labreview.portfolio.unit import WEIGHTS_SETTING

    assert WEIGHTS == WEIGHTS_SETTING
    p, backlog = meeting
    before = backlog.index
    p.set_weights("outcome-impact=5 data-risk=0.1")
    backlog.refresh()
    assert backlog.index is not before  # every weighted score changed: loaded again
    assert_same_as_sql(backlog, texts=["", "stage:lab"], columns=["score"])

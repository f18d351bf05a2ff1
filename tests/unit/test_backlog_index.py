"""The in-memory backlog index gives exactly the rows and order of the SQL path, for every filter and sort."""

import itertools

import pytest

from labreview.portfolio import Portfolio, parse_filter
from labreview.store.filters import Order

FILTERS = [
    "",
    "stage:lab",
    "owner:kim",
    "tier:3",
    "tier:none",
    "gate:2",
    "category:cap,perf",
    "decision:kill",
    "predictive",
    "stage:trans owner:r",
    "track:iterate ai",
    "gate:done",
    "xyz-nothing",
    "agenda:yes",
]
COLUMNS = ["key", "title", "stage", "category", "owner", "cost", "track", "gate", "tier", "score", "spread", "decision"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    import shutil

    from tests.conftest import SAMPLE

    path = tmp_path_factory.mktemp("index") / "sample.db"
    shutil.copyfile(SAMPLE, path)
    portfolio = Portfolio.open(path, actor="t", weights={"outcome-impact": 2})
    yield portfolio
    portfolio.close()


@pytest.mark.parametrize("text", FILTERS)
def test_same_rows_and_order_as_sql(sample, text):
    session = sample.active_session()
    index = sample.backlog_memory_index()
    agenda = {e.key for e in session.agenda}
    filters = parse_filter(text)
    for column, descending, grouped in itertools.product(COLUMNS, (False, True), (False, True)):
        order = Order(column, descending, grouped)
        sql_filters = filters.__class__(**{**filters.__dict__, "agenda_session": session.id})
        expected = sample.backlog_index(sql_filters, order)
        assert list(index.select(filters, order, agenda)) == expected, (text, column, descending, grouped)


def test_stage_counts(sample):
    index = sample.backlog_memory_index()
    ids = index.select(parse_filter("stage:lab,retired"), Order("key"))
    counts = index.stage_counts(ids)
    assert sum(counts.values()) == len(ids) and counts[next(iter(counts))] >= 0
    assert {s.value for s, n in counts.items() if n} == {"lab", "retired"}


def test_refresh_patches_what_the_audit_log_says_changed(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="t", clock=clock)
    index = p.backlog_memory_index()
    p.start_session("2026-Q4")
    p.record_score("2026-Q4", "EXP-104", "Kim Novak", "outcome-impact", 5)
    p.record_decision("2026-Q4", "EXP-105", "kill", rationale="no signal")
    p.update_initiative("EXP-101", title="Zebra: subject lines")
    p.create_initiative("AAA-001", "A new pilot", category="capability", owner="Kim Novak")
    refreshed = p.backlog_memory_refresh(index)
    assert refreshed is index and not index.key_ordered
    for text in ("", "stage:retired", "owner:kim", "pilot"):
        for column in ("key", "score", "stage", "title"):
            for descending in (False, True):
                order = Order(column, descending)
                assert list(index.select(parse_filter(text), order)) == p.backlog_index(parse_filter(text), order)
    p.undo()  # the creation goes away again
    index = p.backlog_memory_refresh(index)
    assert "AAA-001" not in [index.keys[i] for i in range(len(index.keys)) if index.alive[i]]
    assert list(index.select(parse_filter(""), Order("key"))) == p.backlog_index(parse_filter(""), Order("key"))
    assert len(index) == 40
    p.close()

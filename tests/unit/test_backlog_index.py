"""The in-memory backlog index gives exactly the rows and order of the SQL path, for every filter and sort."""

import itertools

import pytest

from labreview.portfolio import Portfolio, parse_filter
from labreview.store.filters import Order

FILTERS = ["", "stage:lab", "owner:kim", "tier:3", "tier:none", "gate:2", "category:cap,perf", "decision:kill",
           "predictive", "stage:trans owner:r", "track:iterate ai", "gate:done", "xyz-nothing", "agenda:yes"]
COLUMNS = ["key", "title", "stage", "category", "owner", "cost", "track", "gate", "tier", "score", "spread",
           "decision"]


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
        assert index.select(filters, order, agenda) == expected, (text, column, descending, grouped)


def test_stage_counts(sample):
    index = sample.backlog_memory_index()
    ids = index.select(parse_filter("stage:lab,retired"), Order("key"))
    counts = index.stage_counts(ids)
    assert sum(counts.values()) == len(ids) and counts[next(iter(counts))] >= 0
    assert {s.value for s, n in counts.items() if n} == {"lab", "retired"}

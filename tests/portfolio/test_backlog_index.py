"""The in-memory backlog index gives exactly the rows and order of the SQL path, for every filter and sort."""

import itertools

import pytest

from labreview.domain.backlog_query import Order
from labreview.portfolio import Portfolio, parse_filter

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


def _synthetic_index(quarters):
    """An index over made-up rows, one per quarter given (None: no decision yet), in key order."""
    from labreview.portfolio.backlog_index import BacklogIndex

    rows, texts = [], []
    for n, quarter in enumerate(quarters):
        key = f"EXP-{n:03d}"
        rows.append(
            (n + 1, key, "t", "lab", "capability", "iterate", "Kim", 100, None, None,
             None, None, None, None, None, None, "kill" if quarter else None, quarter)
        )  # fmt: skip
        texts.append(f"{key.lower()} pilot g{n % 7}".encode())
    return BacklogIndex.build(rows, (b"\0".join(texts) + b"\0", [len(t) for t in texts]), {})


@pytest.mark.parametrize("descending", [False, True])
def test_sort_of_a_column_with_many_values_keeps_ties_in_key_order_and_missing_last(descending):
    quarters = [None if n % 5 == 0 else f"20{20 + n % 6}-Q{1 + n % 4}" for n in range(60)]  # 24 quarters
    index = _synthetic_index(quarters)
    keys = index.keys
    present = sorted((i for i, q in enumerate(quarters) if q), key=lambda i: (quarters[i], keys[i]), reverse=descending)
    missing = sorted((i for i, q in enumerate(quarters) if not q), key=keys.__getitem__, reverse=descending)
    expected = [index.ids[i] for i in present + missing]
    assert list(index.select(parse_filter(""), Order("decision", descending))) == expected
    assert list(index.select(parse_filter("pilot g3"), Order("decision", descending))) == [
        rid for rid in expected if (rid - 1) % 7 == 3
    ]
    assert index.id_of("EXP-007") == 8 and index.id_of("EXP-999") is None

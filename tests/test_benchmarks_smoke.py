"""The benchmark generator writes a consistent portfolio the app can open (a smoke test; nothing is timed)."""

from __future__ import annotations

import csv

from benchmarks import generate


def test_generated_portfolio_has_history_and_opens(tmp_path):
    path = tmp_path / "p200.db"
    generate.build(path, 200)  # also checks PRAGMA foreign_key_check

    counts = generate.table_counts(path)
    assert counts["initiative"] == counts["intake"] == 200
    assert counts["review_session"] == generate.CLOSED_SESSIONS + 1
    assert counts["decision"] > 0
    assert counts["score"] == counts["decision"] * 25  # 5 reviewers × 5 criteria per decided item
    assert counts["budget_line"] > 200
    assert counts["gate_template_item"] > 0

    from labreview.domain.backlog_query import Filters, Order
    from labreview.portfolio.service import Portfolio
    from labreview.store.database import State, probe

    assert probe(path).state is State.CURRENT
    portfolio = Portfolio.open(path, actor="test")
    try:
        session = portfolio.active_session()
        assert session is not None and session.quarter == "2026-Q4" and session.status.value == "planned"
        assert len(session.agenda) == generate.PLANNED_AGENDA
        assert len(portfolio.backlog_index(Filters(), Order("key"))) == 200
        assert portfolio.backlog_rows_by_id(portfolio.backlog_index(Filters(), Order("title"))[:3])
    finally:
        portfolio.close()


def test_minutes_variant_closes_the_last_session_with_its_decisions(tmp_path):
    path = tmp_path / "decided.db"
    generate.build(path, 300, decided=30)
    from labreview.portfolio.service import Portfolio

    portfolio = Portfolio.open(path, actor="test")
    try:
        assert portfolio.session("2026-Q4").status.value == "closed"
        assert len(portfolio.decisions("2026-Q4")) == 30
    finally:
        portfolio.close()


def test_import_csv_has_the_documented_columns(tmp_path):
    path = generate.csv_file(25, folder=tmp_path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == generate.CSV_COLUMNS
    assert len(rows) == 26 and len({r[0] for r in rows[1:]}) == 25

"""The batch reader behind the minutes gives what the service layer gives one record at a time.

``records.minutes_records`` reads a whole session in a handful of queries; the
minutes used to call ``score_sheet``, ``checklist``, ``access_requests``… per
decision. These tests hold the two to the same values, so that a rule changed
in the service layer cannot silently diverge from the minutes.
"""

from __future__ import annotations

import dataclasses

import pytest

from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio, minutes_data, records

QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


@pytest.fixture
def sample(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="Records test", clock=clock)
    yield p
    p.close()


@pytest.mark.parametrize("quarter", QUARTERS)
def test_the_batch_reader_matches_the_service_layer(sample, quarter):
    data = records.minutes_records(sample, quarter)
    session = sample.session(quarter)
    assert data.session == session
    assert data.name == sample.name and data.currency == sample.currency
    earlier = [s for s in sample.sessions() if s.quarter < quarter]
    assert data.previous_held_on == (earlier[-1].held_on if earlier else None)

    decisions = sample.decisions(quarter)
    assert [d.key for d in data.decisions] == [d.key for d in decisions]
    for mine, theirs in zip(data.decisions, decisions, strict=True):
        for name in (
            "title",
            "outcome",
            "stage_before",
            "stage_after",
            "track_before",
            "track_after",
            "rationale",
            "conditions",
            "next_review",
        ):
            assert getattr(mine, name) == getattr(theirs, name), name
        assert data.scores[mine.initiative_id] == sample.score_sheet(quarter, mine.key).summary
        assert data.gates[mine.initiative_id] == sample.checklist(mine.key).reports

    signed_requests = {request_id for request_id, _capacity in data.signed}
    assert data.signed == records.session_signatures(sample, quarter)
    decided = {d.key for d in decisions}
    assert [key for _id, key, _title in data.other_access] == [
        k for k in records.session_access_keys(sample, quarter) if k not in decided
    ]
    initiatives = {d.initiative_id: d.key for d in data.decisions} | {i: k for i, k, _t in data.other_access}
    assert set(data.requests) <= set(initiatives)
    for initiative_id, key in initiatives.items():
        expected = sorted((r for r in sample.access_requests(key) if r.id in signed_requests), key=lambda r: r.id)
        found = data.requests.get(initiative_id, ())
        assert [r.id for r in found] == [r.id for r in expected]
        for mine, theirs in zip(found, expected, strict=True):
            for name in ("tier", "data_description", "retention_days", "export_allowed", "expires_on", "signatures"):
                assert getattr(mine, name) == getattr(theirs, name), name

    items = sample.action_items()
    assert list(data.actions) == sorted((a for a in items if a.quarter == quarter), key=lambda a: (a.due, a.id))
    assert list(data.open_earlier) == sorted(
        (a for a in items if a.quarter < quarter and a.status == "open"), key=lambda a: (a.due, a.id)
    )
    assert data.budget == dataclasses.replace(sample.budget(quarter), history=())
    since, until = data.previous_held_on, session.held_on

    def for_this_session(change) -> bool:
        day = change.changed_at.date()
        return change.quarter == quarter or (
            change.quarter is None and (since is None or day > since) and (until is None or day <= until)
        )

    expected = [
        (key, c.field, c.before, c.after, c.reason, c.changed_at, c.changed_by)
        for key in sorted(sample.initiative_keys())
        for c in sample.criteria_changes(key=key)
        if for_this_session(c)
    ]
    found = [(c.key, c.field, c.before, c.after, c.reason, c.changed_at, c.changed_by) for c in data.criteria_changes]
    assert found == expected


def test_score_summaries_use_the_portfolio_weights(sample_copy):
    weighted = Portfolio.open(sample_copy, weights={Criterion.DATA_RISK: 3, Criterion.ECONOMIC_VALUE: 0})
    try:
        data = records.minutes_records(weighted, "2026-Q3")
        for decision in data.decisions:
            assert data.scores[decision.initiative_id] == weighted.score_sheet("2026-Q3", decision.key).summary
    finally:
        weighted.close()


def test_minutes_take_a_handful_of_statements_whatever_the_number_of_decisions(sample):
    statements: list[str] = []
    raw = sample.engine.raw_connection()
    try:
        connection = raw.driver_connection
        connection.set_trace_callback(statements.append)
        counts = {}
        for quarter in QUARTERS:
            statements.clear()
            minutes_data.read(connection, quarter, sample.weights)
            counts[quarter] = len(statements)
        connection.set_trace_callback(None)
    finally:
        raw.close()
    assert len({len(sample.decisions(q)) for q in QUARTERS}) > 1
    # 20 for the meeting's sections, 2 for the KPI table (the history it computes from, the quarter's readings)
    assert len(set(counts.values())) == 1 and counts["2026-Q3"] <= 22, counts
    assert any(s.startswith("BEGIN") for s in statements), "one read transaction: the minutes show one moment"


def test_the_command_line_reads_the_minutes_without_sqlalchemy(sample_copy, tmp_path):
    """``labreview minutes`` on a file reads it with sqlite3: SQLAlchemy's import alone took longer than the target."""
    import subprocess
    import sys

    code = (
        "import sys; from labreview.cli import main; "
        f"code = main(['minutes', '2026-Q3', '--db', {str(sample_copy)!r}, '-o', {str(tmp_path / 'm.md')!r}]); "
        "assert code == 0, code; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic')); "
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("[]"), done.stdout + done.stderr
    assert (tmp_path / "m.md").read_text(encoding="utf-8").startswith("# Minutes of the 2026-Q3 portfolio review")

"""The audit area: every action recorded, refusals writing nothing, undo."""

import pytest
from sqlalchemy import select

from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import CheckState, Stage
from labreview.store.models import AuditEvent
from tests.portfolio.conftest import Q, audit_count


def test_refusals_write_nothing(portfolio):
    before = audit_count(portfolio)
    for attempt in (
        lambda: portfolio.record_decision(Q, "LAB-1", "iterate", rationale="x"),  # session not started
        lambda: portfolio.create_initiative("LAB-1", "dup", category="capability", owner="Oscar Owner"),
        lambda: portfolio.create_initiative("bad key!", "x", category="capability", owner="Oscar Owner"),
        lambda: portfolio.set_check("LAB-2", 10_000, CheckState.MET),
        lambda: portfolio.update_initiative("LAB-1", stage="factory"),
        lambda: portfolio.request_access("LAB-2", tier=2, data_description="emails", retention_days=30),
    ):
        with pytest.raises((InvalidInput, PolicyRefusal, NotFound)):
            attempt()
    assert audit_count(portfolio) == before


def test_undo_reverts_the_last_action_and_is_audited(portfolio):
    portfolio.start_session(Q)
    portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "data-risk", 4)
    portfolio.record_decision(Q, "LAB-2", "kill", rationale="no lift")
    assert portfolio.last_action().startswith("Decided kill for LAB-2")
    assert portfolio.undo().startswith("Decided kill")
    assert portfolio.initiative("LAB-2").stage is Stage.LAB
    assert portfolio.decision(Q, "LAB-2") is None
    portfolio.undo()
    assert portfolio.score_sheet(Q, "LAB-1").scores == {}
    assert portfolio.initiative("LAB-1").last_outcome is None
    entries = portfolio.audit_log(5)
    assert [e.action for e in entries[:2]] == ["undo", "undo"]
    assert portfolio.verify_audit().ok


def test_undo_refuses_when_the_rows_changed_since(portfolio, clock):
    from labreview.portfolio import Portfolio

    other = Portfolio(portfolio.engine, actor="Someone Else", clock=clock)
    portfolio.update_initiative("LAB-1", title="Churn model v2")
    other.update_initiative("LAB-1", title="Churn model v3")
    with pytest.raises(StaleEdit, match="changed again since"):
        portfolio.undo()
    assert portfolio.initiative("LAB-1").title == "Churn model v3"


def test_audit_records_who_when_what_and_before_after(portfolio):
    portfolio.update_initiative("LAB-1", vendor="Acme")
    with portfolio.engine.connect() as c:
        event = c.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    assert event.actor == "Tess Facilitator" and event.action == "edit initiative"
    assert '"before": {"search_text"' in event.changes or '"vendor": ""' in event.changes
    assert '"vendor": "Acme"' in event.changes

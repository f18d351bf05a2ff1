"""Decisions: promotion waits for the gates, and a decision moves the initiative."""

import datetime as dt

import pytest

from labreview.domain.errors import PolicyRefusal
from labreview.domain.vocabulary import DecisionOutcome, Gate, Stage, Track
from tests.portfolio.conftest import Q, pass_gates


def test_promotion_is_refused_while_gates_are_open_then_allowed(portfolio):
    portfolio.start_session(Q)
    with pytest.raises(PolicyRefusal, match=r"cannot be promoted yet\. Pilot approval has"):
        portfolio.record_decision(Q, "LAB-1", "promote", rationale="looks good")
    pass_gates(portfolio, "LAB-1", Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW)
    assert portfolio.initiative("LAB-1").pilot_approved_on == dt.date(2026, 11, 23)
    decision = portfolio.record_decision(
        Q, "LAB-1", "promote", rationale="lift reached", next_review=dt.date(2027, 2, 1)
    )
    assert (decision.stage_before, decision.stage_after) == (Stage.LAB, Stage.TRANSITION)
    item = portfolio.initiative("LAB-1")
    assert item.stage is Stage.TRANSITION and item.track is Track.ITERATE
    assert item.last_outcome is DecisionOutcome.PROMOTE and item.current_gate is Gate.PRODUCTION_READINESS
    with pytest.raises(PolicyRefusal, match="already has a decision"):
        portfolio.record_decision(Q, "LAB-1", "iterate", rationale="again")

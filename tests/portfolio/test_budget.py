"""Budget lines, the mix and its projection after the meeting's decisions."""

import datetime as dt

import pytest

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Stage, Track
from labreview.portfolio import NewActionItem
from tests.portfolio.conftest import Q


def test_decision_with_action_items_and_budget_projection(portfolio):
    portfolio.set_budget_line(Q, "LAB-1", 1_000_000)
    portfolio.set_budget_line(Q, "LAB-2", 500_000)
    portfolio.set_budget_line(Q, "FAC-1", 8_500_000)
    portfolio.start_session(Q)
    owner = portfolio.person("Oscar Owner")
    with pytest.raises(InvalidInput, match="in the past"):
        portfolio.record_decision(
            Q,
            "LAB-2",
            "kill",
            rationale="no lift",
            action_items=[NewActionItem("write up", owner.id, dt.date(2020, 1, 1))],
        )
    decision = portfolio.record_decision(
        Q,
        "LAB-2",
        "kill",
        rationale="no lift; learning published",
        action_items=[NewActionItem("Publish the learning note", owner.id, dt.date(2026, 12, 15))],
    )
    assert decision.stage_after is Stage.RETIRED and decision.track_after is None
    assert [a.text for a in decision.action_items] == ["Publish the learning note"]
    budget = portfolio.budget(Q)
    assert budget.mix.total == 10_000_000 and budget.projected.total == 9_500_000
    assert budget.projected.amount(Track.LAB) == 1_000_000
    assert budget.changes == ("LAB-2 kill: EUR 5,000 leaves the lab track",)

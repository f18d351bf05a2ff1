"""Gate checklists: waivers, and criteria that need a reason once the pilot is approved."""

import pytest

from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import CheckState, Gate
from tests.portfolio.conftest import pass_gates


def test_waiver_needs_a_reason_and_criteria_change_after_approval_needs_one(portfolio):
    item = next(t for t in portfolio.templates() if t.gate is Gate.PILOT_APPROVAL)
    with pytest.raises(InvalidInput, match="waiver needs a reason"):
        portfolio.set_check("LAB-1", item.id, CheckState.WAIVED)
    portfolio.set_check("LAB-1", item.id, CheckState.WAIVED, "sandbox only")
    portfolio.set_success_criterion("LAB-2", "baseline", "21 %")  # before approval: no reason needed
    pass_gates(portfolio, "LAB-1", Gate.PILOT_APPROVAL)
    with pytest.raises(PolicyRefusal, match="needs a reason"):
        portfolio.set_success_criterion("LAB-1", "target_lift", "+2 pt")
    portfolio.set_success_criterion("LAB-1", "target_lift", "+2 pt", reason="seasonality")
    changes = portfolio.criteria_changes(key="LAB-1")
    assert [(c.field, c.before, c.after, c.reason) for c in changes] == [
        ("target_lift", "+1 pt", "+2 pt", "seasonality")
    ]

import pytest

from labreview.domain.errors import InvalidInput
from labreview.domain.gates import (
    DEFAULT_TEMPLATES,
    CheckItem,
    current_gate,
    evaluate,
    gate_status,
    next_state,
    promotion_refusals,
    validate_check,
)
from labreview.domain.vocabulary import CheckState, Gate, GateStatus, Stage

MET, NOT, PENDING, WAIVED = CheckState.MET, CheckState.NOT_MET, CheckState.PENDING, CheckState.WAIVED


def items(gate: Gate, *states: CheckState, start: int = 0) -> list[CheckItem]:
    return [
        CheckItem(start + i, gate, f"{gate.name} {i}", s, "reason" if s is WAIVED else "") for i, s in enumerate(states)
    ]


def test_templates_cover_every_gate_with_the_domain_items():
    assert set(DEFAULT_TEMPLATES) == set(Gate)
    assert any("Consent and deletion" in t for t in DEFAULT_TEMPLATES[Gate.PRODUCTION_READINESS])
    assert any("90-day" in t for t in DEFAULT_TEMPLATES[Gate.SCALE_MONITORING])


@pytest.mark.parametrize(
    ("states", "status"),
    [
        ((MET, MET), GateStatus.MET),
        ((MET, WAIVED), GateStatus.MET_WITH_WAIVERS),
        ((MET, PENDING), GateStatus.PENDING),
        ((MET, NOT, PENDING), GateStatus.NOT_MET),
        ((), GateStatus.MET),
    ],
)
def test_gate_status_from_its_checklist(states, status):
    assert gate_status(items(Gate.PILOT_APPROVAL, *states)) is status


def test_a_waiver_needs_a_reason_and_other_states_keep_none():
    with pytest.raises(InvalidInput, match="reason"):
        validate_check(WAIVED, "   ")
    assert validate_check(WAIVED, " not applicable ") == "not applicable"
    assert validate_check(MET, "ignored") == ""


def test_space_cycles_states():
    assert [next_state(s) for s in (PENDING, MET, NOT, WAIVED)] == [MET, NOT, PENDING, PENDING]


def test_gates_are_taken_in_order():
    checklist = (
        items(Gate.PILOT_APPROVAL, MET, PENDING)
        + items(Gate.EVIDENCE_REVIEW, MET, start=10)
        + items(Gate.PRODUCTION_READINESS, MET, start=20)
        + items(Gate.SCALE_MONITORING, PENDING, start=30)
    )
    reports = evaluate(checklist)
    assert current_gate(reports) is Gate.PILOT_APPROVAL
    assert reports[1].status is GateStatus.MET and not reports[1].reached and not reports[1].passed


def test_promotion_needs_the_gates_before_it_and_says_why():
    lab_ready = items(Gate.PILOT_APPROVAL, MET, WAIVED) + items(Gate.EVIDENCE_REVIEW, MET, start=10)
    assert promotion_refusals(Stage.LAB, evaluate(lab_ready)) == []
    refusals = promotion_refusals(
        Stage.TRANSITION, evaluate(lab_ready + items(Gate.PRODUCTION_READINESS, MET, NOT, PENDING, start=20))
    )
    assert refusals == ["Production readiness is not met: PRODUCTION_READINESS 1."]
    blocked = promotion_refusals(Stage.LAB, evaluate(items(Gate.PILOT_APPROVAL, PENDING, PENDING)))
    assert blocked[0].startswith("Pilot approval has 2 open items")
    assert promotion_refusals(Stage.FACTORY, evaluate([])) == ["A factory initiative cannot be promoted."]
    assert (
        current_gate(
            evaluate(
                lab_ready
                + items(Gate.PRODUCTION_READINESS, MET, start=20)
                + items(Gate.SCALE_MONITORING, MET, start=30)
            )
        )
        is None
    )

"""The 90-day stabilisation plan: a tool promoted into the factory gets the plan's steps as action items."""

from __future__ import annotations

import datetime as dt

import pytest

from labreview.domain import stabilisation
from labreview.domain.errors import InvalidInput
from labreview.domain.stabilisation import DEFAULT_PLAN, PlanStep
from labreview.domain.vocabulary import BoardRole, Gate, Stage
from labreview.store.models import Setting
from tests.hostile import strings
from tests.portfolio.conftest import Q, pass_gates

DAY = dt.date(2026, 11, 23)


def into_the_factory(p, key: str = "LAB-1"):
    """Promote ``key`` from the lab to transition (2026-Q4), then into the factory (2027-Q1)."""
    p.start_session(Q)
    pass_gates(p, key, Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW)
    p.record_decision(Q, key, "promote", rationale="lift reached", next_review=DAY + dt.timedelta(days=91))
    assert p.checklist(key).plan == ()  # into transition: no plan yet
    pass_gates(p, key, Gate.PRODUCTION_READINESS)
    p.end_session(Q)
    p.create_session("2027-Q1", held_on=DAY, facilitator="Ines Innovation", attendees=["Dana Sponsor", "Fay Finance"])
    p.toggle_agenda("2027-Q1", key)
    p.start_session("2027-Q1")
    return p.record_decision("2027-Q1", key, "promote", rationale="ready", next_review=DAY + dt.timedelta(days=91))


def test_promotion_into_the_factory_starts_the_plan_with_owners_and_due_dates(portfolio):
    decision = into_the_factory(portfolio)
    assert decision.stage_after is Stage.FACTORY
    plan = portfolio.checklist("LAB-1").plan
    assert [(s.plan_days, s.due) for s in plan] == [(s.days, DAY + dt.timedelta(days=s.days)) for s in DEFAULT_PLAN]
    owners = {s.text: s.owner.name for s in plan}
    assert owners[stabilisation.action_text(DEFAULT_PLAN[0])] == "Oscar Owner"  # no role: the tool's owner
    assert owners[stabilisation.action_text(DEFAULT_PLAN[4])] == "Fay Finance"  # finance, attending
    assert owners[stabilisation.action_text(DEFAULT_PLAN[2])] == "Ali Analytics"  # the role's holder, not attending
    assert portfolio.checklist("LAB-1").plan_progress == f"0 of 5 steps done, next due {plan[0].due.isoformat()}"
    assert {a.id for a in decision.action_items} >= {s.id for s in plan}
    assert "5-step stabilisation plan" in portfolio.audit_log(1)[0].summary
    portfolio.complete_action_item(plan[0].id)
    assert portfolio.checklist("LAB-1").plan_progress.startswith("1 of 5 steps done")


def test_undoing_the_promotion_takes_the_plan_back(portfolio):
    into_the_factory(portfolio)
    portfolio.undo()
    assert portfolio.checklist("LAB-1").plan == ()
    assert portfolio.initiative("LAB-1").stage is Stage.TRANSITION
    assert portfolio.verify_audit().ok


def test_an_edited_template_is_what_the_next_promotion_gets(portfolio):
    view = portfolio.set_stabilisation_plan(
        [{"text": "Runbook signed", "days": 14, "role": "martech-lead"}, PlanStep("Cost review", 45, BoardRole.FINANCE)]
    )
    assert [s.days for s in view.steps] == [14, 45]
    assert portfolio.stabilisation_plan().steps == view.steps
    into_the_factory(portfolio)
    plan = portfolio.checklist("LAB-1").plan
    assert [(s.text, s.owner.name) for s in plan] == [
        ("Stabilisation, day 14: Runbook signed", "Mo Martech"),
        ("Stabilisation, day 45: Cost review", "Fay Finance"),
    ]


@pytest.mark.parametrize(
    "steps, problem",
    [
        ([], "at least one step"),
        ([{"text": "", "days": 30}], "step 1"),
        ([{"text": "x", "days": 0}], "1 to 365 days"),
        ([{"text": "x", "days": 366}], "1 to 365 days"),
        ([{"text": "x", "days": True}], "1 to 365 days"),
        ([{"text": "x", "days": "30"}], "1 to 365 days"),
        ([{"text": "x", "days": 30, "role": "janitor"}], "Step 1 of the plan"),
        ([{"text": "x\x00y", "days": 30}], "NUL"),
        ([{"text": "x", "days": 30}] * 13, "at most 12"),
        ([{"text": "y" * 201, "days": 30}], "step 1"),
    ],
)
def test_a_template_that_is_not_one_is_refused_in_words(portfolio, steps, problem):
    with pytest.raises(InvalidInput, match=problem):
        portfolio.set_stabilisation_plan(steps)
    assert portfolio.stabilisation_plan().steps == DEFAULT_PLAN


def test_hostile_step_texts_are_kept_as_typed(portfolio):
    kept = 0
    for text in strings()[:200]:
        try:
            view = portfolio.set_stabilisation_plan([{"text": text, "days": 30}])
        except InvalidInput:
            continue
        assert view.steps[0].text == text.replace("\r\n", "\n").strip()
        assert portfolio.stabilisation_plan().steps == view.steps
        kept += 1
    assert kept > 150


@pytest.mark.parametrize("stored", ["not json", "{}", "[1, 2]", '[{"text": "x", "days": -1}]', "null"])
def test_a_hand_edited_template_falls_back_to_the_default_and_says_why(portfolio, stored):
    from sqlmodel import Session

    with Session(portfolio.engine) as session:
        session.add(Setting(key=stabilisation.PLAN_SETTING, value=stored))
        session.commit()
    view = portfolio.stabilisation_plan()
    assert view.steps == DEFAULT_PLAN and "unreadable" in view.problem
    into_the_factory(portfolio)  # the promotion still works, with the default plan
    assert len(portfolio.checklist("LAB-1").plan) == len(DEFAULT_PLAN)

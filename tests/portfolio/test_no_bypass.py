"""No bypass: the access policy and the gate order hold through the service, through undo and across two facilitators.

(The screens are tried in ``tests/ui/test_no_bypass.py``; the CSV import path by the
exchange work.) After every step of the long runs, the invariants are checked
on what is stored: an approved request has the signatures the policy needs,
from different people, none of them the owner; the stored access tier and
current gate are what the rules compute from the rows; the audit chain holds.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from labreview.domain import access as policy
from labreview.domain import gates as gate_rules
from labreview.domain.errors import DomainError, NotFound, PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import AccessStatus, AccessTier, CheckState, Gate, Stage, Track
from labreview.portfolio import NewActionItem, Portfolio
from tests.conftest import TickingClock

Q = "2026-Q4"


def second_facilitator(db_target: Path | str, name: str = "Flo Second") -> Portfolio:
    """Another laptop on the same portfolio (the same file, or the same database on the server)."""
    return Portfolio.open(db_target, actor=name, clock=TickingClock())


def items(p: Portfolio, key: str, gate: Gate) -> list[int]:
    ai = p.initiative(key).ai_heavy
    return [t.id for t in p.templates() if t.gate is gate and (ai or not t.ai_only)]


def assert_invariants(p: Portfolio) -> None:
    """What must hold however the data got here."""
    people = {person.id: person for person in p.people()}
    for key in p.initiative_keys():
        item = p.initiative(key)
        checklist = p.checklist(key)
        assert item.current_gate == checklist.current_gate, f"{key}: stored current gate is stale"
        if item.pilot_approved_on is None:
            assert not checklist.reports[0].passed, f"{key}: gate 1 passed but no pilot approval date"
        approved = []
        for request in p.access_requests(key):
            if request.status is not AccessStatus.APPROVED:
                continue
            approved.append(request.tier)
            signers = [s for s in request.signatures if s.approve]
            assert {s.capacity for s in signers} >= set(policy.REQUIRED[request.tier]), f"{key}: missing signer"
            assert len({s.person.id for s in signers}) == len(signers), f"{key}: one person signed twice"
            for signature in signers:
                if request.tier is AccessTier.LEVEL_1:
                    assert signature.person.id == item.owner.id
                    continue
                assert signature.person.id != item.owner.id, f"{key}: the owner approved their own access"
                role = people[signature.person.id].role
                assert role is policy.ROLE_FOR[signature.capacity], f"{key}: signer without the role"
        assert item.access_tier == max(approved, default=None), f"{key}: stored access tier is not what is approved"
    assert p.verify_audit().ok


# ----------------------------------------------------------------------------- the service, directly


def test_gates_count_only_in_order(portfolio):
    p = portfolio
    p.start_session(Q)
    for item_id in items(p, "LAB-1", Gate.EVIDENCE_REVIEW):
        p.set_check("LAB-1", item_id, CheckState.MET)
    checklist = p.checklist("LAB-1")
    assert checklist.reports[1].status.passed and not checklist.reports[1].passed, "gate 2 waits for gate 1"
    assert p.initiative("LAB-1").current_gate is Gate.PILOT_APPROVAL
    with pytest.raises(PolicyRefusal, match="Pilot approval has"):
        p.record_decision(Q, "LAB-1", "promote", rationale="gate 2 is met")
    first = items(p, "LAB-1", Gate.PILOT_APPROVAL)
    for item_id in first[:-1]:
        p.set_check("LAB-1", item_id, CheckState.MET)
    p.set_check("LAB-1", first[-1], CheckState.WAIVED, "criteria registered in the pilot charter")
    assert p.initiative("LAB-1").current_gate is Gate.PRODUCTION_READINESS
    decision = p.record_decision(Q, "LAB-1", "promote", rationale="evidence met")
    assert decision.stage_after is Stage.TRANSITION
    assert_invariants(p)


def test_a_transition_initiative_needs_production_readiness_too(portfolio):
    p = portfolio
    p.start_session(Q)
    for gate in (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW):
        for item_id in items(p, "LAB-2", gate):
            p.set_check("LAB-2", item_id, CheckState.MET)
    p.record_decision(Q, "LAB-2", "promote", rationale="pilot worked")
    p.end_session(Q)
    p.create_session("2027-Q1", held_on=dt.date(2027, 2, 22), facilitator="Ines Innovation", attendees=["Dana Sponsor"])
    p.start_session("2027-Q1")
    readiness = items(p, "LAB-2", Gate.PRODUCTION_READINESS)
    for item_id in readiness[:-1]:
        p.set_check("LAB-2", item_id, CheckState.MET)
    p.set_check("LAB-2", readiness[-1], CheckState.NOT_MET)
    with pytest.raises(PolicyRefusal, match="Production readiness is not met"):
        p.record_decision("2027-Q1", "LAB-2", "promote", rationale="almost")
    assert p.initiative("LAB-2").stage is Stage.TRANSITION
    assert_invariants(p)


@pytest.mark.parametrize(
    ("attempt", "refusal"),
    [
        (lambda p: p.update_initiative("LAB-1", stage="factory"), "only through a decision"),
        (lambda p: p.update_initiative("LAB-1", current_gate=4), "Cannot edit current_gate"),
        (lambda p: p.update_initiative("LAB-1", access_tier=3), "Cannot edit access_tier"),
        (lambda p: p.update_initiative("LAB-1", pilot_approved_on=dt.date(2026, 1, 1)), "Cannot edit"),
        (lambda p: p.set_check("LAB-2", next(t.id for t in p.templates() if t.ai_only), "met"), "AI-heavy"),
        (lambda p: p.record_decision(Q, "FAC-1", "promote", rationale="x"), "not a decision for a factory"),
        (lambda p: p.request_access("LAB-2", tier=2, data_description="emails", retention_days=30), "at least Level 3"),
        (
            lambda p: p.request_access("LAB-2", tier=3, data_description="e", retention_days=9, export_allowed=True),
            "may not be exported",
        ),
    ],
    ids=["stage", "current-gate", "access-tier", "pilot-approval", "ai-check", "factory-promote", "tier", "export"],
)
def test_direct_calls_cannot_set_what_only_the_rules_decide(portfolio, attempt, refusal):
    portfolio.start_session(Q)
    before = portfolio.verify_audit().checked
    with pytest.raises(DomainError, match=refusal):
        attempt(portfolio)
    assert portfolio.verify_audit().checked == before


def test_level_three_needs_two_different_partners_whatever_capacity_is_claimed(portfolio):
    p = portfolio
    p.start_session(Q)
    request = p.request_access("LAB-2", tier=3, data_description="emails", retention_days=30)
    for signer, capacity, refusal in (
        ("Pat Privacy", "security", "needs the security partner"),
        ("Sue Security", "privacy", "needs the privacy partner"),
        ("Ines Innovation", "owner", "signed by the privacy partner and security partner, not by a owner"),
        ("Ines Innovation", "privacy", "owns this initiative"),
        ("Dana Sponsor", None, "needs the privacy partner"),
    ):
        with pytest.raises(PolicyRefusal, match=refusal):
            p.sign_access(request.id, signer, capacity=capacity, quarter=Q)
    half = p.sign_access(request.id, "Pat Privacy", quarter=Q)
    assert half.status is AccessStatus.PENDING and p.initiative("LAB-2").access_tier is None
    with pytest.raises(PolicyRefusal, match="needs the security partner"):
        p.sign_access(request.id, "Pat Privacy", capacity="security", quarter=Q)
    with pytest.raises(PolicyRefusal, match="privacy partner has already signed"):
        p.sign_access(request.id, "Pia Privacy", quarter=Q)
    assert p.access_requests("LAB-2")[0].status is AccessStatus.PENDING
    assert_invariants(p)


def test_a_stale_signature_is_refused(portfolio, db_target):
    p = portfolio
    p.start_session(Q)
    request = p.request_access("LAB-2", tier=3, data_description="emails", retention_days=30)
    other = second_facilitator(db_target)
    try:
        other.sign_access(request.id, "Pat Privacy", quarter=Q, conditions="hashed ids", version=request.version)
    finally:
        other.close()
    with pytest.raises(StaleEdit, match="Someone else changed this"):
        p.sign_access(request.id, "Sue Security", quarter=Q, version=request.version)
    assert p.access_requests("LAB-2")[0].status is AccessStatus.PENDING


# ----------------------------------------------------------------------------- undo


def test_undo_takes_back_an_approval_and_cannot_bring_it_back(portfolio):
    p = portfolio
    p.start_session(Q)
    request = p.request_access("LAB-1", tier=2, data_description="churn features", retention_days=90)
    assert p.sign_access(request.id, "Pat Privacy", quarter=Q).status is AccessStatus.APPROVED
    assert p.initiative("LAB-1").access_tier is AccessTier.LEVEL_2
    assert p.undo().startswith("Pat Privacy (privacy partner) approved Level 2 access for LAB-1")
    assert p.access_requests("LAB-1")[0].status is AccessStatus.PENDING
    assert p.initiative("LAB-1").access_tier is None
    assert p.undo().startswith("LAB-1 requested Level 2 access")  # an undo is never undone: no redo of the approval
    assert p.access_requests("LAB-1") == [] and p.initiative("LAB-1").access_tier is None
    assert_invariants(p)


def test_undo_by_one_facilitator_leaves_no_approval_the_remaining_signatures_do_not_support(portfolio, db_target):
    """Two laptops: A's privacy signature, then B's security signature approves; A undoes hers."""
    p = portfolio
    p.start_session(Q)
    request = p.request_access("LAB-2", tier=3, data_description="emails", retention_days=30)
    p.sign_access(request.id, "Pat Privacy", quarter=Q, conditions="hashed ids")
    other = second_facilitator(db_target)
    try:
        assert other.sign_access(request.id, "Sue Security", quarter=Q).status is AccessStatus.APPROVED
        assert p.initiative("LAB-2").access_tier is AccessTier.LEVEL_3
        p.undo()
        view = p.access_requests("LAB-2")[0]
        assert view.status is AccessStatus.PENDING and [s.capacity.value for s in view.signatures] == ["security"]
        assert p.initiative("LAB-2").access_tier is None, "the stored tier must follow the signatures left"
        assert_invariants(p)
        with pytest.raises(StaleEdit, match="changed again since"):
            other.undo()  # B's approval is no longer what B left: refused, not half-applied
        assert_invariants(p)
    finally:
        other.close()


def test_undo_of_one_check_by_one_facilitator_reopens_the_gate(portfolio, db_target):
    p = portfolio
    p.start_session(Q)
    first = items(p, "LAB-2", Gate.PILOT_APPROVAL)
    for item_id in first[:-1]:
        p.set_check("LAB-2", item_id, CheckState.MET)
    other = second_facilitator(db_target)
    try:
        other.set_check("LAB-2", first[-1], CheckState.MET)
    finally:
        other.close()
    assert p.initiative("LAB-2").current_gate is Gate.EVIDENCE_REVIEW
    p.undo()  # A's last check goes back to pending: gate 1 is open again
    assert p.initiative("LAB-2").current_gate is Gate.PILOT_APPROVAL
    for item_id in items(p, "LAB-2", Gate.EVIDENCE_REVIEW):
        p.set_check("LAB-2", item_id, CheckState.MET)
    with pytest.raises(PolicyRefusal, match="Pilot approval has 1 open item"):
        p.record_decision(Q, "LAB-2", "promote", rationale="looks done")
    assert_invariants(p)


def test_undo_of_a_decision_restores_stage_track_and_agenda(portfolio):
    p = portfolio
    p.start_session(Q)
    for gate in (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW):
        for item_id in items(p, "LAB-1", gate):
            p.set_check("LAB-1", item_id, CheckState.MET)
    owner = p.person("Oscar Owner")
    before = p.initiative("LAB-1")
    p.record_decision(
        Q,
        "LAB-1",
        "promote",
        rationale="lift reached",
        action_items=[NewActionItem("Runbook", owner.id, dt.date(2026, 12, 20))],
    )
    assert p.initiative("LAB-1").stage is Stage.TRANSITION
    p.undo()
    after = p.initiative("LAB-1")
    assert (after.stage, after.track, after.last_outcome) == (before.stage, before.track, before.last_outcome)
    assert p.decision(Q, "LAB-1") is None and p.action_items(quarter=Q) == []
    assert next(e for e in p.session(Q).agenda if e.key == "LAB-1").decided is None
    killed = p.record_decision(Q, "LAB-1", "kill", rationale="changed our mind")  # decided again, differently
    assert killed.stage_after is Stage.RETIRED and p.initiative("LAB-1").track is Track.LAB
    p.undo()
    assert p.initiative("LAB-1").stage is Stage.LAB
    assert_invariants(p)


def test_undo_with_nothing_left_says_so(empty_portfolio):
    p = empty_portfolio
    p.undo()  # the set-up of the portfolio
    with pytest.raises(NotFound, match="nothing to undo"):
        p.undo()


def random_meeting(p: Portfolio, other: Portfolio, rng: random.Random, steps: int) -> dict[str, int]:
    """Two facilitators check gates, sign access and undo at random; the invariants hold after every step."""
    tally = {"done": 0, "refused": 0}
    keys = ["LAB-1", "LAB-2"]
    requests = {
        "LAB-1": p.request_access("LAB-1", tier=2, data_description="features", retention_days=30).id,
        "LAB-2": p.request_access("LAB-2", tier=3, data_description="emails", retention_days=30).id,
    }
    signers = ["Pat Privacy", "Pia Privacy", "Sue Security", "Ines Innovation", "Oscar Owner", "Dana Sponsor"]
    for _ in range(steps):
        who = rng.choice((p, other))
        key = rng.choice(keys)
        roll = rng.random()
        try:
            if roll < 0.45:
                item_id = rng.choice(items(p, key, rng.choice((Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW))))
                state = rng.choice((CheckState.MET, CheckState.MET, CheckState.NOT_MET, CheckState.PENDING))
                who.set_check(key, item_id, state)
            elif roll < 0.7:
                who.sign_access(requests[key], rng.choice(signers), quarter=Q)
            elif roll < 0.78:
                decision = who.record_decision(Q, key, "promote", rationale="random walk")
                reports = p.checklist(key).reports
                assert gate_rules.promotion_refusals(decision.stage_before, reports) == []
            else:
                who.undo()
            tally["done"] += 1
        except DomainError:
            tally["refused"] += 1
        assert_invariants(p)
    return tally


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_facilitators_checking_signing_and_undoing_never_break_the_rules(portfolio, db_target, seed):
    p = portfolio
    p.start_session(Q)
    other = second_facilitator(db_target)
    try:
        tally = random_meeting(p, other, random.Random(seed), steps=60)
    finally:
        other.close()
    assert tally["done"] > 20 and tally["refused"] > 0

"""Properties of the governance rules, for any people, roles, tiers, checklists and outcomes (Hypothesis).

Access: whatever sequence of signatures is attempted, an approved request has
exactly the signatures its tier needs, from different people with the right
roles, never from the owner (except the owner's own Level 1 attestation); a
rejection is final. Gates: a gate counts only when every gate before it has
passed, and promotion is allowed exactly when the gates leading out of the
stage have. Decisions move an initiative one stage at a time, or retire it.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from labreview.domain import access, decisions
from labreview.domain import gates as gate_rules
from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import (
    AccessStatus,
    AccessTier,
    BoardRole,
    Capacity,
    CheckState,
    DecisionOutcome,
    Gate,
    Stage,
    Track,
)

TODAY = dt.date(2026, 11, 23)

people = st.lists(st.sampled_from([None, *BoardRole]), min_size=1, max_size=8).map(
    lambda roles: [access.Person(i + 1, f"Person {i + 1}", role) for i, role in enumerate(roles)]
)
attempts = st.lists(
    st.tuples(st.integers(0, 7), st.sampled_from([None, *Capacity]), st.booleans()),
    max_size=12,
)


def sign_all(tier, board, owner, tries, attendees=None):
    """Try every signature in turn as the service would; keep those the policy lets through."""
    signatures: list[access.Signature] = []
    for index, capacity, approve in tries:
        signer = board[index % len(board)]
        if access.status(tier, signatures, None, TODAY) is not AccessStatus.PENDING:
            continue  # the service refuses to sign a request that is no longer pending
        if capacity is None:
            held = access.capacities_for(tier, signer, owner.person_id)
            still_open = [c for c in held if c in access.missing(tier, signatures)]
            capacity = (still_open or held or [access.REQUIRED[tier][0]])[0]
        try:
            access.check_signature(tier, capacity, signer, owner, signatures, attendees)
        except PolicyRefusal:
            continue
        signatures.append(access.Signature(signer.person_id, capacity, approve))
    return signatures


@given(people, st.integers(0, 7), st.sampled_from(AccessTier), attempts)
def test_an_approved_request_always_has_the_signatures_its_tier_needs(board, owner_index, tier, tries):
    owner = board[owner_index % len(board)]
    signatures = sign_all(tier, board, owner, tries)
    roles = {p.person_id: p.role for p in board}
    assert len({s.capacity for s in signatures}) == len(signatures), "a capacity signed twice"
    assert len({s.person_id for s in signatures}) == len(signatures), "a person signed twice"
    for signature in signatures:
        assert signature.capacity in access.REQUIRED[tier]
        if signature.capacity is Capacity.OWNER:
            assert signature.person_id == owner.person_id
        else:
            assert signature.person_id != owner.person_id, "the owner approved access to their own initiative"
            assert roles[signature.person_id] is access.ROLE_FOR[signature.capacity]
    state = access.status(tier, signatures, None, TODAY)
    if state is AccessStatus.APPROVED:
        assert {s.capacity for s in signatures} == set(access.REQUIRED[tier])
        assert all(s.approve for s in signatures)
    if any(not s.approve for s in signatures):
        assert state is AccessStatus.REJECTED


@given(people, st.integers(0, 7), st.sampled_from(AccessTier), attempts, st.sets(st.integers(1, 8)))
def test_only_attendees_sign_for_the_board(board, owner_index, tier, tries, attendees):
    owner = board[owner_index % len(board)]
    for signature in sign_all(tier, board, owner, tries, attendees):
        if signature.capacity is not Capacity.OWNER:
            assert signature.person_id in attendees


@given(people, st.integers(0, 7), st.sampled_from(AccessTier))
def test_what_the_screen_offers_is_exactly_what_the_rule_accepts(board, owner_index, tier):
    owner = board[owner_index % len(board)]
    for person in board:
        offered = set(access.capacities_for(tier, person, owner.person_id))
        for capacity in Capacity:
            try:
                access.check_signature(tier, capacity, person, owner, [])
                accepted = True
            except PolicyRefusal:
                accepted = False
            assert accepted == (capacity in offered), (person, capacity)


@given(
    st.sampled_from(AccessTier),
    st.lists(st.tuples(st.integers(1, 6), st.sampled_from(Capacity), st.booleans()), max_size=6),
    st.integers(-30, 30),
)
def test_status_is_rejected_pending_approved_or_expired_and_nothing_else(tier, raw, days):
    signatures = [access.Signature(p, c, a) for p, c, a in raw]
    expires = TODAY + dt.timedelta(days=days)
    state = access.status(tier, signatures, expires, TODAY)
    if any(not s.approve for s in signatures):
        assert state is AccessStatus.REJECTED
    elif access.missing(tier, signatures):
        assert state is AccessStatus.PENDING
    else:
        assert state is (AccessStatus.EXPIRED if days < 0 else AccessStatus.APPROVED)
    pairs = [(tier, state)]
    assert access.effective_tier(pairs) == (tier if state is AccessStatus.APPROVED else None)


checklists = st.lists(
    st.tuples(st.sampled_from(Gate), st.sampled_from(CheckState)),
    max_size=30,
).map(lambda rows: [gate_rules.CheckItem(i, g, f"item {i}", s) for i, (g, s) in enumerate(rows)])


@given(checklists)
def test_gates_are_passed_only_in_order(items):
    reports = gate_rules.evaluate(items)
    assert [r.gate for r in reports] == list(Gate)
    for index, report in enumerate(reports):
        earlier = reports[:index]
        assert report.reached == all(r.status.passed for r in earlier)
        if report.passed:
            assert all(r.passed for r in earlier)
        own = [i for i in items if i.gate is report.gate]
        if any(i.state is CheckState.NOT_MET for i in own):
            assert not report.passed
    current = gate_rules.current_gate(reports)
    first_open = next((r.gate for r in reports if not r.passed), None)
    assert current == first_open


@given(checklists, st.sampled_from([Stage.LAB, Stage.TRANSITION]))
def test_promotion_is_allowed_exactly_when_the_gates_out_of_the_stage_have_passed(items, stage):
    reports = gate_rules.evaluate(items)
    refusals = gate_rules.promotion_refusals(stage, reports)
    needed = gate_rules.PROMOTION_GATES[stage]
    by_gate = {r.gate: r for r in reports}
    assert (refusals == []) == all(by_gate[g].passed for g in needed)
    assert len(refusals) == sum(not by_gate[g].status.passed for g in needed)


@given(st.sampled_from([Stage.FACTORY, Stage.RETIRED]), checklists)
def test_factory_and_retired_initiatives_are_never_promoted(stage, items):
    assert gate_rules.promotion_refusals(stage, gate_rules.evaluate(items)) != []


@given(st.sampled_from(CheckState), st.text(max_size=5))
def test_a_waiver_always_carries_a_reason_and_nothing_else_keeps_one(state, reason):
    try:
        kept = gate_rules.validate_check(state, reason)
    except InvalidInput:
        assert state is CheckState.WAIVED and not reason.strip()
        return
    assert kept == (reason.strip() if state is CheckState.WAIVED else "")
    assert gate_rules.next_state(state) is not CheckState.WAIVED


NEXT = {Stage.LAB: Stage.TRANSITION, Stage.TRANSITION: Stage.FACTORY}


@settings(max_examples=200)
@given(st.sampled_from(Stage), st.sampled_from(DecisionOutcome), st.sampled_from(Track))
def test_a_decision_moves_one_stage_at_a_time_or_retires(stage, outcome, track):
    try:
        effect = decisions.effect(stage, outcome, track)
    except PolicyRefusal:
        assert outcome not in decisions.VALID[stage]
        return
    assert outcome in decisions.VALID[stage]
    if outcome is DecisionOutcome.PROMOTE:
        assert effect.stage is NEXT[stage]
    elif effect.stage is Stage.RETIRED:
        assert effect.ends_funding and outcome in (
            DecisionOutcome.KILL,
            DecisionOutcome.RETIRE,
            DecisionOutcome.CONSOLIDATE,
        )
    else:
        assert effect.stage is stage and effect.track is track

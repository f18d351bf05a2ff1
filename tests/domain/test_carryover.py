"""The carry-over rules (``domain.carryover``) and the budget rules of a planned quarter (``domain.budget``)."""

import datetime as dt
from fractions import Fraction

import pytest

from labreview.domain import budget, carryover
from labreview.domain.carryover import Candidate, PastItem
from labreview.domain.errors import InvalidInput
from labreview.domain.scoring import format_weights, parse_weights
from labreview.domain.vocabulary import Criterion, DecisionOutcome, Quarter, Stage, Track

Q1 = Quarter.parse("2027-Q1")
HELD = dt.date(2027, 2, 22)


def carried(previous=(), live=()):
    return {c.key: c.reason for c in carryover.carried_items(Q1, HELD, "2026-Q4", previous, live)}


def lab(i, key, **kw):
    return Candidate(i, key, Stage.LAB, **kw)


def test_not_reached_iterate_and_hold_are_carried_kill_and_promote_are_not():
    live = [lab(i, k) for i, k in enumerate("ABCDE", 1)]
    previous = [
        PastItem(1, "A", None),
        PastItem(2, "B", DecisionOutcome.ITERATE),
        PastItem(3, "C", DecisionOutcome.HOLD),
        PastItem(4, "D", DecisionOutcome.PROMOTE),
        PastItem(5, "E", DecisionOutcome.KILL),
    ]
    assert carried(previous, live) == {
        "A": "carried from 2026-Q4: not reached",
        "B": "carried from 2026-Q4: decided iterate",
        "C": "carried from 2026-Q4: decided hold",
    }


def test_retired_initiatives_are_never_carried():
    live = [Candidate(1, "A", Stage.RETIRED, next_review=dt.date(2027, 2, 1))]
    assert carried([PastItem(1, "A", None)], live) == {}


def test_renewal_before_the_session_after_next_is_carried_unless_already_settled():
    horizon = carryover.renewal_horizon(Q1, HELD)
    assert horizon == dt.date(2027, 5, 23)  # as far into Q2 as 22 February is into Q1
    live = [
        Candidate(1, "F-SOON", Stage.FACTORY, renewal_date=dt.date(2027, 5, 22)),
        Candidate(2, "F-LATER", Stage.FACTORY, renewal_date=horizon),
        Candidate(
            3, "F-DONE", Stage.FACTORY, renewal_date=dt.date(2027, 3, 31), renewal_settled_on=dt.date(2026, 11, 23)
        ),
        Candidate(
            4, "F-OLD", Stage.FACTORY, renewal_date=dt.date(2027, 3, 31), renewal_settled_on=dt.date(2025, 11, 23)
        ),
        Candidate(5, "L-RENEW", Stage.LAB, renewal_date=dt.date(2027, 3, 1)),
    ]
    assert carried((), live) == {
        "F-OLD": "contract renews 2027-03-31",
        "F-SOON": "contract renews 2027-05-22",
    }


def test_next_review_in_the_quarter_is_carried_with_where_it_was_set():
    live = [
        lab(1, "IN", next_review=dt.date(2027, 3, 31), next_review_quarter="2026-Q3"),
        lab(2, "OUT", next_review=dt.date(2027, 4, 1), next_review_quarter="2026-Q4"),
        lab(3, "EARLY", next_review=dt.date(2026, 12, 31), next_review_quarter="2026-Q4"),
    ]
    assert carried((), live) == {"IN": "next review 2027-03-31 (set in 2026-Q3)"}


def test_several_reasons_are_listed_once_in_agenda_order():
    live = [
        Candidate(
            1,
            "F",
            Stage.FACTORY,
            renewal_date=dt.date(2027, 3, 1),
            next_review=dt.date(2027, 2, 1),
            next_review_quarter="2026-Q4",
        ),
        lab(2, "L"),
    ]
    found = carryover.carried_items(
        Q1, HELD, "2026-Q4", [PastItem(2, "L", None), PastItem(1, "F", DecisionOutcome.HOLD)], live
    )
    assert [c.key for c in found] == ["L", "F"]
    assert found[1].reason == (
        "carried from 2026-Q4: decided hold; contract renews 2027-03-01; next review 2027-02-01 (set in 2026-Q4)"
    )


def test_proposed_lines_take_each_live_initiatives_cost_on_its_track():
    lines = budget.proposed_lines(
        [
            (1, "lab", Track.LAB, 500_000),
            (2, "factory", Track.FACTORY, 8_500_000),
            (3, "retired", Track.FACTORY, 100_000),
            (4, "lab", Track.ITERATE, 0),
        ]
    )
    assert lines == {1: (Track.LAB, 500_000), 2: (Track.FACTORY, 8_500_000)}


def test_envelope_headroom_is_split_between_the_lab_ring_fence_and_operations():
    mix = budget.Mix.of([(Track.FACTORY, 700), (Track.ITERATE, 200), (Track.LAB, 150)])
    room = budget.headroom(budget.Envelope(total=1_000, lab=100), mix)
    assert (room.total, room.lab, room.operations) == (-50, -50, 0)
    with pytest.raises(InvalidInput, match="cannot exceed"):
        budget.Envelope(total=100, lab=200)
    with pytest.raises(InvalidInput, match="negative"):
        budget.Envelope(total=-1)


def test_weights_are_stored_as_text_and_read_back():
    weights = parse_weights("outcome-impact=2, data_risk=1.5")
    assert weights[Criterion.OUTCOME_IMPACT] == 2 and weights[Criterion.DATA_RISK] == Fraction(3, 2)
    assert weights[Criterion.ECONOMIC_VALUE] == 1
    text = format_weights(weights)
    assert text == "outcome-impact=2 operational-fit=1 integration-burden=1 data-risk=1.5 economic-value=1"
    assert parse_weights(text) == weights
    third = parse_weights("outcome-impact=1/3")
    assert parse_weights(format_weights(third)) == third
    with pytest.raises(InvalidInput, match="criterion=number"):
        parse_weights("outcome-impact")
    with pytest.raises(InvalidInput, match="above zero"):
        parse_weights(" ".join(f"{c.value}=0" for c in Criterion))

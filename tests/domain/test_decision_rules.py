import datetime as dt

import pytest

from labreview.domain import decisions
from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import DecisionOutcome as O
from labreview.domain.vocabulary import Stage, Track

DAY = dt.date(2026, 11, 23)


def test_outcomes_fit_the_stage():
    assert decisions.allowed(Stage.LAB) == (O.PROMOTE, O.ITERATE, O.KILL, O.HOLD)
    assert decisions.allowed(Stage.FACTORY) == (O.RENEW, O.RETIRE, O.CONSOLIDATE)
    assert decisions.allowed(Stage.RETIRED) == ()
    with pytest.raises(PolicyRefusal, match="not a decision for a factory"):
        decisions.effect(Stage.FACTORY, O.PROMOTE, Track.FACTORY)
    with pytest.raises(PolicyRefusal, match="no further decisions"):
        decisions.effect(Stage.RETIRED, O.RENEW, Track.FACTORY)


@pytest.mark.parametrize(
    ("stage", "outcome", "after", "track"),
    [
        (Stage.LAB, O.PROMOTE, Stage.TRANSITION, Track.ITERATE),
        (Stage.TRANSITION, O.PROMOTE, Stage.FACTORY, Track.FACTORY),
        (Stage.LAB, O.KILL, Stage.RETIRED, None),
        (Stage.FACTORY, O.RETIRE, Stage.RETIRED, None),
        (Stage.FACTORY, O.CONSOLIDATE, Stage.RETIRED, None),
        (Stage.LAB, O.ITERATE, Stage.LAB, Track.LAB),
        (Stage.LAB, O.HOLD, Stage.LAB, Track.LAB),
        (Stage.FACTORY, O.RENEW, Stage.FACTORY, Track.FACTORY),
    ],
)
def test_each_outcome_leads_to_a_stage(stage, outcome, after, track):
    effect = decisions.effect(stage, outcome, decisions.DEFAULT_TRACK[stage])
    assert (effect.stage, effect.track) == (after, track)


def test_rationale_required_except_for_renewal_and_review_after_decision():
    decisions.validate(O.RENEW, "", None, DAY)
    for outcome in (O.PROMOTE, O.ITERATE, O.KILL, O.HOLD, O.RETIRE, O.CONSOLIDATE):
        with pytest.raises(InvalidInput, match="needs a rationale"):
            decisions.validate(outcome, "  ", None, DAY)
    with pytest.raises(InvalidInput, match="must come after"):
        decisions.validate(O.ITERATE, "more data", DAY, DAY)
    assert decisions.default_next_review(O.ITERATE, DAY) == DAY + dt.timedelta(days=91)
    assert decisions.default_next_review(O.KILL, DAY) is None

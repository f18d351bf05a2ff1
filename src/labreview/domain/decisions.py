"""Decision effects: valid outcomes per stage, the stage and track each leads to.

lab → transition → factory by promotion; kill, retire and consolidate retire
the initiative; iterate, hold and renew keep it where it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import DecisionOutcome as O
from labreview.domain.vocabulary import Stage, Track

VALID: Mapping[Stage, tuple[O, ...]] = {
    Stage.LAB: (O.PROMOTE, O.ITERATE, O.KILL, O.HOLD),
    Stage.TRANSITION: (O.PROMOTE, O.ITERATE, O.KILL, O.HOLD),
    Stage.FACTORY: (O.RENEW, O.RETIRE, O.CONSOLIDATE),
    Stage.RETIRED: (),
}
"""Outcomes the board may choose for an initiative in each stage, in menu order."""

NEEDS_RATIONALE: frozenset[O] = frozenset(o for o in O if o is not O.RENEW)
"""Every outcome but a plain renewal must say why (a failed pilot is recorded as learning)."""

DEFAULT_TRACK: Mapping[Stage, Track] = {
    Stage.LAB: Track.LAB,
    Stage.TRANSITION: Track.ITERATE,
    Stage.FACTORY: Track.FACTORY,
    Stage.RETIRED: Track.LAB,
}
"""The budget track an initiative moves to when it enters a stage."""


@dataclass(frozen=True)
class Effect:
    """Where an outcome leaves the initiative: its stage, and its budget track (None: no budget)."""

    stage: Stage
    track: Track | None

    @property
    def ends_funding(self) -> bool:
        return self.track is None


def allowed(stage: Stage) -> tuple[O, ...]:
    return VALID[stage]


def effect(stage: Stage, outcome: O, track: Track) -> Effect:
    """The stage and budget track after ``outcome``; refuses an outcome the stage does not allow."""
    if outcome not in VALID[stage]:
        if not VALID[stage]:
            raise PolicyRefusal(f"A {stage.label} initiative takes no further decisions.")
        choices = ", ".join(o.value for o in VALID[stage])
        raise PolicyRefusal(f"'{outcome.value}' is not a decision for a {stage.label} initiative; choose {choices}.")
    if outcome is O.PROMOTE:
        after = Stage.TRANSITION if stage is Stage.LAB else Stage.FACTORY
        return Effect(after, DEFAULT_TRACK[after])
    if outcome in (O.KILL, O.RETIRE, O.CONSOLIDATE):
        return Effect(Stage.RETIRED, None)
    return Effect(stage, track)


def validate(
    outcome: O,
    rationale: str,
    next_review: dt.date | None,
    decided_on: dt.date,
) -> None:
    """A rationale where the rules need one; a next review date after the decision."""
    if outcome in NEEDS_RATIONALE and not rationale.strip():
        raise InvalidInput(f"A decision to {outcome.value} needs a rationale: say why, for the minutes.")
    if next_review is not None and next_review <= decided_on:
        raise InvalidInput(
            f"The next review ({next_review.isoformat()}) must come after the decision ({decided_on.isoformat()})."
        )


def default_next_review(outcome: O, decided_on: dt.date) -> dt.date | None:
    """Iterate and hold come back next quarter; promotions after a 90-day stabilisation; renewals in a year."""
    days = {O.ITERATE: 91, O.HOLD: 91, O.PROMOTE: 91, O.RENEW: 365}.get(outcome)
    return decided_on + dt.timedelta(days=days) if days else None

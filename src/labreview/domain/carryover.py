"""What planning the next session puts on its agenda, and why (pure rules).

Four reasons carry an initiative onto the agenda of the quarter being planned:

1. it was on the previous session's agenda and got no decision (not reached);
2. the previous session decided iterate or hold (it comes back);
3. it is a factory tool whose contract renews before the session after next
   (the board has to decide renew, retire or consolidate before then);
4. a decision set its next review in the quarter.

Retired initiatives are never carried. An initiative carried for several reasons
is listed once, with its reasons joined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from labreview.domain.vocabulary import DecisionOutcome, Quarter, Stage

COMES_BACK = frozenset({DecisionOutcome.ITERATE, DecisionOutcome.HOLD})
"""Outcomes that bring an initiative back to the next session."""
SETTLES_RENEWAL = frozenset({DecisionOutcome.RENEW, DecisionOutcome.RETIRE, DecisionOutcome.CONSOLIDATE})
"""Outcomes that settle a factory tool's coming renewal."""
RENEWAL_COVER = dt.timedelta(days=365)
"""A renew, retire or consolidate decision taken up to this long before a renewal date settles it."""


@dataclass(frozen=True)
class PastItem:
    """An item of the previous session's agenda, with its decision (None: not reached)."""

    initiative_id: int
    key: str
    outcome: DecisionOutcome | None


@dataclass(frozen=True)
class Candidate:
    """What the rules need to know of a live initiative."""

    initiative_id: int
    key: str
    stage: Stage
    renewal_date: dt.date | None = None
    next_review: dt.date | None = None
    """The next review date of its latest decision."""
    next_review_quarter: str | None = None
    """The quarter of the session that set ``next_review``."""
    renewal_settled_on: dt.date | None = None
    """The day of the latest renew, retire or consolidate decision."""


@dataclass(frozen=True)
class Carried:
    initiative_id: int
    key: str
    reason: str


def renewal_horizon(quarter: Quarter, held_on: dt.date) -> dt.date:
    """When the session after next is expected: as far into the next quarter as this one is into its own."""
    offset = max(dt.timedelta(0), held_on - quarter.first_day)
    return quarter.next().first_day + offset


def carried_items(
    quarter: Quarter,
    held_on: dt.date,
    previous_quarter: str | None,
    previous_agenda: Sequence[PastItem],
    live: Iterable[Candidate],
) -> list[Carried]:
    """The items planning ``quarter`` (held on ``held_on``) carries onto its agenda, in order.

    ``previous_agenda`` is the agenda of the latest session before it; ``live`` the initiatives
    that are not retired (others are never carried).
    """
    live_by_id = {c.initiative_id: c for c in live if c.stage is not Stage.RETIRED}
    reasons: dict[int, list[str]] = {}
    keys: dict[int, str] = {}

    def carry(initiative_id: int, key: str, reason: str) -> None:
        keys[initiative_id] = key
        reasons.setdefault(initiative_id, []).append(reason)

    for item in previous_agenda:
        if item.initiative_id not in live_by_id:
            continue
        if item.outcome is None:
            carry(item.initiative_id, item.key, f"carried from {previous_quarter}: not reached")
        elif item.outcome in COMES_BACK:
            carry(item.initiative_id, item.key, f"carried from {previous_quarter}: decided {item.outcome.value}")
    horizon = renewal_horizon(quarter, held_on)
    renewals = sorted(
        (c for c in live_by_id.values() if renewal_due(c, horizon)),
        key=lambda c: (c.renewal_date, c.key),
    )
    for c in renewals:
        carry(c.initiative_id, c.key, f"contract renews {c.renewal_date.isoformat()}")
    reviews = sorted(
        (c for c in live_by_id.values() if c.next_review and quarter.first_day <= c.next_review <= quarter.last_day),
        key=lambda c: (c.next_review, c.key),
    )
    for c in reviews:
        where = f" (set in {c.next_review_quarter})" if c.next_review_quarter else ""
        carry(c.initiative_id, c.key, f"next review {c.next_review.isoformat()}{where}")
    return [Carried(i, keys[i], "; ".join(r)) for i, r in reasons.items()]


def renewal_due(candidate: Candidate, horizon: dt.date) -> bool:
    """A factory tool whose renewal falls before ``horizon`` and no decision has settled it yet."""
    renews = candidate.renewal_date
    if candidate.stage is not Stage.FACTORY or renews is None or renews >= horizon:
        return False
    settled = candidate.renewal_settled_on
    return settled is None or settled < renews - RENEWAL_COVER

"""Decision rights: who may sign off which of the board's decisions, up to what cost.

The operating model asks who may approve a pilot under a budget threshold, who signs off a production
deployment, and who decides whether a tool is renewed or sunset. A portfolio keeps a table of rights: each
names a kind of decision, a holder (a board role, or one named person) and optionally the highest quarterly
cost of an initiative the holder may sign off. Which kind a decision is follows from the initiative's stage
and the outcome (``kind_of``):

==================  ====================================================================
pilot approval      lab: promote (into a transition pilot) or iterate; transition: iterate
production sign-off transition: promote (into the factory)
renewal             factory: renew
sunset/retirement   factory: retire or consolidate
==================  ====================================================================

Kill and hold need no sign-off: stopping or pausing spend is always the board's to decide. A kind without
any right in the table needs none either (the rights are the portfolio's choice; a new portfolio has none).
When a kind has rights, a decision of that kind is recorded only with a sign-off by an attending person who
holds one covering the initiative's cost, and never by the initiative's owner.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.fields import check_money
from labreview.domain.vocabulary import BoardRole, RightKind, Stage, format_money
from labreview.domain.vocabulary import DecisionOutcome as O

KINDS: Mapping[tuple[Stage, O], RightKind] = {
    (Stage.LAB, O.PROMOTE): RightKind.PILOT,
    (Stage.LAB, O.ITERATE): RightKind.PILOT,
    (Stage.TRANSITION, O.ITERATE): RightKind.PILOT,
    (Stage.TRANSITION, O.PROMOTE): RightKind.PRODUCTION,
    (Stage.FACTORY, O.RENEW): RightKind.RENEWAL,
    (Stage.FACTORY, O.RETIRE): RightKind.SUNSET,
    (Stage.FACTORY, O.CONSOLIDATE): RightKind.SUNSET,
}
"""The kind of decision each outcome is, per stage; outcomes not listed need no sign-off."""

MOST_RIGHTS = 100
"""A portfolio's table of rights is short; this bounds a runaway import or script."""


@dataclass(frozen=True)
class Right:
    """One row of the table: the holder (a role or a person) may sign off ``kind`` up to ``cost_limit``."""

    right_id: int
    kind: RightKind
    role: BoardRole | None = None
    person_id: int | None = None
    person_name: str = ""
    cost_limit: int | None = None
    """Minor units of the initiative's quarterly cost; None: any cost."""

    def holder(self) -> str:
        if self.role is not None:
            return f"the {self.role.label}"
        return self.person_name

    def limit(self, currency: str = "EUR") -> str:
        """``any cost`` or ``up to EUR 25,000 a quarter``."""
        return "any cost" if self.cost_limit is None else f"up to {format_money(self.cost_limit, currency)} a quarter"

    def describe(self, currency: str = "EUR") -> str:
        """``the CMO / executive sponsor (any cost)``, ``Kim Lee (up to EUR 25,000 a quarter)``."""
        return f"{self.holder()} ({self.limit(currency)})"

    def held_by(self, signer: Signer) -> bool:
        if self.person_id is not None:
            return self.person_id == signer.person_id
        return self.role is not None and self.role is signer.role

    def covers(self, cost: int) -> bool:
        return self.cost_limit is None or cost <= self.cost_limit


@dataclass(frozen=True)
class Signer:
    """Somebody who might sign off: id, name, board role (None when not on the board), still active."""

    person_id: int
    name: str
    role: BoardRole | None = None
    active: bool = True


def money_apart(a: int, b: int, currency: str = "EUR") -> tuple[str, str]:
    """Two amounts in words that never read the same when they differ (cents shown when whole units would)."""
    cents = a != b and format_money(a, currency) == format_money(b, currency)
    return format_money(a, currency, cents=cents), format_money(b, currency, cents=cents)


def kind_of(stage: Stage, outcome: O) -> RightKind | None:
    """The kind of decision ``outcome`` is for an initiative in ``stage``; None when it needs no sign-off."""
    return KINDS.get((stage, outcome))


def outcomes_of(kind: RightKind) -> str:
    """The decisions a kind covers, in words: ``lab: promote, iterate; transition: iterate``."""
    by_stage: dict[Stage, list[str]] = {}
    for (stage, outcome), k in KINDS.items():
        if k is kind:
            by_stage.setdefault(stage, []).append(outcome.value)
    return "; ".join(f"{stage.label}: {', '.join(values)}" for stage, values in by_stage.items())


def validate_right(kind: RightKind, role: BoardRole | None, person_id: int | None, cost_limit: int | None) -> None:
    """A right names exactly one holder; a limit is a positive amount."""
    if (role is None) == (person_id is None):
        raise InvalidInput(f"A {kind.label} right is held by a board role or by one person; name one of them.")
    if cost_limit is not None and check_money(cost_limit) == 0:
        raise InvalidInput("A cost limit is a positive amount; leave it empty for any cost.")


def of_kind(kind: RightKind, rights: Iterable[Right]) -> list[Right]:
    return [r for r in rights if r.kind is kind]


def who_may(kind: RightKind, rights: Iterable[Right], currency: str = "EUR") -> str:
    """The holders of ``kind`` in words, for a refusal: ``the sponsor (any cost) or Kim Lee (up to …)``."""
    held = [r.describe(currency) for r in of_kind(kind, rights)]
    return " or ".join(held) if held else "nobody"


def refusal(
    kind: RightKind,
    *,
    key: str,
    cost: int,
    owner_id: int,
    signer: Signer,
    rights: Iterable[Right],
    attendees: Collection[int] | None,
    currency: str = "EUR",
) -> str | None:
    """Why ``signer`` may not sign off this decision (a sentence for the facilitator), or None when they may."""
    rights = of_kind(kind, rights)
    held = [r for r in rights if r.held_by(signer)]
    if signer.person_id == owner_id:
        return f"{signer.name} owns {key} and cannot sign off its own {kind.label}."
    if not signer.active:
        return f"{signer.name} is no longer active in the portfolio and cannot sign off."
    if not held:
        return f"{signer.name} holds no {kind.label} right; it is for {who_may(kind, rights, currency)}."
    if not any(r.covers(cost) for r in held):
        top = max(r.cost_limit or 0 for r in held)
        limit, costs = money_apart(top, cost, currency)
        return (
            f"{signer.name} may sign off {kind.label} up to {limit} a quarter; "
            f"{key} costs {costs}. It is for {who_may(kind, rights, currency)}."
        )
    if attendees is not None and signer.person_id not in attendees:
        return f"{signer.name} is not attending this session; only an attendee signs off."
    return None


def eligible(
    kind: RightKind,
    *,
    key: str,
    cost: int,
    owner_id: int,
    people: Iterable[Signer],
    rights: Iterable[Right],
    attendees: Collection[int] | None,
) -> list[Signer]:
    """The people who may sign off this decision, the natural signer first: the holder of the narrowest right
    that covers the cost (a delegated limit before "any cost"), then the one holding the fewest kinds of
    rights (marketing operations before the sponsor for a sunset), else as given. The sponsor who holds
    everything is the escalation, not the default."""
    every = list(rights)
    rights = of_kind(kind, every)
    found = [
        p
        for p in people
        if refusal(kind, key=key, cost=cost, owner_id=owner_id, signer=p, rights=rights, attendees=attendees) is None
    ]

    def natural(signer: Signer) -> tuple[float, int]:
        limits = [r.cost_limit for r in rights if r.held_by(signer) and r.covers(cost)]
        narrowest = min(float("inf") if limit is None else limit for limit in limits)
        return narrowest, len({r.kind for r in every if r.held_by(signer)})

    return sorted(found, key=natural)


def used(kind: RightKind, signer: Signer, cost: int, rights: Iterable[Right]) -> Right | None:
    """The right ``signer`` signs off under: the narrowest of theirs that covers ``cost``."""
    held = [r for r in of_kind(kind, rights) if r.held_by(signer) and r.covers(cost)]
    return min(held, key=lambda r: float("inf") if r.cost_limit is None else r.cost_limit, default=None)


def check(
    kind: RightKind | None,
    *,
    key: str,
    cost: int,
    owner_id: int,
    signer: Signer | None,
    rights: Iterable[Right],
    attendees: Collection[int] | None,
    currency: str = "EUR",
) -> None:
    """Raise ``PolicyRefusal`` in words unless the decision may be recorded with this sign-off (or without)."""
    rights = list(rights)
    governing = of_kind(kind, rights) if kind is not None else []
    if not governing:
        if signer is not None:
            what = f"No decision right is set for {kind.label}" if kind is not None else "This decision needs none"
            raise PolicyRefusal(f"{what}: record it without a sign-off (nobody under “Signed off by”).")
        return
    assert kind is not None
    if signer is None:
        raise PolicyRefusal(
            f"{key}'s {kind.label} ({format_money(cost, currency)} a quarter) needs a sign-off by "
            f"{who_may(kind, governing, currency)}; say who signs it off."
        )
    reason = refusal(
        kind,
        key=key,
        cost=cost,
        owner_id=owner_id,
        signer=signer,
        rights=governing,
        attendees=attendees,
        currency=currency,
    )
    if reason:
        raise PolicyRefusal(reason)

"""Budget mix: allocation by track against the 70/20/10 target, drift, and projections.

Amounts are integer minor units; shares and drift are ``Decimal`` percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Track

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TargetMix:
    """Target share of each track in percent; the three add up to 100."""

    factory: Decimal = Decimal(70)
    iterate: Decimal = Decimal(20)
    lab: Decimal = Decimal(10)

    def __post_init__(self) -> None:
        for track in Track:
            value = self.share(track)
            if not isinstance(value, Decimal) or value < 0:
                raise InvalidInput(f"The {track.label} target must be a percentage of 0 or more.")
        if self.factory + self.iterate + self.lab != HUNDRED:
            raise InvalidInput(
                f"The target mix must add up to 100 %; {self.factory}/{self.iterate}/{self.lab} "
                f"adds up to {self.factory + self.iterate + self.lab}."
            )

    @classmethod
    def parse(cls, text: str) -> TargetMix:
        """Read ``70/20/10`` (factory/iterate/lab)."""
        parts = [p.strip().rstrip("%") for p in str(text).replace(",", "/").split("/")]
        try:
            values = [Decimal(p) for p in parts]
        except ArithmeticError as exc:
            raise InvalidInput(f"'{text}' is not a mix; write it like 70/20/10.") from exc
        if len(values) != 3:
            raise InvalidInput(f"'{text}' is not a mix; write factory/iterate/lab like 70/20/10.")
        return cls(*values)

    def share(self, track: Track) -> Decimal:
        return getattr(self, track.value)

    def __str__(self) -> str:
        return "/".join(f"{self.share(t).normalize():f}" for t in Track)


@dataclass(frozen=True)
class Mix:
    """Money per track."""

    amounts: Mapping[Track, int] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Iterable[tuple[Track, int]]) -> Mix:
        amounts = {track: 0 for track in Track}
        for track, amount in lines:
            amounts[track if track.__class__ is Track else Track(track)] += int(amount)
        return cls(amounts)

    def amount(self, track: Track) -> int:
        return self.amounts.get(track, 0)

    @property
    def total(self) -> int:
        return sum(self.amount(t) for t in Track)

    def share(self, track: Track) -> Decimal:
        """Percent of the total (exact); 0 when the total is 0."""
        total = self.total
        return Decimal(self.amount(track)) * HUNDRED / Decimal(total) if total else Decimal(0)


@dataclass(frozen=True)
class TrackDrift:
    """How far a track is from its target: in percentage points and in money."""

    track: Track
    actual: Decimal
    target: Decimal
    points: Decimal
    money: int


def drift(mix: Mix, target: TargetMix) -> tuple[TrackDrift, ...]:
    """Drift per track; positive means over target. Money is minor units, rounded half-even."""
    total = Decimal(mix.total)
    result = []
    for track in Track:
        actual = mix.share(track)
        wanted = target.share(track)
        target_money = (total * wanted / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        result.append(
            TrackDrift(
                track=track,
                actual=actual,
                target=wanted,
                points=actual - wanted if total else Decimal(0),
                money=mix.amount(track) - int(target_money),
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class BudgetChange:
    """What a decision does to one initiative's line: a new track, or removal (track None)."""

    initiative_id: int
    track: Track | None


def project(lines: Mapping[int, tuple[Track, int]], changes: Iterable[BudgetChange]) -> Mix:
    """The mix after applying ``changes`` to per-initiative ``lines`` (id → (track, amount)).

    Later changes to the same initiative win. Lines not mentioned keep their track.
    """
    current = dict(lines)
    for change in changes:
        if change.initiative_id not in current:
            continue
        _, amount = current[change.initiative_id]
        if change.track is None:
            current[change.initiative_id] = (Track.LAB, 0)
        else:
            current[change.initiative_id] = (change.track, amount)
    return Mix.of(current.values())


def round_points(value: Decimal, places: int = 1) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Envelope:
    """A quarter's whole budget and the ring-fenced lab budget inside it (minor units)."""

    total: int
    lab: int = 0

    def __post_init__(self) -> None:
        if self.total < 0 or self.lab < 0:
            raise InvalidInput("A budget envelope cannot be negative.")
        if self.lab > self.total:
            raise InvalidInput(
                f"The ring-fenced lab budget ({self.lab / 100:,.2f}) cannot exceed the whole envelope "
                f"({self.total / 100:,.2f})."
            )


@dataclass(frozen=True)
class Headroom:
    """What is left of an envelope after the allocated lines; negative means over."""

    total: int
    lab: int
    operations: int
    """Factory and iterate lines against the envelope outside the lab ring-fence."""


def headroom(envelope: Envelope, mix: Mix) -> Headroom:
    lab = envelope.lab - mix.amount(Track.LAB)
    operations = (envelope.total - envelope.lab) - (mix.amount(Track.FACTORY) + mix.amount(Track.ITERATE))
    return Headroom(total=envelope.total - mix.total, lab=lab, operations=operations)


def proposed_lines(initiatives: Iterable[tuple[int, str, Track, int]]) -> dict[int, tuple[Track, int]]:
    """A quarter's budget lines as planning proposes them: each live initiative's quarterly cost on its track.

    ``initiatives`` are ``(id, stage, track, quarterly cost)``; retired ones and those that cost nothing
    get no line.
    """
    return {
        initiative_id: (track, int(cost))
        for initiative_id, stage, track, cost in initiatives
        if stage != "retired" and int(cost) > 0
    }

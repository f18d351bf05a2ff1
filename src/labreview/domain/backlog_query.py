"""What the backlog shows and in which order: plain values that screens, filter, index and SQL share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """What the backlog shows. Each tuple is "any of"; ``words`` must all occur."""

    words: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    tiers: tuple[int | None, ...] = ()
    gates: tuple[int | None, ...] = ()
    owners: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    on_agenda: bool = False
    agenda_session: int | None = None
    overlaps: bool = False
    """Only initiatives that overlap another (``domain.overlap``): resolved to ``only_keys`` by the backlog."""
    only_keys: frozenset[str] | None = None
    """Only these initiatives (None: no such limit); what ``overlaps`` comes to once the portfolio is read."""


@dataclass(frozen=True)
class Order:
    column: str = "key"
    descending: bool = False
    group_by_stage: bool = False
    weights: Mapping[str, float] = field(default_factory=dict)

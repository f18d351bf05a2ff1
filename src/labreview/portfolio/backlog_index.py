"""The backlog's filter and sort columns in memory, so that a keystroke costs milliseconds, not a table scan.

Loaded once per data revision with one Core query (about 0.5 s and 50 MiB at
100,000 initiatives), then each filter is a pass over plain Python lists and
each sort order is computed once and reused. Only ids come out: the rows on
screen are still read from the database by id (``Portfolio.backlog_rows_by_id``),
so what is shown is always current. It gives the same rows in the same order as
``labreview.store.queries.index`` (the SQL path, used while this is loading).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from labreview.domain.vocabulary import Stage
from labreview.store.filters import Filters, Order

STAGE_RANK = {stage.value: rank for rank, stage in enumerate(Stage)}
CRITERIA = ("outcome_impact", "operational_fit", "integration_burden", "data_risk", "economic_value")


@dataclass
class BacklogIndex:
    """Column lists, one entry per initiative, in key order."""

    ids: list[int]
    keys: list[str]
    titles: list[str]
    stages: list[str]
    categories: list[str]
    tracks: list[str]
    owners: list[str]
    owners_folded: list[str]
    costs: list[int]
    gates: list[int | None]
    tiers: list[int | None]
    scores: list[float | None]
    spreads: list[int | None]
    outcomes: list[str | None]
    quarters: list[str | None]
    texts: list[str]
    mark: int = 0
    """The newest audit record reflected here; ``Portfolio.backlog_memory_refresh`` patches what came after."""
    alive: bytearray = field(default_factory=bytearray, repr=False)
    """0 for initiatives that no longer exist (an undone creation)."""
    key_ordered: bool = True
    """Positions are in key order (true until an initiative is added by a patch), which makes sorts cheap."""
    _orders: dict[tuple[str, bool], list[int]] = field(default_factory=dict, repr=False)
    """Positions in each sort order asked for so far (NULLs last in both directions, as in SQL)."""
    _position: dict[int, int] | None = field(default=None, repr=False)
    _key_position: dict[str, int] | None = field(default=None, repr=False)
    _interned: dict[str, str] = field(default_factory=dict, repr=False)
    _weights: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, rows: Iterable[Sequence], weights: Mapping[str, float]) -> BacklogIndex:
        """From rows of ``store.queries.backlog_columns`` (id, key, title, stage, category, track, owner,
        cost, gate, tier, five criterion means, spread, outcome, quarter, search text), in key order."""
        index = cls(*([] for _ in range(16)))
        index._interned = {}
        index._weights = [float(weights.get(f"score_{c}", 1.0)) for c in CRITERIA]
        columns = index._columns()
        for row in rows:
            for column, value in zip(columns, index._values(row), strict=True):
                column.append(value)
        index.alive = bytearray(b"\x01") * len(index.ids)
        return index

    def patch(self, rows: Iterable[Sequence], asked: Iterable[int]) -> None:
        """Replace the rows of the initiatives ``asked`` for with ``rows`` (absent ones no longer exist)."""
        positions = self._positions()
        columns = self._columns()
        seen: set[int] = set()
        for row in rows:
            values = self._values(row)
            seen.add(values[0])
            position = positions.get(values[0])
            if position is None:
                positions[values[0]] = len(self.ids)
                for column, value in zip(columns, values, strict=True):
                    column.append(value)
                self.alive.append(1)
                self.key_ordered = False
            else:
                for column, value in zip(columns, values, strict=True):
                    column[position] = value
                self.alive[position] = 1
        for gone in set(asked) - seen:
            if gone in positions:
                self.alive[positions[gone]] = 0
        self._orders.clear()
        self._key_position = None

    def _columns(self) -> list[list]:
        return [self.ids, self.keys, self.titles, self.stages, self.categories, self.tracks, self.owners,
                self.owners_folded, self.costs, self.gates, self.tiers, self.scores, self.spreads, self.outcomes,
                self.quarters, self.texts]  # fmt: skip

    def _values(self, row: Sequence) -> tuple:
        (rid, key, title, stage, category, track, owner, cost, gate, tier,
         m1, m2, m3, m4, m5, spread, outcome, quarter, text) = row  # fmt: skip
        numerator = denominator = 0.0
        for w, mean in zip(self._weights, (m1, m2, m3, m4, m5), strict=True):
            if mean is not None:
                numerator += w * mean
                denominator += w
        interned = self._interned
        owner = interned.setdefault(owner, owner)
        return (
            rid, key, title, interned.setdefault(stage, stage), interned.setdefault(category, category),
            interned.setdefault(track, track), owner, interned.setdefault(owner + "\0", owner.lower()),
            cost, gate, tier, numerator / denominator if denominator else None, spread,
            outcome if outcome is None else interned.setdefault(outcome, outcome),
            quarter if quarter is None else interned.setdefault(quarter, quarter), text,
        )  # fmt: skip

    def __len__(self) -> int:
        return self.alive.count(1)

    def select(self, filters: Filters, order: Order, agenda_keys: Collection[str] = ()) -> list[int]:
        """Ids matching ``filters`` in ``order`` (grouped by stage first when the order says so)."""
        keep = self._matches(filters, agenda_keys)
        ordered = [i for i in self._order(order.column, order.descending) if keep[i]]
        if order.group_by_stage:
            buckets: dict[int, list[int]] = {}
            stages = self.stages
            for i in ordered:
                buckets.setdefault(STAGE_RANK.get(stages[i], 9), []).append(i)
            ordered = [i for rank in sorted(buckets) for i in buckets[rank]]
        ids = self.ids
        return [ids[i] for i in ordered]

    def id_of(self, key: str) -> int | None:
        if self._key_position is None:
            self._key_position = {k: i for i, k in enumerate(self.keys)}
        position = self._key_position.get(key)
        return None if position is None else self.ids[position]

    def stage_counts(self, ids: Iterable[int]) -> dict[Stage, int]:
        position = self._positions()
        counts = {stage: 0 for stage in Stage}
        for rid in ids:
            counts[Stage(self.stages[position[rid]])] += 1
        return counts

    # ------------------------------------------------------------------ filtering

    def _matches(self, filters: Filters, agenda_keys: Collection[str]) -> bytearray:
        n = len(self.ids)
        keep = bytearray(self.alive)
        tests: list[tuple[list, object]] = []
        for values, column in (
            (filters.stages, self.stages),
            (filters.categories, self.categories),
            (filters.tracks, self.tracks),
            (filters.outcomes, self.outcomes),
            (filters.tiers, self.tiers),
            (filters.gates, self.gates),
        ):
            if values:
                tests.append((column, frozenset(values)))
        for column, allowed in tests:
            for i in range(n):
                if keep[i] and column[i] not in allowed:
                    keep[i] = 0
        for word in filters.words:
            needle = word.lower()
            texts = self.texts
            for i in range(n):
                if keep[i] and needle not in texts[i]:
                    keep[i] = 0
        if filters.owners:
            wanted = [o.lower() for o in filters.owners]
            folded = self.owners_folded
            for i in range(n):
                if keep[i] and not any(o in folded[i] for o in wanted):
                    keep[i] = 0
        if filters.on_agenda:
            agenda = set(agenda_keys)
            keys = self.keys
            for i in range(n):
                if keep[i] and keys[i] not in agenda:
                    keep[i] = 0
        return keep

    # ------------------------------------------------------------------ ordering

    def _order(self, column: str, descending: bool) -> list[int]:
        cached = self._orders.get((column, descending))
        if cached is not None:
            return cached
        values = self._sort_values(column)
        keys = self.keys
        n = len(keys)
        if self.key_ordered:
            # Positions already run in key order and Python's sort is stable, so sorting by the value
            # alone keeps ties in key order (descending: start from the end for key-descending ties).
            base = range(n - 1, -1, -1) if descending else range(n)
            present = [i for i in base if values[i] is not None]
            missing = [i for i in base if values[i] is None]
            present.sort(key=values.__getitem__, reverse=descending)
        else:
            present = [i for i in range(n) if values[i] is not None]
            missing = [i for i in range(n) if values[i] is None]
            present.sort(key=lambda i: (values[i], keys[i]), reverse=descending)
            missing.sort(key=keys.__getitem__, reverse=descending)
        order = present + missing
        self._orders[(column, descending)] = order
        return order

    def _sort_values(self, column: str) -> list:
        if column == "stage":
            return [STAGE_RANK.get(s, 9) for s in self.stages]
        if column == "gate":
            return [5 if g is None else g for g in self.gates]
        return {
            "key": self.keys,
            "title": self.titles,
            "category": self.categories,
            "owner": self.owners,
            "cost": self.costs,
            "track": self.tracks,
            "tier": self.tiers,
            "score": self.scores,
            "spread": self.spreads,
            "decision": self.quarters,
        }.get(column, self.keys)

    def _positions(self) -> dict[int, int]:
        if self._position is None:
            self._position = {rid: i for i, rid in enumerate(self.ids)}
        return self._position

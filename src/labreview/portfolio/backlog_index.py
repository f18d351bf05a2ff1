"""The backlog's filter and sort columns in memory, so that a keystroke costs milliseconds, not a table scan.

Loaded once after start-up with one streamed Core query (about 1 s and 35 MiB at
100,000 initiatives), then patched from the audit log after each change
(``Portfolio.backlog_memory_refresh``). A filter is a pass over compact arrays,
free words are found with ``str.find`` in one joined text (C speed, then only
the hits are looked at), and each sort order is computed once and reused. Only
ids come out: the rows on screen are read from the database by id, so what is
shown is always current. It gives the same rows in the same order as
``labreview.store.queries.index`` (the SQL path, used until this has loaded);
``tests/unit/test_backlog_index.py`` checks that for every filter and sort.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from labreview.domain.vocabulary import Category, DecisionOutcome, Stage, Track
from labreview.store.filters import Filters, Order

CRITERIA = ("outcome_impact", "operational_fit", "integration_burden", "data_risk", "economic_value")
STAGES = [s.value for s in Stage]
SEPARATOR = "\x00"
"""Between the texts in the joined search text (never typed into a filter)."""
NONE = 255
"""The byte code of a missing value in the small-number columns."""


class _Codes:
    """Small integer codes for the few distinct strings of a column (stage, category, owner…)."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.values: list[str] = []
        self.code: dict[str, int] = {}
        for value in known:
            self(value)

    def __call__(self, value: str) -> int:
        code = self.code.get(value)
        if code is None:
            code = self.code[value] = len(self.values)
            self.values.append(value)
        return code

    def rank(self) -> list[int]:
        """Sort rank of each code (binary string order, as SQLite's)."""
        ranks = [0] * len(self.values)
        for rank, code in enumerate(sorted(range(len(self.values)), key=self.values.__getitem__)):
            ranks[code] = rank
        return ranks


@dataclass
class BacklogIndex:
    """One entry per initiative in each column; positions start in key order."""

    ids: array = field(default_factory=lambda: array("q"))
    keys: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    stages: bytearray = field(default_factory=bytearray)
    categories: bytearray = field(default_factory=bytearray)
    tracks: bytearray = field(default_factory=bytearray)
    owners: array = field(default_factory=lambda: array("l"))
    costs: array = field(default_factory=lambda: array("q"))
    gates: bytearray = field(default_factory=bytearray)
    tiers: bytearray = field(default_factory=bytearray)
    scores: array = field(default_factory=lambda: array("d"))
    spreads: bytearray = field(default_factory=bytearray)
    outcomes: bytearray = field(default_factory=bytearray)
    quarters: list[str | None] = field(default_factory=list)
    alive: bytearray = field(default_factory=bytearray)
    """0 for initiatives that no longer exist (an undone creation)."""
    mark: int = 0
    """The newest audit record reflected here; ``Portfolio.backlog_memory_refresh`` patches what came after."""
    key_ordered: bool = True
    """Positions are in key order (true until a patch adds an initiative), which makes sorts cheap."""
    _text: str = ""
    _starts: array = field(default_factory=lambda: array("q"))
    _patched_text: dict[int, str] = field(default_factory=dict)
    """Search texts of positions changed since the joined text was made (their slot there is stale)."""
    _weights: tuple[float, ...] = (1.0,) * 5
    _stage_codes: _Codes = field(default_factory=lambda: _Codes(STAGES))
    _category_codes: _Codes = field(default_factory=lambda: _Codes(c.value for c in Category))
    _track_codes: _Codes = field(default_factory=lambda: _Codes(t.value for t in Track))
    _outcome_codes: _Codes = field(default_factory=lambda: _Codes(["", *(o.value for o in DecisionOutcome)]))
    _owner_codes: _Codes = field(default_factory=_Codes)
    _owner_folded: list[str] = field(default_factory=list)
    _orders: dict[tuple[str, bool], list[int]] = field(default_factory=dict, repr=False)
    _position: dict[int, int] | None = field(default=None, repr=False)
    _key_position: dict[str, int] | None = field(default=None, repr=False)
    _last: tuple[Filters, frozenset[str], bytearray] | None = field(default=None, repr=False)
    """The last filter and its result, for narrowing while a word is typed on."""

    # ------------------------------------------------------------------ loading and patching

    @classmethod
    def build(
        cls, rows: Iterable[Sequence], search: tuple[str, Sequence[int]], weights: Mapping[str, float]
    ) -> BacklogIndex:
        """From ``store.queries.backlog_columns`` rows (id, key, title, stage, category, track, owner, cost,
        gate, tier, five criterion means, spread, outcome, quarter) and ``backlog_search_text``, in key order."""
        index = cls(_weights=tuple(float(weights.get(f"score_{c}", 1.0)) for c in CRITERIA))
        for row in rows:
            index._append(row)
        text, lengths = search
        if len(lengths) != len(index.ids):
            raise ValueError("the search texts and the rows were read from different data")
        starts = array("q")
        offset = 0
        for length in lengths:
            starts.append(offset)
            offset += length + 1
        index._text, index._starts = text, starts
        return index

    def patch(self, rows: Iterable[Sequence], asked: Iterable[int]) -> None:
        """Replace the rows of the initiatives ``asked`` for with ``rows`` (absent ones no longer exist)."""
        positions = self._positions()
        seen: set[int] = set()
        for row in rows:
            rid = int(row[0])
            seen.add(rid)
            position = positions.get(rid)
            if position is None:
                positions[rid] = len(self.ids)
                self._append(row)
                self._patched_text[positions[rid]] = row[-1]
                self.key_ordered = False
            else:
                self._set(position, row)
                self._patched_text[position] = row[-1]
                self.alive[position] = 1
        for gone in set(asked) - seen:
            if gone in positions:
                self.alive[positions[gone]] = 0
        self._orders.clear()
        self._key_position = None
        self._last = None

    def _append(self, row: Sequence) -> None:
        self.ids.append(int(row[0]))
        self.keys.append(row[1])
        self.titles.append(row[2])
        for column in (self.stages, self.categories, self.tracks, self.gates, self.tiers, self.spreads,
                       self.outcomes, self.alive):  # fmt: skip
            column.append(0)
        self.owners.append(0)
        self.costs.append(0)
        self.scores.append(0.0)
        self.quarters.append(None)
        self._set(len(self.ids) - 1, row)

    def _set(self, i: int, row: Sequence) -> None:
        (_rid, key, title, stage, category, track, owner, cost, gate, tier,
         m1, m2, m3, m4, m5, spread, outcome, quarter) = row[:18]  # fmt: skip
        numerator = denominator = 0.0
        for weight, mean in zip(self._weights, (m1, m2, m3, m4, m5), strict=True):
            if mean is not None:
                numerator += weight * mean
                denominator += weight
        self.keys[i] = key
        self.titles[i] = title
        self.stages[i] = self._stage_codes(stage)
        self.categories[i] = self._category_codes(category)
        self.tracks[i] = self._track_codes(track)
        code = self._owner_codes(owner)
        if code == len(self._owner_folded):
            self._owner_folded.append(owner.lower())
        self.owners[i] = code
        self.costs[i] = cost
        self.gates[i] = NONE if gate is None else gate
        self.tiers[i] = NONE if tier is None else tier
        self.scores[i] = numerator / denominator if denominator else math.nan
        self.spreads[i] = NONE if spread is None else min(spread, NONE - 1)
        self.outcomes[i] = self._outcome_codes(outcome or "")
        self.quarters[i] = quarter
        self.alive[i] = 1

    def __len__(self) -> int:
        return self.alive.count(1)

    # ------------------------------------------------------------------ queries

    def select(self, filters: Filters, order: Order, agenda_keys: Collection[str] = ()) -> list[int]:
        """Ids matching ``filters`` in ``order`` (grouped by stage first when the order says so)."""
        keep = self._matches(filters, agenda_keys)
        self._last = (filters, frozenset(agenda_keys), keep)
        ordered = [i for i in self._order(order.column, order.descending) if keep[i]]
        if order.group_by_stage:
            stages = self.stages
            buckets: dict[int, list[int]] = {}
            for i in ordered:
                buckets.setdefault(stages[i], []).append(i)
            ordered = [i for code in sorted(buckets) for i in buckets[code]]
        ids = self.ids
        return [ids[i] for i in ordered]

    def id_of(self, key: str) -> int | None:
        if self._key_position is None:
            self._key_position = {k: i for i, k in enumerate(self.keys) if self.alive[i]}
        position = self._key_position.get(key)
        return None if position is None else self.ids[position]

    def stage_counts(self, ids: Iterable[int]) -> dict[Stage, int]:
        position = self._positions()
        counts = {stage: 0 for stage in Stage}
        stages = self.stages
        for rid in ids:
            counts[Stage(STAGES[stages[position[rid]]])] += 1
        return counts

    def _positions(self) -> dict[int, int]:
        if self._position is None:
            self._position = {rid: i for i, rid in enumerate(self.ids)}
        return self._position

    # ------------------------------------------------------------------ filtering

    def _matches(self, filters: Filters, agenda_keys: Collection[str]) -> bytearray:
        """A byte per position: 1 when the initiative passes every part of the filter."""
        candidates: list[int] | None = None  # None: every living position
        for values, column, codes in (
            (filters.stages, self.stages, self._stage_codes),
            (filters.categories, self.categories, self._category_codes),
            (filters.tracks, self.tracks, self._track_codes),
            (filters.outcomes, self.outcomes, self._outcome_codes),
        ):
            if values:
                wanted = {codes.code.get(v, -1) for v in values}
                candidates = self._narrow(candidates, lambda i, c=column, w=wanted: c[i] in w)
        for values, column in ((filters.tiers, self.tiers), (filters.gates, self.gates)):
            if values:
                wanted = {NONE if v is None else v for v in values}
                candidates = self._narrow(candidates, lambda i, c=column, w=wanted: c[i] in w)
        if filters.owners:
            folded = [o.lower() for o in filters.owners]
            matching = {code for code, name in enumerate(self._owner_folded) if any(o in name for o in folded)}
            owners = self.owners
            candidates = self._narrow(candidates, lambda i: owners[i] in matching)
        if filters.on_agenda:
            agenda = set(agenda_keys)
            keys = self.keys
            candidates = self._narrow(candidates, lambda i: keys[i] in agenda)
        narrowed = self._narrowing(filters, agenda_keys)
        for word in filters.words:
            if narrowed is not None:  # typing on: the last result already holds every match
                candidates = [i for i in (candidates or range(len(self.ids))) if narrowed[i]]
                narrowed = None
            candidates = self._with_word(candidates, word.lower())
        keep = bytearray(len(self.ids))
        if candidates is None:
            keep[:] = self.alive
        else:
            alive = self.alive
            for i in candidates:
                if alive[i]:
                    keep[i] = 1
        return keep

    def _narrowing(self, filters: Filters, agenda_keys: Collection[str]) -> bytearray | None:
        """The last result, when ``filters`` can only match a subset of it: the same facets, and each word
        containing the word at its place before (typing one more character)."""
        last = self._last
        if last is None or not filters.words:
            return None
        previous, agenda, keep = last
        if replace(previous, words=()) != replace(filters, words=()) or agenda != frozenset(agenda_keys):
            return None
        if len(previous.words) > len(filters.words) or not all(
            old.lower() in new.lower() for old, new in zip(previous.words, filters.words, strict=False)
        ):
            return None
        return keep if len(keep) == len(self.ids) else None

    def _narrow(self, candidates: list[int] | None, test: Callable[[int], bool]) -> list[int]:
        pool = range(len(self.ids)) if candidates is None else candidates
        return [i for i in pool if test(i)]

    def _with_word(self, candidates: list[int] | None, needle: str) -> list[int]:
        """Positions whose search text contains ``needle``: found in the joined text, then kept if candidates."""
        if not needle or SEPARATOR in needle:
            return list(range(len(self.ids))) if candidates is None else candidates
        text, starts, patched = self._text, self._starts, self._patched_text
        if candidates is not None and len(candidates) < 2000:  # few left: look at each one
            result = []
            for i in candidates:
                if i in patched:
                    found = needle in patched[i]
                elif i < len(starts):
                    end = starts[i + 1] - 1 if i + 1 < len(starts) else len(text) - 1
                    found = text.find(needle, starts[i], end) != -1
                else:
                    found = False
                if found:
                    result.append(i)
            return result
        if text.count(needle) > len(starts) // 8:  # found nearly everywhere: one look per row is cheaper
            ends = self._ends()
            pool = range(len(starts)) if candidates is None else [i for i in candidates if i < len(starts)]
            hits = [i for i in pool if i not in patched and text.find(needle, starts[i], ends[i]) != -1]
            hits.extend(i for i, value in patched.items() if needle in value)
            if candidates is not None:
                allowed = set(candidates)
                hits = [i for i in hits if i in allowed]
            return hits
        hits: list[int] = []
        position = text.find(needle)
        last = -1
        while position != -1:
            row = bisect_right(starts, position) - 1
            if row != last and row not in patched:
                hits.append(row)
                last = row
            end = starts[row + 1] if row + 1 < len(starts) else len(text)
            position = text.find(needle, end)
        hits.extend(i for i, value in patched.items() if needle in value)
        if candidates is not None:
            allowed = set(candidates)
            hits = [i for i in hits if i in allowed]
        return hits

    def _ends(self) -> array:
        starts = self._starts
        ends = array("q", starts[1:])
        ends.append(len(self._text))
        return ends

    # ------------------------------------------------------------------ ordering

    def _order(self, column: str, descending: bool) -> list[int]:
        cached = self._orders.get((column, descending))
        if cached is not None:
            return cached
        values = self._sort_values(column)
        n = len(self.ids)
        if self.key_ordered:
            # Positions run in key order and Python's sort is stable, so sorting by the value alone
            # keeps ties in key order (descending: start from the end, for key-descending ties).
            base = range(n - 1, -1, -1) if descending else range(n)
            present = [i for i in base if values[i] is not None]
            missing = [i for i in base if values[i] is None]
            present.sort(key=values.__getitem__, reverse=descending)
        else:
            keys = self.keys
            present = [i for i in range(n) if values[i] is not None]
            missing = [i for i in range(n) if values[i] is None]
            present.sort(key=lambda i: (values[i], keys[i]), reverse=descending)
            missing.sort(key=keys.__getitem__, reverse=descending)
        order = present + missing
        self._orders[(column, descending)] = order
        return order

    def _sort_values(self, column: str) -> Sequence:
        """The value each position sorts by (None sorts last in both directions, as NULLS LAST)."""
        if column in ("key", "title"):
            return self.keys if column == "key" else self.titles
        if column == "stage":
            return self.stages
        if column == "gate":
            return [5 if g == NONE else g for g in self.gates]
        if column in ("tier", "spread"):
            return [None if v == NONE else v for v in (self.tiers if column == "tier" else self.spreads)]
        if column == "score":
            return [None if math.isnan(v) else v for v in self.scores]
        if column == "cost":
            return self.costs
        if column == "decision":
            return self.quarters
        codes = {
            "category": (self.categories, self._category_codes),
            "track": (self.tracks, self._track_codes),
            "owner": (self.owners, self._owner_codes),
        }.get(column)
        if codes is None:
            return self.keys
        column_codes, table = codes
        rank = table.rank()
        return [rank[c] for c in column_codes]

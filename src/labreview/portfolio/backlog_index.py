"""The backlog's filter and sort columns in memory, so that a keystroke costs milliseconds, not a table scan.

Loaded once after start-up with one streamed Core query (about 1 s and 35 MiB at
100,000 initiatives), then patched after each change with the initiatives it
touched (``Portfolio.backlog_memory_refresh``, driven by ``portfolio.backlog.Backlog``).
A filter is a pass over compact arrays, free words are found with ``str.find`` in
one joined text (C speed, then only the hits are looked at), and each sort order
is computed once and reused. Only ids come out: the rows on screen are read from
the database by id, so what is shown is always current. It gives the same rows in the same order as
``labreview.store.queries.index`` (the SQL path, used until this has loaded);
``tests/portfolio/test_backlog_index.py`` checks that for every filter and sort.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, repeat

from labreview.domain.backlog_query import Filters, Order
from labreview.domain.vocabulary import Category, DecisionOutcome, Stage, Track

CRITERIA = ("outcome_impact", "operational_fit", "integration_burden", "data_risk", "economic_value")
STAGES = [s.value for s in Stage]
SEPARATOR = "\x00"
"""Between the texts in the joined search text (never typed into a filter)."""
NONE = 255
"""The byte code of a missing value in the small-number columns."""
_NEVER_MISSING = frozenset({"cost", "owner"})
"""Sort columns with a value on every row (``_sort_values`` never gives None for them)."""


class _Places:
    """Id → position, as an array indexed by id (ids are dense: 0.8 MB at 100,000, where a dict took 10)."""

    def __init__(self, ids: Iterable[int]) -> None:
        ids = array("q", ids)
        self._at = at = array("q", bytes(8 * (max(ids, default=0) + 1)))  # position + 1 at each id; 0: none
        for position, rid in enumerate(ids, 1):
            at[rid] = position

    def __setitem__(self, rid: int, position: int) -> None:
        at = self._at
        if rid >= len(at):
            at.extend(bytes(8 * (max(rid + 1, len(at) * 9 // 8) - len(at))))
        at[rid] = position + 1

    def get(self, rid: int, default: int | None = None) -> int | None:
        at = self._at
        return at[rid] - 1 if 0 <= rid < len(at) and at[rid] else default

    def __contains__(self, rid: int) -> bool:
        return self.get(rid) is not None

    def many(self, ids: Iterable[int]) -> array:
        """The positions of ``ids`` in their order; ids not here are skipped."""
        at, top = self._at, len(self._at)
        return array("l", [at[rid] - 1 for rid in ids if 0 <= rid < top and at[rid]])


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
    title_order: array | None = None
    """Positions in title order (from SQL: the titles themselves are not kept, to save memory)."""
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
    _text: bytes | bytearray = b""
    """Every search text in key order, UTF-8, NUL between them: ``bytes.find`` scans it at memory speed."""
    _starts: array = field(default_factory=lambda: array("q"))
    _ends: array = field(default_factory=lambda: array("q"))
    """Where each row's text starts and ends in ``_text``."""
    _patched_text: dict[int, str] = field(default_factory=dict)
    """Search texts of positions changed since the joined text was made (their slot there is stale)."""
    _weights: tuple[float, ...] = (1.0,) * 5
    _stage_codes: _Codes = field(default_factory=lambda: _Codes(STAGES))
    _category_codes: _Codes = field(default_factory=lambda: _Codes(c.value for c in Category))
    _track_codes: _Codes = field(default_factory=lambda: _Codes(t.value for t in Track))
    _outcome_codes: _Codes = field(default_factory=lambda: _Codes(["", *(o.value for o in DecisionOutcome)]))
    _owner_codes: _Codes = field(default_factory=_Codes)
    _owner_folded: list[str] = field(default_factory=list)
    _orders: dict[tuple[str, bool], array] = field(default_factory=dict, repr=False)
    _position: _Places | None = field(default=None, repr=False)
    _quarter_values: dict[str | None, str | None] = field(default_factory=dict, repr=False)
    _key_position: dict[str, int] | None = field(default=None, repr=False)
    _results: dict = field(default_factory=dict, repr=False)
    """Answers worth keeping until the next patch: the unfiltered backlog per order, and where short words are."""
    _last: tuple[Filters, frozenset[str], bytes] | None = field(default=None, repr=False)
    """The last filter and its result, for narrowing while a word is typed on."""
    _counted: tuple[array, bytes] | None = field(default=None, repr=False)
    """The last ids ``select`` gave and the mask they came from (``stage_counts`` of them is cheap)."""

    # ------------------------------------------------------------------ loading and patching

    @classmethod
    def build(
        cls, rows: Iterable[Sequence], search: tuple[bytes | bytearray, Iterable[int]], weights: Mapping[str, float]
    ) -> BacklogIndex:
        """From ``store.queries.backlog_columns`` rows (id, key, title, stage, category, track, owner, cost,
        gate, tier, five criterion means, spread, outcome, quarter) and ``backlog_search_text``, in key order.

        Column by column over chunks of rows (comprehensions, not a method call per row): at
        100,000 initiatives this runs while the facilitator looks at the first screen.
        """
        index = cls(_weights=tuple(float(weights.get(f"score_{c}", 1.0)) for c in CRITERIA))
        chunk: list[Sequence] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 4000:
                index._extend(chunk)
                chunk = []
        if chunk:
            index._extend(chunk)
        text, lengths = search
        offset = 0
        starts, ends = index._starts, index._ends
        for length in lengths:
            starts.append(offset)
            ends.append(offset + length)
            offset += length + 1
        if len(starts) != len(index.ids) or offset != len(text):
            raise ValueError("the search texts and the rows were read from different data")
        index._text = text
        index._key_positions()
        return index

    def order_titles(self, ids_by_title: Iterable[int]) -> None:
        """Take the title order (ids from SQL) as positions; initiatives no longer here are skipped."""
        self.title_order = self._positions().many(ids_by_title)
        self._orders.pop(("title", False), None)
        self._orders.pop(("title", True), None)
        self._results.clear()

    def _extend(self, chunk: list[Sequence]) -> None:
        def coded(codes: _Codes, position: int) -> bytes:
            lookup, add = codes.code.get, codes
            return bytes(lookup(r[position]) if r[position] in codes.code else add(r[position]) for r in chunk)

        self.ids.extend(r[0] for r in chunk)
        self.keys.extend(r[1] for r in chunk)
        self.stages.extend(coded(self._stage_codes, 3))
        self.categories.extend(coded(self._category_codes, 4))
        self.tracks.extend(coded(self._track_codes, 5))
        owners = self._owner_codes
        for r in chunk:
            if r[6] not in owners.code:
                owners(r[6])
                self._owner_folded.append(r[6].lower())
        self.owners.extend(owners.code[r[6]] for r in chunk)
        self.costs.extend(r[7] for r in chunk)
        self.gates.extend(NONE if r[8] is None else r[8] for r in chunk)
        self.tiers.extend(NONE if r[9] is None else r[9] for r in chunk)
        self.scores.extend(self._score(r[10:15]) for r in chunk)
        self.spreads.extend(NONE if r[15] is None else min(r[15], NONE - 1) for r in chunk)
        outcomes = self._outcome_codes
        self.outcomes.extend(outcomes.code.get(r[16] or "") or outcomes(r[16] or "") for r in chunk)
        self.quarters.extend(self._quarter_values.setdefault(r[17], r[17]) for r in chunk)  # one str per quarter
        self.alive.extend(b"\x01" * len(chunk))

    def _score(self, means: Sequence[float | None]) -> float:
        numerator = denominator = 0.0
        for weight, mean in zip(self._weights, means, strict=True):
            if mean is not None:
                numerator += weight * mean
                denominator += weight
        return numerator / denominator if denominator else math.nan

    def patch(self, rows: Iterable[Sequence], asked: Iterable[int]) -> None:
        """Replace the rows of the initiatives ``asked`` for with ``rows`` (absent ones no longer exist)."""
        positions = self._positions()
        key_position = self._key_positions()  # kept up to date, not rebuilt: it outlives the patch
        seen: set[int] = set()
        for row in rows:
            rid = int(row[0])
            seen.add(rid)
            position = positions.get(rid)
            if position is None:
                positions[rid] = position = len(self.ids)
                self._append(row)
                self.key_ordered = False
            else:
                if key_position.get(self.keys[position]) == position:
                    del key_position[self.keys[position]]
                self._set(position, row)
            self._patched_text[position] = row[-1]
            key_position[self.keys[position]] = position
        for gone in set(asked) - seen:
            position = positions.get(gone)
            if position is not None:
                self.alive[position] = 0
                if key_position.get(self.keys[position]) == position:
                    del key_position[self.keys[position]]
        self._orders.clear()
        self._results.clear()
        self._last = None
        self._counted = None

    def _append(self, row: Sequence) -> None:
        self.ids.append(int(row[0]))
        self.keys.append(row[1])
        for column in (self.stages, self.categories, self.tracks, self.gates, self.tiers, self.spreads,
                       self.outcomes, self.alive):  # fmt: skip
            column.append(0)
        self.owners.append(0)
        self.costs.append(0)
        self.scores.append(0.0)
        self.quarters.append(None)
        self._set(len(self.ids) - 1, row)

    def _set(self, i: int, row: Sequence) -> None:
        (_rid, key, _title, stage, category, track, owner, cost, gate, tier,
         m1, m2, m3, m4, m5, spread, outcome, quarter) = row[:18]  # fmt: skip
        self.keys[i] = key
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
        self.scores[i] = self._score((m1, m2, m3, m4, m5))
        self.spreads[i] = NONE if spread is None else min(spread, NONE - 1)
        self.outcomes[i] = self._outcome_codes(outcome or "")
        self.quarters[i] = quarter
        self.alive[i] = 1

    def __len__(self) -> int:
        return self.alive.count(1)

    # ------------------------------------------------------------------ queries

    def select(self, filters: Filters, order: Order, agenda_keys: Collection[str] = ()) -> array:
        """Ids matching ``filters`` in ``order`` (grouped by stage first when the order says so)."""
        unfiltered = replace(filters, agenda_session=None) == Filters()
        cache_key = ("\0all", order.column, order.descending, order.group_by_stage)
        if unfiltered and cache_key in self._results:
            self._last = None
            return self._results[cache_key]
        keep = self._matches(filters, agenda_keys)
        self._last = (filters, frozenset(agenda_keys), keep)
        positions = self._ordered(keep, order.column, order.descending)
        if order.group_by_stage:  # stable: each stage's rows keep their order
            positions = array("l", positions)
            in_order = bytes(map(self.stages.__getitem__, positions))
            grouped = array("l")
            for code in sorted(set(in_order)):
                grouped.extend(compress(positions, in_order.translate(_table({code}))))
            positions = grouped
        result = array("q", map(self.ids.__getitem__, positions))
        self._counted = (result, keep)
        if unfiltered:  # the whole backlog in this order, shown again and again: keep the last two orders
            for stale in [k for k in self._results if isinstance(k, tuple)][:-1]:
                del self._results[stale]
            self._results[cache_key] = result
        return result

    def _ordered(self, keep: bytes, column: str, descending: bool) -> Iterable[int]:
        """The positions marked in ``keep``, in the order of ``column``."""
        n = len(self.ids)
        if column == "key" and self.key_ordered:
            return compress(range(n - 1, -1, -1), keep[::-1]) if descending else compress(range(n), keep)
        order = self._order(column, descending)
        if keep.count(1) == n:
            return order
        return compress(order, bytes(map(keep.__getitem__, order)))

    def id_of(self, key: str) -> int | None:
        position = self._key_positions().get(key)
        return None if position is None else self.ids[position]

    def _key_positions(self) -> dict[str, int]:
        if self._key_position is None:
            self._key_position = {k: i for i, k in enumerate(self.keys) if self.alive[i]}
        return self._key_position

    def stage_counts(self, ids: Iterable[int]) -> dict[Stage, int]:
        counted = self._counted
        if counted is not None and counted[0] is ids:  # the last answer: count its stages in one pass
            codes = bytes(compress(self.stages, counted[1]))
            tally = {code: codes.count(code) for code in set(codes)}
        else:
            tally = Counter(map(self.stages.__getitem__, self._positions().many(ids)))
        counts = dict.fromkeys(Stage, 0)
        for code, number in tally.items():
            counts[Stage(STAGES[code])] += number
        return counts

    def _positions(self) -> _Places:
        if self._position is None:
            self._position = _Places(self.ids)
        return self._position

    # ------------------------------------------------------------------ filtering

    def _matches(self, filters: Filters, agenda_keys: Collection[str]) -> bytes:
        """A byte per position: 1 when the initiative passes every part of the filter.

        Each part makes such a mask in C (``bytes.translate`` of a byte column, ``map`` over the owner
        codes); masks are combined with one ``&`` of two big integers.
        """
        masks: list[bytes] = []
        for values, column, codes in (
            (filters.stages, self.stages, self._stage_codes),
            (filters.categories, self.categories, self._category_codes),
            (filters.tracks, self.tracks, self._track_codes),
            (filters.outcomes, self.outcomes, self._outcome_codes),
        ):
            if values:
                masks.append(column.translate(_table({codes.code.get(v, -1) for v in values})))
        for values, column in ((filters.tiers, self.tiers), (filters.gates, self.gates)):
            if values:
                masks.append(column.translate(_table({NONE if v is None else v for v in values})))
        if filters.owners:
            folded = [o.lower() for o in filters.owners]
            matching = {code for code, name in enumerate(self._owner_folded) if any(o in name for o in folded)}
            masks.append(bytes(map(matching.__contains__, self.owners)))
        if filters.on_agenda:
            on, where = bytearray(len(self.ids)), self._key_positions()  # living initiatives only
            for key in agenda_keys:
                if key in where:
                    on[where[key]] = 1
            masks.append(bytes(on))
        if filters.only_keys is not None:
            only, where = bytearray(len(self.ids)), self._key_positions()
            for key in filters.only_keys:
                if key in where:
                    only[where[key]] = 1
            masks.append(bytes(only))
        mask = _both(bytes(self.alive), *masks)
        narrowed = self._narrowing(filters, agenda_keys)
        if narrowed is not None:  # typing on: the last result already holds every match
            mask = _both(mask, narrowed)
        for word in filters.words:
            mask = self._with_word(mask, word.lower())
        return mask

    def _narrowing(self, filters: Filters, agenda_keys: Collection[str]) -> bytes | None:
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

    def _with_word(self, mask: bytes, needle: str) -> bytes:
        """``mask`` with only the positions whose search text contains ``needle`` left.

        Three ways, cheapest first: few positions left (typing on) → look at each; the word is rare
        → find its occurrences in the joined text and map them to rows; it is everywhere → one
        bounded ``find`` per row (run by ``map``, in C). Texts changed since loading are looked at on
        their own. What a whole search found is kept for short words (typed again and again).
        """
        if not needle or SEPARATOR in needle:
            return mask
        text, starts, ends, patched = self._text, self._starts, self._ends, self._patched_text
        word = needle.encode("utf-8", "surrogatepass")
        n, rows = len(self.ids), len(starts)
        hits = self._results.get(word)
        if hits is None and mask.count(1) < rows // 8:
            find = text.find
            kept = bytearray(n)
            for i in compress(range(n), mask):
                if needle in patched[i] if i in patched else i < rows and find(word, starts[i], ends[i]) >= 0:
                    kept[i] = 1
            return bytes(kept)
        if hits is None:
            found = bytearray(rows)
            find = text.find
            position, seen = find(word), 0
            while position >= 0:
                row = bisect_right(starts, position) - 1
                found[row] = 1
                seen += 1
                if seen % 512 == 0 and seen * 8 > row:  # found nearly everywhere: ask each row left instead
                    rest = range(row + 1, rows)
                    found[row + 1 :] = bytes(
                        map((-1).__lt__, map(find, repeat(word, len(rest)), starts[row + 1 :], ends[row + 1 :]))
                    )
                    break
                position = find(word, ends[row])
            found.extend(bytes(n - rows))
            for i, value in patched.items():
                found[i] = needle in value
            hits = bytes(found)
            if len(word) < 4:
                if len([k for k in self._results if isinstance(k, bytes)]) >= 8:
                    self._results.pop(next(k for k in self._results if isinstance(k, bytes)))
                self._results[word] = hits
        return _both(mask, hits)

    # ------------------------------------------------------------------ ordering

    def _order(self, column: str, descending: bool) -> array:
        cached = self._orders.get((column, descending))
        if cached is not None:
            return cached
        if column == "title" and self.title_order is not None:
            order = self.title_order if not descending else array("l", reversed(self.title_order))
            self._orders[(column, descending)] = order
            return order
        n = len(self.ids)
        if self.key_ordered:
            # Positions run in key order and Python's sort is stable, so sorting by the value alone
            # keeps ties in key order (descending: start from the end, for key-descending ties).
            base = range(n - 1, -1, -1) if descending else range(n)
            few = self._few_values(column)
            if few is not None:  # few values: each position's rank in one byte, missing ones last (255)
                codes, ranked = few
                table = bytearray(b"\xff" * 256)
                for rank, code in enumerate(ranked[::-1] if descending else ranked):
                    table[code] = rank
                ranks = codes.translate(table)  # by position
                if len(ranked) <= 8:  # one pass in C per rank, no sort at all
                    aligned = ranks[::-1] if descending else ranks  # in the order of ``base``
                    order = array("l")
                    for rank in (*range(len(ranked)), 255):
                        order.extend(compress(base, aligned.translate(_table({rank}))))
                else:
                    order = array("l", sorted(base, key=ranks.__getitem__))
                self._keep_order(column, descending, order)
                return order
            values = self._sort_values(column)
            if column in _NEVER_MISSING:  # one sort in C, no pass to set missing values apart
                order = array("l", sorted(base, key=values.__getitem__, reverse=descending))
                self._keep_order(column, descending, order)
                return order
            present = [i for i in base if values[i] is not None]
            missing = [i for i in base if values[i] is None]
            present.sort(key=values.__getitem__, reverse=descending)
        else:
            keys, values = self.keys, self._sort_values(column)
            present = [i for i in range(n) if values[i] is not None]
            missing = [i for i in range(n) if values[i] is None]
            present.sort(key=lambda i: (values[i], keys[i]), reverse=descending)
            missing.sort(key=keys.__getitem__, reverse=descending)
        order = array("l", present)  # 4 or 8 bytes a position, not a 28-byte int object
        order.extend(missing)
        self._keep_order(column, descending, order)
        return order

    def _keep_order(self, column: str, descending: bool, order: array) -> None:
        """Keep the four orders used last (each is 8 bytes a position)."""
        while len(self._orders) >= 4:
            del self._orders[next(iter(self._orders))]
        self._orders[(column, descending)] = order

    def _few_values(self, column: str) -> tuple[bytes, list[int]] | None:
        """A column of few distinct values as one byte a position, and the codes in sort order (a code
        not listed is a missing value, sorted last); None for the other columns."""
        if column == "stage":
            return bytes(self.stages), sorted(set(self.stages))
        if column == "gate":
            return bytes(self.gates), sorted(set(self.gates), key=lambda g: 5 if g == NONE else g)
        if column in ("tier", "spread"):
            codes = bytes(self.tiers if column == "tier" else self.spreads)
            return codes, sorted(set(codes) - {NONE})
        if column in ("category", "track"):
            codes, table = (self.categories, self._category_codes) if column == "category" else (
                self.tracks, self._track_codes)  # fmt: skip
            rank = table.rank()
            return bytes(codes), sorted(set(codes), key=rank.__getitem__)
        if column == "decision":
            quarters = sorted({q for q in self.quarters if q is not None})
            if len(quarters) >= NONE:
                return None
            code = {q: c for c, q in enumerate(quarters)}
            return bytes(map(code.get, self.quarters, repeat(NONE))), list(range(len(quarters)))
        return None

    def _sort_values(self, column: str) -> Sequence:
        """The value each position sorts by (None sorts last in both directions, as NULLS LAST)."""
        if column in ("key", "title"):
            return self.keys
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


def _table(codes: Collection[int]) -> bytes:
    """A ``bytes.translate`` table: 1 for ``codes``, 0 for every other byte."""
    return bytes(1 if value in codes else 0 for value in range(256))


def _both(mask: bytes, *others: bytes) -> bytes:
    """Positions marked in every mask (masks of 0 and 1 bytes, combined as big integers)."""
    if not others:
        return mask
    combined = int.from_bytes(mask, "little")
    for other in others:
        combined &= int.from_bytes(other, "little")
    return combined.to_bytes(len(mask), "little")

"""Overlapping tools: initiatives the board may consolidate, found by two rules a person can check by eye.

1. **Same vendor**: the vendor names are equal once case and spaces are ignored ("Quillmark AI",
   "quillmark  ai" and "QuillmarkAI" are one vendor). An empty vendor, or a word that says there is no
   vendor ("in-house", "internal", "none", "n/a", "tbd", "-"), is not a vendor.
2. **Same purpose**: the same category and the same success metric (intake), and titles alike: half or more of
   their words are shared (shared words / all words of the two titles; case ignored, a plural "s" dropped).

Retired initiatives overlap with nothing. The result is the same for the same rows whatever their order
(pairs and reasons are sorted by key). Each initiative lists at most ``LISTED`` others per rule, the nearest
keys first, and says how many more there are ("and 12 more"): a vendor with 200 tools is one fact, not 199.
Titles are paired through their rarest words (a pair alike by the rule always shares one of them, so no pair is
missed), except that a word shared by more than ``COMMON_WORD`` initiatives of one category and metric pairs
none of them on its own: a large portfolio is never compared pair by pair.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

WORDS_ALIKE = 0.5
"""Shared words / all words of the two titles from which they are alike."""
LISTED = 5
"""Others listed per initiative and rule; the rest are counted."""
COMMON_WORD = 50
"""A title word shared by more initiatives of one category and metric than this pairs none of them on its own."""
NOT_A_VENDOR = frozenset({"", "inhouse", "internal", "none", "n/a", "na", "tbd", "-", "—", "–", "unknown", "own"})
"""Vendor texts (after folding) that name no vendor: sharing one is not sharing a vendor."""
SAME_VENDOR = "vendor"
SAME_PURPOSE = "purpose"

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Tool:
    """What the rules read of an initiative."""

    key: str
    title: str
    stage: str
    """The stage's code (``retired`` ones are left out)."""
    category: str
    vendor: str
    metric: str | None
    """The intake's success metric (code), if set."""


@dataclass(frozen=True)
class Overlap:
    """``key`` overlaps ``other``: why, in words a minute's reader understands."""

    key: str
    other: str
    """The other initiative's key: a consolidation candidate."""
    other_title: str
    rule: str
    """``SAME_VENDOR`` or ``SAME_PURPOSE``."""
    vendor: str = ""
    """The shared vendor as ``key`` spells it (for ``SAME_VENDOR``)."""
    shared: int = 0
    """How many title words the two share (for ``SAME_PURPOSE``)."""
    words: int = 0
    """How many different words the two titles have together (for ``SAME_PURPOSE``)."""
    more: int = 0
    """Further initiatives ``key`` overlaps by the same rule, not listed (on the last one listed)."""

    @property
    def reason(self) -> str:
        if self.rule == SAME_VENDOR:
            text = f"same vendor {self.vendor}"
        else:
            text = f"same category and success metric, titles share {self.shared} of {self.words} words"
        return text + (f"; and {self.more} more" if self.more else "")

    @property
    def line(self) -> str:
        """``overlaps FAC-010 (same vendor Quillmark AI)``."""
        return f"overlaps {self.other} ({self.reason})"


def vendor_key(vendor: str) -> str:
    """The vendor as compared: case folded, every space removed; empty when it names no vendor."""
    folded = "".join((vendor or "").casefold().split())
    return "" if folded in NOT_A_VENDOR or folded.replace("-", "") in NOT_A_VENDOR else folded


def title_words(title: str) -> frozenset[str]:
    """The title's words as compared: case folded, a plural "s" dropped from words of four letters or more."""
    words = _WORD.findall((title or "").casefold())
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def titles_alike(a: str, b: str) -> tuple[int, int] | None:
    """(shared words, all words) when the two titles are alike (half their words shared or more), else None."""
    return _alike(title_words(a), title_words(b))


def _alike(words_a: frozenset[str], words_b: frozenset[str]) -> tuple[int, int] | None:
    shared = len(words_a & words_b)
    union = len(words_a) + len(words_b) - shared
    return (shared, union) if union and shared >= WORDS_ALIKE * union else None


def find_overlaps(tools: Iterable[Tool]) -> dict[str, tuple[Overlap, ...]]:
    """Every live initiative that overlaps another, with each reason (at most ``LISTED`` others per rule, the
    nearest keys first, the rest counted). Initiatives overlapping nothing are absent."""
    live = sorted((t for t in tools if t.stage != "retired"), key=lambda t: t.key)
    found: dict[str, list[Overlap]] = defaultdict(list)

    by_vendor: dict[str, list[Tool]] = defaultdict(list)
    for tool in live:
        vendor = vendor_key(tool.vendor)
        if vendor:
            by_vendor[vendor].append(tool)
    for group in by_vendor.values():
        if len(group) < 2:
            continue
        for index, tool in enumerate(group):
            others = _nearest(group, index)
            more = len(group) - 1 - len(others)
            found[tool.key].extend(
                Overlap(tool.key, o.key, o.title, SAME_VENDOR, vendor=tool.vendor.strip(),
                        more=more if n == len(others) - 1 else 0)
                for n, o in enumerate(others)
            )  # fmt: skip

    by_purpose: dict[tuple[str, str], list[Tool]] = defaultdict(list)
    for tool in live:
        if tool.metric:
            by_purpose[(tool.category, tool.metric)].append(tool)
    for group in by_purpose.values():
        alike: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
        for i, j, measure in _alike_pairs(group):
            alike[i][j] = alike[j][i] = measure
        for i, partners in alike.items():
            tool = group[i]
            ordered = sorted(partners)
            listed = _nearest_of(ordered, i)
            more = len(ordered) - len(listed)
            found[tool.key].extend(
                Overlap(tool.key, group[j].key, group[j].title, SAME_PURPOSE, shared=partners[j][0],
                        words=partners[j][1], more=more if n == len(listed) - 1 else 0)
                for n, j in enumerate(listed)
            )  # fmt: skip

    order = {SAME_VENDOR: 0, SAME_PURPOSE: 1}
    return {key: tuple(sorted(items, key=lambda o: (o.other, order[o.rule]))) for key, items in sorted(found.items())}


def overlaps_of(tools: Iterable[Tool], key: str) -> tuple[Overlap, ...]:
    """What ``key`` overlaps: ``find_overlaps(tools)[key]``, found among its vendor's and its purpose's
    initiatives only (the same answer for a fraction of the work: one initiative's scorecard)."""
    tools = list(tools)
    me = next((t for t in tools if t.key == key), None)
    if me is None or me.stage == "retired":
        return ()
    vendor = vendor_key(me.vendor)
    purpose = (me.category, me.metric) if me.metric else None
    related = [
        t
        for t in tools
        if t.stage != "retired"
        and ((vendor and vendor_key(t.vendor) == vendor) or (purpose and (t.category, t.metric) == purpose))
    ]
    return find_overlaps(related).get(key, ())


def _nearest(group: list[Tool], index: int) -> list[Tool]:
    """Up to ``LISTED`` others of ``group`` (in key order), those whose keys are nearest ``group[index]``'s."""
    return [group[j] for j in _nearest_of(range(len(group)), index, skip=index)]


def _nearest_of(indexes, index: int, *, skip: int | None = None) -> list[int]:
    """Up to ``LISTED`` of the sorted ``indexes`` (``skip`` left out) nearest ``index``, in order."""
    pool = [j for j in indexes if j != skip] if len(indexes) <= 4 * LISTED else None
    if pool is None:
        at = bisect_left(indexes, index)
        pool = [j for j in indexes[max(0, at - LISTED - 1) : at + LISTED + 1] if j != skip]
    return sorted(sorted(pool, key=lambda j: (abs(j - index), j))[:LISTED])


def _alike_pairs(group: list[Tool]) -> list[tuple[int, int, tuple[int, int]]]:
    """Pairs (in key order) of the group whose titles are alike, found through each title's rarest words.

    Two word sets with half or more of their union shared must share one of the ``len - ceil(len / 2) + 1``
    rarest words of each (prefix filtering): only those words make candidates.
    """
    if len(group) < 2:
        return []
    words = [title_words(t.title) for t in group]
    frequency = Counter(w for ws in words for w in ws)
    holders: dict[str, list[int]] = defaultdict(list)
    for index, ws in enumerate(words):
        rarest = sorted(ws, key=lambda w: (frequency[w], w))
        prefix = len(rarest) - math.ceil(WORDS_ALIKE * len(rarest)) + 1
        for word in rarest[:prefix]:
            holders[word].append(index)
    pairs: set[tuple[int, int]] = set()
    for indexes in holders.values():
        if 1 < len(indexes) <= COMMON_WORD:
            pairs.update(combinations(indexes, 2))
    result = []
    for i, j in sorted(pairs):
        measure = _alike(words[i], words[j])
        if measure:
            result.append((i, j, measure))
    return result


def candidates_of(overlaps: Mapping[str, tuple[Overlap, ...]], key: str) -> tuple[str, ...]:
    """The consolidation candidates of ``key``: the other initiatives it overlaps, each once, by key."""
    return tuple(dict.fromkeys(o.other for o in overlaps.get(key, ())))

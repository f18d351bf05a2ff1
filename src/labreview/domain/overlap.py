"""Overlapping tools: initiatives the board may consolidate, found by two rules a person can check by eye.

1. **Same vendor**: the vendor names are equal once case and spaces are ignored ("Quillmark AI",
   "quillmark  ai" and "QuillmarkAI" are one vendor). An empty vendor, or a word that says there is no
   vendor ("in-house", "internal", "none", "n/a", "tbd", "-"), is not a vendor.
2. **Same purpose**: the same category and the same success metric (intake), and titles alike: the titles'
   words (case ignored, a plural "s" dropped) overlap by half or more (shared words / all words), or the
   titles read alike character by character (``difflib`` ratio 0.8 or more).

Retired initiatives overlap with nothing. The result is the same for the same rows whatever their order
(pairs and reasons are sorted by key). Titles are compared only within a category and metric and only when
they share a word; a word that more than ``COMMON_WORD`` initiatives of the group share ("platform") does
not make pairs on its own, so that a large portfolio is not compared pair by pair.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

WORDS_ALIKE = 0.5
"""Shared words / all words of the two titles from which they are alike."""
LETTERS_ALIKE = 0.8
"""``difflib.SequenceMatcher.ratio`` of the two titles from which they are alike."""
COMMON_WORD = 200
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
    alike: int = 0
    """How alike the titles are, in percent (for ``SAME_PURPOSE``)."""

    @property
    def reason(self) -> str:
        if self.rule == SAME_VENDOR:
            return f"same vendor {self.vendor}"
        return f"same category and success metric, titles {self.alike} % alike"

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


def titles_alike(a: str, b: str) -> int:
    """How alike two titles are, in percent: the larger of the shared-word share and the letter ratio, when
    either reaches its threshold; else 0."""
    words_a, words_b = title_words(a), title_words(b)
    union = words_a | words_b
    shared = len(words_a & words_b) / len(union) if union else 0.0
    plain_a, plain_b = " ".join(_WORD.findall(a.casefold())), " ".join(_WORD.findall(b.casefold()))
    letters = 0.0
    if plain_a and plain_b:
        matcher = difflib.SequenceMatcher(None, plain_a, plain_b, autojunk=False)
        if matcher.real_quick_ratio() >= LETTERS_ALIKE and matcher.quick_ratio() >= LETTERS_ALIKE:
            letters = matcher.ratio()
    if shared < WORDS_ALIKE and letters < LETTERS_ALIKE:
        return 0
    return max(1, round(100 * max(shared, letters)))


def find_overlaps(tools: Iterable[Tool]) -> dict[str, tuple[Overlap, ...]]:
    """Every live initiative that overlaps another, with each reason (by other key; a pair found by both rules
    is listed once per rule). Initiatives overlapping nothing are absent."""
    live = sorted((t for t in tools if t.stage != "retired"), key=lambda t: t.key)
    found: dict[str, list[Overlap]] = defaultdict(list)

    by_vendor: dict[str, list[Tool]] = defaultdict(list)
    for tool in live:
        vendor = vendor_key(tool.vendor)
        if vendor:
            by_vendor[vendor].append(tool)
    for group in by_vendor.values():
        for a, b in combinations(group, 2):
            found[a.key].append(Overlap(a.key, b.key, b.title, SAME_VENDOR, vendor=a.vendor.strip()))
            found[b.key].append(Overlap(b.key, a.key, a.title, SAME_VENDOR, vendor=b.vendor.strip()))

    by_purpose: dict[tuple[str, str], list[Tool]] = defaultdict(list)
    for tool in live:
        if tool.metric:
            by_purpose[(tool.category, tool.metric)].append(tool)
    for group in by_purpose.values():
        for a, b in _candidates(group):
            alike = titles_alike(a.title, b.title)
            if alike:
                found[a.key].append(Overlap(a.key, b.key, b.title, SAME_PURPOSE, alike=alike))
                found[b.key].append(Overlap(b.key, a.key, a.title, SAME_PURPOSE, alike=alike))

    order = {SAME_VENDOR: 0, SAME_PURPOSE: 1}
    return {key: tuple(sorted(items, key=lambda o: (o.other, order[o.rule]))) for key, items in sorted(found.items())}


def _candidates(group: list[Tool]) -> list[tuple[Tool, Tool]]:
    """Pairs of the group (in key order) whose titles share a word that is not common in the group."""
    if len(group) < 2:
        return []
    holders: dict[str, list[int]] = defaultdict(list)
    for index, tool in enumerate(group):
        for word in title_words(tool.title):
            holders[word].append(index)
    pairs: set[tuple[int, int]] = set()
    for indexes in holders.values():
        if 1 < len(indexes) <= COMMON_WORD:
            pairs.update(combinations(indexes, 2))
    return [(group[i], group[j]) for i, j in sorted(pairs)]


def candidates_of(overlaps: Mapping[str, tuple[Overlap, ...]], key: str) -> tuple[str, ...]:
    """The consolidation candidates of ``key``: the other initiatives it overlaps, each once, by key."""
    return tuple(dict.fromkeys(o.other for o in overlaps.get(key, ())))

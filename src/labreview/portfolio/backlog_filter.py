"""The backlog filter language: free words and ``facet:value`` terms.

``stage:lab owner:kim tier:3 category:capability pixel`` keeps lab initiatives
owned by somebody whose name contains "kim", with Level 3 access, in the
capability category, whose key, title, owner, vendor or description mention
"pixel". Values separated by commas mean "any of"; stage and category values
may be abbreviated (``stage:trans``). ``overlap:yes`` keeps the initiatives that overlap another
(same vendor, or same category and metric with titles alike: ``domain.overlap``). A single character is not a word yet:
it filters nothing until a second one is typed.
"""

from __future__ import annotations

import shlex
from dataclasses import replace

from labreview.domain.backlog_query import Filters
from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Category, DecisionOutcome, Gate, Stage, Track

MIN_WORD = 2
"""Free words shorter than this match almost everything; they filter nothing until more is typed."""
FACETS = ("stage", "category", "owner", "tier", "track", "gate", "decision", "agenda", "overlap")
ALIASES = {
    "cat": "category",
    "level": "tier",
    "outcome": "decision",
    "s": "stage",
    "o": "owner",
    "overlaps": "overlap",
}
_NONE = {"none", "no", "-", "0"}
_YES = {"yes", "y", "true", "1", "on"}
_GATES = {
    "pilot": 1,
    "approval": 1,
    "evidence": 2,
    "review": 2,
    "readiness": 3,
    "production": 3,
    "scale": 4,
    "monitoring": 4,
}


def parse_filter(text: str) -> Filters:
    """Read the filter bar; raises ``InvalidInput`` saying which term is wrong and why."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot reach SQLite
    try:
        terms = shlex.split(text)
    except ValueError as exc:
        raise InvalidInput("A quote is not closed in the filter; close it or remove it.") from exc
    filters = Filters()
    words: list[str] = []
    for term in terms:
        facet, sep, value = term.partition(":")
        if not sep or not facet or facet.lower().startswith(("http", "https")):
            if len(term) >= MIN_WORD:
                words.append(term)
            continue
        name = ALIASES.get(facet.lower(), facet.lower())
        if name not in FACETS:
            raise InvalidInput(f"Unknown filter '{facet}:'. Filters are: " + ", ".join(f"{f}:" for f in FACETS) + ".")
        values = [v for v in value.split(",") if v.strip()]
        if not values:
            raise InvalidInput(f"'{facet}:' needs a value, e.g. {_example(name)}.")
        filters = _apply(filters, name, values)
    return replace(filters, words=tuple(words))


def _apply(filters: Filters, name: str, values: list[str]) -> Filters:
    if name == "stage":
        return replace(filters, stages=filters.stages + tuple(_choose(Stage, v).value for v in values))
    if name == "category":
        return replace(filters, categories=filters.categories + tuple(_choose(Category, v).value for v in values))
    if name == "track":
        return replace(filters, tracks=filters.tracks + tuple(_choose(Track, v).value for v in values))
    if name == "decision":
        return replace(filters, outcomes=filters.outcomes + tuple(_choose(DecisionOutcome, v).value for v in values))
    if name == "owner":
        return replace(filters, owners=filters.owners + tuple(values))
    if name == "tier":
        return replace(filters, tiers=filters.tiers + tuple(_tier(v) for v in values))
    if name == "gate":
        return replace(filters, gates=filters.gates + tuple(_gate(v) for v in values))
    if name == "agenda":
        return replace(filters, on_agenda=values[-1].lower() in _YES)
    if name == "overlap":
        return replace(filters, overlaps=values[-1].lower() in _YES)
    raise AssertionError(name)  # pragma: no cover


def _choose(enum, value: str):
    folded = value.strip().lower().replace(" ", "-")
    matches = [m for m in enum if m.value.startswith(folded) or m.label.startswith(value.strip().lower())]
    if len(matches) == 1:
        return matches[0]
    exact = [m for m in matches if m.value == folded]
    if exact:
        return exact[0]
    return enum.parse(value)  # raises with the list of choices


def _tier(value: str) -> int | None:
    if value.strip().lower() in _NONE:
        return None
    digits = value.strip().lower().removeprefix("level").strip()
    if digits in ("1", "2", "3"):
        return int(digits)
    raise InvalidInput(f"'tier:{value}' is not a tier; use tier:1, tier:2, tier:3 or tier:none.")


def _gate(value: str) -> int | None:
    folded = value.strip().lower()
    if folded in ("done", "passed", "all", "none"):
        return None
    if folded in ("1", "2", "3", "4"):
        return int(folded)
    for word, number in _GATES.items():
        if word.startswith(folded):
            return number
    names = ", ".join(g.label.lower() for g in Gate)
    raise InvalidInput(f"'gate:{value}' is not a gate; use 1–4 ({names}) or gate:done.")


def _example(name: str) -> str:
    return {
        "stage": "stage:lab",
        "category": "category:capability",
        "owner": "owner:kim",
        "tier": "tier:3",
        "track": "track:iterate",
        "gate": "gate:2",
        "decision": "decision:kill",
        "agenda": "agenda:yes",
        "overlap": "overlap:yes",
    }[name]

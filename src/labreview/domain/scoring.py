"""Scoring: a weighted total from criterion scores, and how reviewers agree.

Scores are whole numbers 1–5 where 5 is always good. Arithmetic is exact
(``Fraction``) so that results do not depend on the order scores arrive in;
floats are produced only at the edge, for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Criterion

MIN_SCORE = 1
MAX_SCORE = 5
CONTESTED_SPREAD = 2
"""A criterion is contested when its reviewers' scores are this far apart or more."""

DEFAULT_WEIGHTS: Mapping[Criterion, Fraction] = {c: Fraction(1) for c in Criterion}


def validate_score(value: object) -> int:
    """Return the score as an int, or refuse it with a readable reason."""
    if type(value) is int and MIN_SCORE <= value <= MAX_SCORE:  # the common case, from the database
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInput(f"A score is a whole number from 1 to 5; got {value!r}.")
    text = str(value).strip()
    if not text.isdecimal() or not (MIN_SCORE <= int(text) <= MAX_SCORE):
        raise InvalidInput(f"A score is a whole number from 1 to 5; got '{text}'.")
    return int(text)


def validate_weights(weights: Mapping[Criterion, object]) -> dict[Criterion, Fraction]:
    """Weights are non-negative numbers, one per criterion, not all zero."""
    result: dict[Criterion, Fraction] = {}
    for criterion in Criterion:
        raw = weights.get(criterion, 1)
        try:
            weight = Fraction(str(raw))
        except (ValueError, ZeroDivisionError) as exc:
            raise InvalidInput(f"The weight of {criterion.label} must be a number; got {raw!r}.") from exc
        if weight < 0:
            raise InvalidInput(f"The weight of {criterion.label} cannot be negative; got {raw}.")
        result[criterion] = weight
    if not any(result.values()):
        raise InvalidInput("At least one criterion needs a weight above zero.")
    return result


def format_weights(weights: Mapping[Criterion, Fraction]) -> str:
    """``outcome-impact=2 operational-fit=1 …``: how the portfolio stores and shows its weights."""
    return " ".join(f"{c.value}={_number(weights.get(c, Fraction(1)))}" for c in Criterion)


def parse_weights(text: str) -> dict[Criterion, Fraction]:
    """Read ``criterion=number`` pairs (separated by spaces or commas); criteria left out weigh 1."""
    raw: dict[Criterion, object] = {}
    for part in str(text).replace(",", " ").split():
        name, sep, value = part.partition("=")
        if not sep:
            raise InvalidInput(f"Write a weight as criterion=number, e.g. outcome-impact=2; got '{part}'.")
        raw[Criterion.parse(name)] = value
    return validate_weights(raw)


def _number(value: Fraction) -> str:
    """``2``, ``1.5``; a fraction with no finite decimal (``1/3``) as a fraction, so that it reads back exactly."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return str(value)
    exact = Decimal(value.numerator) / Decimal(value.denominator)  # finite: exact within 28 digits
    return f"{exact.normalize():f}" if Fraction(exact) == value else str(value)


def weighted_total(
    scores: Mapping[Criterion, float | int | Fraction],
    weights: Mapping[Criterion, Fraction] = DEFAULT_WEIGHTS,
) -> float | None:
    """Weighted mean of the scored criteria on the 1–5 scale; ``None`` when none is scored.

    Unscored criteria are left out of both numerator and denominator, so a
    partial scorecard shows the mean of what has been scored so far.
    """
    numerator = Fraction(0)
    denominator = Fraction(0)
    for criterion, value in scores.items():
        if value is None:
            continue
        weight = weights.get(criterion, 1)
        if not isinstance(weight, Fraction):
            weight = Fraction(weight)
        numerator += weight * (value if isinstance(value, (int, Fraction)) else Fraction(value))
        denominator += weight
    if denominator == 0:
        return None
    return float(numerator / denominator)


def _weighted_mean_of_sums(
    sums: Mapping[Criterion, tuple[int, int]], weights: Mapping[Criterion, Fraction]
) -> float | None:
    """``weighted_total`` of the means ``total / count`` given as ``(total, count)``, in integers.

    The same value as ``weighted_total`` with ``Fraction(total, count)`` (both are the exact
    quotient rounded once to a float), without building a fraction per step: summaries are
    made by the thousand for the minutes.
    """
    # Every term over one common denominator: weight p/q times total/count is p·total / (q·count).
    terms = []
    for criterion, (total, count) in sums.items():
        weight = weights.get(criterion, 1)
        if not isinstance(weight, Fraction):
            weight = Fraction(weight)
        terms.append((weight.numerator, weight.denominator, total, count))
    if not terms:
        return None
    common = lcm(*(q * count for _p, q, _total, count in terms))
    weight_common = lcm(*(q for _p, q, _t, _c in terms))
    numerator = sum(p * total * (common // (q * count)) for p, q, total, count in terms)
    weight_sum = sum(p * (weight_common // q) for p, q, _t, _c in terms)
    if weight_sum == 0:
        return None
    # (numerator / common) / (weight_sum / weight_common); int / int rounds the exact quotient once.
    return (numerator * weight_common) / (common * weight_sum)


@dataclass(frozen=True)
class CriterionStats:
    """How the reviewers scored one criterion."""

    criterion: Criterion
    count: int
    mean: float
    low: int
    high: int

    @property
    def spread(self) -> int:
        return self.high - self.low

    @property
    def contested(self) -> bool:
        return self.count > 1 and self.spread >= CONTESTED_SPREAD


@dataclass(frozen=True)
class ScoreSummary:
    """Per-criterion statistics across reviewers and the weighted total of the means."""

    stats: Mapping[Criterion, CriterionStats]
    total: float | None
    reviewers: int

    @property
    def spread(self) -> int | None:
        """The largest spread of any criterion (None when nothing is scored)."""
        return max((s.spread for s in self.stats.values()), default=None)

    @property
    def contested(self) -> tuple[Criterion, ...]:
        return tuple(c for c in Criterion if c in self.stats and self.stats[c].contested)

    @property
    def complete(self) -> bool:
        return all(c in self.stats for c in Criterion)

    def means(self) -> dict[Criterion, float]:
        return {c: s.mean for c, s in self.stats.items()}


def summarize(
    scores: Iterable[tuple[object, Criterion, int]],
    weights: Mapping[Criterion, Fraction] = DEFAULT_WEIGHTS,
) -> ScoreSummary:
    """Combine ``(reviewer, criterion, score)`` triples from several reviewers."""
    by_criterion: dict[Criterion, list[int]] = {}
    reviewers: set[object] = set()
    for reviewer, criterion, value in scores:
        if not isinstance(criterion, Criterion):
            criterion = Criterion(criterion)
        by_criterion.setdefault(criterion, []).append(validate_score(value))
        reviewers.add(reviewer)
    tallies = {c: (len(v), sum(v), min(v), max(v)) for c, v in by_criterion.items()}
    return summarize_tallies(tallies, len(reviewers), weights)


def summarize_tallies(
    tallies: Mapping[Criterion, tuple[int, int, int, int]],
    reviewers: int,
    weights: Mapping[Criterion, Fraction] = DEFAULT_WEIGHTS,
) -> ScoreSummary:
    """``summarize`` from each criterion's ``(count, total, lowest, highest)`` score and the number of
    reviewers, as a database can count them (the minutes summarise a thousand initiatives at once)."""
    stats: dict[Criterion, CriterionStats] = {}
    sums: dict[Criterion, tuple[int, int]] = {}
    for criterion in Criterion:
        tally = tallies.get(criterion)
        if not tally or not tally[0]:
            continue
        count, total, low, high = tally
        validate_score(low)
        validate_score(high)
        sums[criterion] = (total, count)
        stats[criterion] = CriterionStats(criterion, count, total / count, low, high)
    return ScoreSummary(stats=stats, total=_weighted_mean_of_sums(sums, weights), reviewers=reviewers)

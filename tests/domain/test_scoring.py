from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labreview.domain.errors import InvalidInput
from labreview.domain.scoring import summarize, summarize_tallies, validate_score, validate_weights, weighted_total
from labreview.domain.vocabulary import Criterion

C = list(Criterion)
triples = st.lists(
    st.tuples(st.integers(1, 8), st.sampled_from(C), st.integers(1, 5)),
    min_size=1,
    max_size=40,
    unique_by=lambda t: (t[0], t[1]),
)
weights = st.dictionaries(st.sampled_from(C), st.integers(0, 5)).filter(lambda w: any(w.get(c, 1) for c in C))


def test_weighted_total_uses_weights_and_skips_unscored():
    scores = {Criterion.OUTCOME_IMPACT: 5, Criterion.ECONOMIC_VALUE: 2}
    assert weighted_total(scores) == pytest.approx(3.5)
    w = {c: Fraction(1) for c in C} | {Criterion.OUTCOME_IMPACT: Fraction(3)}
    assert weighted_total(scores, w) == pytest.approx((15 + 2) / 4)
    assert weighted_total({}) is None


def test_contested_when_spread_is_two_or_more():
    summary = summarize(
        [
            (1, Criterion.DATA_RISK, 2),
            (2, Criterion.DATA_RISK, 4),
            (1, Criterion.OUTCOME_IMPACT, 3),
            (2, Criterion.OUTCOME_IMPACT, 4),
        ]
    )
    assert summary.contested == (Criterion.DATA_RISK,)
    assert summary.stats[Criterion.DATA_RISK].spread == 2
    assert summary.spread == 2
    assert summary.reviewers == 2
    assert not summary.complete


@pytest.mark.parametrize("bad", [0, 6, "x", 2.5, True, None, "-1"])
def test_scores_are_whole_numbers_one_to_five(bad):
    with pytest.raises(InvalidInput, match="1 to 5"):
        validate_score(bad)


def test_weights_must_be_non_negative_and_not_all_zero():
    with pytest.raises(InvalidInput, match="negative"):
        validate_weights({Criterion.DATA_RISK: -1})
    with pytest.raises(InvalidInput, match="above zero"):
        validate_weights(dict.fromkeys(C, 0))
    with pytest.raises(InvalidInput, match="number"):
        validate_weights({Criterion.DATA_RISK: "heavy"})


@given(triples)
def test_aggregation_bounds(data):
    summary = summarize(data)
    for stats in summary.stats.values():
        assert 1 <= stats.low <= stats.mean <= stats.high <= 5
        assert stats.spread == stats.high - stats.low
    assert summary.total is not None and 1 <= summary.total <= 5
    assert summary.reviewers == len({r for r, _c, _v in data})
    assert sum(s.count for s in summary.stats.values()) == len(data)


@given(triples, st.randoms())
def test_aggregation_is_order_independent(data, random):
    shuffled = list(data)
    random.shuffle(shuffled)
    assert summarize(shuffled) == summarize(data)


@given(triples, weights)
def test_weighted_total_lies_between_the_smallest_and_largest_weighted_mean(data, raw):
    w = validate_weights(raw)
    summary = summarize(data, w)
    weighted = [s.mean for c, s in summary.stats.items() if w[c] > 0]
    if weighted:
        assert min(weighted) - 1e-9 <= summary.total <= max(weighted) + 1e-9
    else:
        assert summary.total is None


@pytest.mark.parametrize(("text", "score"), [("3", 3), (" 5 ", 5), ("٣", 3), ("５", 5)])
def test_scores_typed_with_any_decimal_digit(text, score):
    assert validate_score(text) == score


@pytest.mark.parametrize("bad", ["²", "₅", "Ⅲ", "½", "3.0", "+3", "1e0", "৪৪"])
def test_digit_lookalikes_are_refused_in_words(bad):
    with pytest.raises(InvalidInput, match="1 to 5"):
        validate_score(bad)


@given(st.one_of(st.text(max_size=6), st.integers(), st.floats(), st.none(), st.booleans()))
def test_anything_is_either_a_score_or_a_readable_refusal(value):
    try:
        score = validate_score(value)
    except InvalidInput as refusal:
        assert "1 to 5" in refusal.message
    else:
        assert isinstance(score, int) and 1 <= score <= 5


fractional_weights = st.dictionaries(
    st.sampled_from(C), st.fractions(min_value=0, max_value=7, max_denominator=12)
).filter(lambda w: any(w.get(c, 1) for c in C))


@given(triples, fractional_weights)
def test_summary_total_is_the_weighted_total_of_the_exact_means(data, raw):
    """The summary's integer arithmetic gives the very float ``weighted_total`` gives from exact means."""
    w = validate_weights(raw)
    summary = summarize(data, w)
    exact = {}
    for criterion in C:
        values = [v for _r, c, v in data if c == criterion]
        if values:
            exact[criterion] = Fraction(sum(values), len(values))
            assert summary.stats[criterion].mean == float(exact[criterion])
    assert summary.total == weighted_total(exact, w)


def test_tallies_out_of_range_are_refused_like_scores():
    with pytest.raises(InvalidInput):
        summarize_tallies({Criterion.DATA_RISK: (2, 7, 1, 6)}, 2)
    assert summarize_tallies({}, 0).total is None

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labreview.domain.budget import BudgetChange, Mix, TargetMix, drift, project
from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Track

F, IT, L = Track.FACTORY, Track.ITERATE, Track.LAB
lines = st.dictionaries(
    st.integers(1, 500), st.tuples(st.sampled_from(list(Track)), st.integers(0, 10**9)), max_size=40
)


def test_target_defaults_to_70_20_10_and_is_configurable():
    assert str(TargetMix()) == "70/20/10"
    assert TargetMix.parse("60/25/15").lab == Decimal(15)
    with pytest.raises(InvalidInput, match="add up to 100"):
        TargetMix.parse("70/20/20")
    with pytest.raises(InvalidInput, match="70/20/10"):
        TargetMix.parse("seventy")


def test_drift_in_points_and_money():
    mix = Mix.of([(F, 600_00), (IT, 200_00), (L, 200_00)])
    by_track = {d.track: d for d in drift(mix, TargetMix())}
    assert by_track[F].points == Decimal(-10) and by_track[F].money == -100_00
    assert by_track[L].points == Decimal(10) and by_track[L].money == 100_00
    assert by_track[IT].points == 0


def test_projection_moves_and_removes_lines():
    current = {1: (L, 100), 2: (F, 700), 3: (L, 200)}
    after = project(current, [BudgetChange(1, IT), BudgetChange(3, None), BudgetChange(99, None)])
    assert after.amount(IT) == 100 and after.amount(L) == 0 and after.total == 800


@given(lines)
def test_shares_add_up_to_100_and_drift_to_zero(data):
    mix = Mix.of(data.values())
    result = drift(mix, TargetMix())
    if mix.total:
        assert sum(d.actual for d in result) == pytest.approx(Decimal(100))
        assert abs(sum(d.points for d in result)) < Decimal("1e-20")
        assert abs(sum(d.money for d in result)) <= 2  # rounding of each target amount
    else:
        assert all(d.points == 0 for d in result)


@given(lines, st.lists(st.tuples(st.integers(1, 500), st.sampled_from([*Track, None])), max_size=20))
def test_moves_keep_the_total_and_removals_only_lower_it(data, raw_changes):
    changes = [BudgetChange(i, t) for i, t in raw_changes]
    before = Mix.of(data.values())
    after = project(data, changes)
    removed = {c.initiative_id for c in changes if c.track is None and c.initiative_id in data}
    assert after.total <= before.total
    if not removed:
        assert after.total == before.total


@given(
    lines,
    st.lists(st.tuples(st.integers(1, 500), st.sampled_from(list(Track))), max_size=20, unique_by=lambda t: t[0]),
    st.randoms(),
)
def test_projection_does_not_depend_on_the_order_of_distinct_changes(data, raw_changes, random):
    changes = [BudgetChange(i, t) for i, t in raw_changes]
    shuffled = list(changes)
    random.shuffle(shuffled)
    assert project(data, changes) == project(data, shuffled)

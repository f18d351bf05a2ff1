import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import (
    AccessTier,
    BoardRole,
    Criterion,
    DataSensitivity,
    Quarter,
    Stage,
    format_money,
    parse_money,
)


def test_quarter_reads_and_writes_yyyy_qn():
    assert str(Quarter.parse("2026-Q4")) == "2026-Q4"
    assert Quarter.parse(" 2026q1 ") == Quarter(2026, 1)
    assert Quarter.parse("2026-Q4").next() == Quarter(2027, 1)
    assert Quarter.parse("2026-Q1").previous() == Quarter(2025, 4)
    assert Quarter(2026, 4).first_day == dt.date(2026, 10, 1)
    assert Quarter(2026, 4).last_day == dt.date(2026, 12, 31)
    assert Quarter.of(dt.date(2026, 11, 23)) == Quarter(2026, 4)


@pytest.mark.parametrize("text", ["2026-Q5", "Q4-2026", "2026", "", "2026-Q0", "abcd-Q1"])
def test_quarter_refuses_what_is_not_a_quarter(text):
    with pytest.raises(InvalidInput, match="2026-Q4"):
        Quarter.parse(text)


@given(st.integers(1900, 9998), st.integers(1, 4))
def test_next_and_previous_are_inverse(year, q):
    quarter = Quarter(year, q)
    assert quarter.next().previous() == quarter
    assert quarter.next().first_day == quarter.last_day + dt.timedelta(days=1)


def test_money_is_integer_minor_units():
    assert parse_money("12,500") == 1_250_000
    assert parse_money("12500.5") == 1_250_050
    assert parse_money("€ 9 000") == 900_000
    assert format_money(1_234_550, "EUR") == "EUR 12,346"
    assert format_money(1_234_550, "EUR", cents=True) == "EUR 12,345.50"
    with pytest.raises(InvalidInput):
        parse_money("12.345")
    with pytest.raises(InvalidInput):
        parse_money("-5")
    with pytest.raises(InvalidInput):
        parse_money("lots")


def test_enums_parse_values_and_labels_and_say_the_choices():
    assert Stage.parse("Transition") is Stage.TRANSITION
    assert Criterion.parse("Outcome Impact") is Criterion.OUTCOME_IMPACT
    assert DataSensitivity.parse("personally identifiable") is DataSensitivity.IDENTIFIABLE
    assert BoardRole.parse("privacy_partner") is BoardRole.PRIVACY_PARTNER
    assert AccessTier.parse("Level 3") is AccessTier.LEVEL_3
    with pytest.raises(InvalidInput, match="lab, transition, factory, retired"):
        Stage.parse("pilot")

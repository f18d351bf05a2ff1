"""The KPI computations from plain facts, readings, targets and the leadership line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from labreview.domain import kpis
from labreview.domain.errors import InvalidInput
from labreview.domain.kpis import BudgetFact, DecisionFact, PilotFact, ReadingFact

Q1, Q2 = "2026-Q1", "2026-Q2"
D1, D2 = dt.date(2026, 2, 12), dt.date(2026, 5, 14)


def facts():
    decisions = [
        DecisionFact(Q1, D1, 1, "promote", "lab", dt.date(2026, 1, 2)),  # 41 days
        DecisionFact(Q1, D1, 2, "kill", "lab", dt.date(2025, 12, 14)),  # 60 days
        DecisionFact(Q1, D1, 3, "hold", "lab", dt.date(2025, 11, 1)),  # not an evidence decision
        DecisionFact(Q1, D1, 9, "renew", "factory", None),  # not the lab's
        DecisionFact(Q2, D2, 3, "iterate", "lab", dt.date(2025, 11, 1)),  # 194 days
        DecisionFact(Q2, D2, 1, "promote", "transition", dt.date(2026, 1, 2)),  # into the factory: not the lab's
    ]
    pilots = [
        PilotFact(1, dt.date(2026, 1, 2)),
        PilotFact(2, dt.date(2025, 12, 14)),
        PilotFact(3, dt.date(2025, 11, 1)),
    ]
    pilots.append(PilotFact(4, dt.date(2026, 4, 20)))  # approved in Q2
    budget = [BudgetFact(Q1, "lab", 100_000_00), BudgetFact(Q1, "factory", 700_000_00), BudgetFact(Q1, "iterate", 2)]
    readings = [
        ReadingFact(Q1, "uptime", Decimal("99.5")),
        ReadingFact(Q1, "incidents", Decimal(3), "FAC-1"),
        ReadingFact(Q1, "incidents", Decimal(2), "FAC-2"),
        ReadingFact(Q1, "adoption", Decimal(60), "FAC-1"),
        ReadingFact(Q1, "adoption", Decimal(71), "FAC-2"),
        ReadingFact(Q2, "uptime", Decimal(98), "FAC-1"),
        ReadingFact(Q2, "uptime", Decimal("99.9")),  # portfolio-wide wins
    ]
    return decisions, pilots, budget, readings


def test_the_lab_measures_come_from_decisions_and_pilot_approvals():
    table = kpis.compute((Q1, Q2), *facts())
    value = lambda key, q: table.cell(key, q).value  # noqa: E731
    assert (value("throughput", Q1), value("throughput", Q2)) == (2, 1)
    assert value("time_to_insight", Q1) == Decimal("50.5") and value("time_to_insight", Q2) == 194
    assert value("promotion_review", Q1) == Decimal("66.7")  # 2 of the 3 pilots running
    assert table.cell("promotion_review", Q1).basis == "2 of 3 pilots"
    assert value("promotion_review", Q2) == 50  # 1 and 2 left the lab in Q1: 3 decided, 4 running
    assert value("success_rate", Q1) == 50 and value("success_rate", Q2) == 0
    assert value("validated_use_cases", Q1) == 1 and value("validated_use_cases", Q2) == 1
    assert value("lab_cost", Q1) == 100_000 and value("factory_cost", Q1) == Decimal("700000.02")
    assert value("lab_cost", Q2) is None and table.cell("lab_cost", Q2).basis == "no budget lines"


def test_readings_per_tool_are_summed_or_averaged_and_a_portfolio_wide_one_wins():
    table = kpis.compute((Q1, Q2), *facts())
    assert table.cell("incidents", Q1).value == 5 and table.cell("incidents", Q1).basis == "2 tools"
    assert table.cell("adoption", Q1).value == Decimal("65.5")
    assert table.cell("uptime", Q2).value == Decimal("99.9") and table.cell("uptime", Q2).basis == "portfolio-wide"
    assert table.cell("cycle_days", Q1).value is None


def test_targets_are_met_in_each_metrics_direction():
    targets = kpis.check_targets({"uptime": "99.6", "Incident frequency": 6, "time_to_insight": "50"})
    table = kpis.compute((Q1, Q2), *facts(), targets=targets)
    assert table.cell("uptime", Q1).met is False and table.cell("uptime", Q2).met is True
    assert table.cell("incidents", Q1).met is True  # 5 ≤ 6
    assert table.cell("time_to_insight", Q1).met is False  # 50.5 > 50
    assert table.cell("adoption", Q1).met is None  # no target


def test_the_leadership_line_answers_from_the_numbers():
    targets = {"time_to_insight": Decimal(60), "uptime": Decimal(99), "incidents": Decimal(4)}
    table = kpis.compute((Q1, Q2), *facts(), targets=targets)
    line = kpis.leadership(table, Q1)
    assert line.startswith("Learning fast enough: 2 pilots decided, 50.5 d to insight")
    assert "scaling 50 % of the decided pilots" in line
    assert "factory falls short: 1 of 2 targets met" in line
    assert "lab 12.5 % of spend" in line


@pytest.mark.parametrize(
    ("metric", "value", "words"),
    [
        ("uptime", "101", "percentage"),
        ("incidents", "1.5", "whole number"),
        ("adoption", "-3", "negative"),
        ("adoption", "abc", "not a number"),
        ("adoption", "1.0001", "decimals"),
        ("adoption", "NaN", "can keep"),
        ("throughput", "3", "computed"),
        ("bogus", "3", "not a KPI"),
    ],
)
def test_bad_readings_are_refused_in_words(metric, value, words):
    with pytest.raises(InvalidInput) as refused:
        kpis.check_reading(metric, "2026-Q1", value)
    assert words in refused.value.message


def test_values_read_as_typed():
    assert kpis.parse_value("99,5") == Decimal("99.5")
    assert kpis.parse_value(" 98 % ") == 98
    assert str(kpis.parse_value("97.50")) == "97.5"


def test_stored_targets_are_validated_on_read():
    assert kpis.parse_targets(None) == ({}, "")
    assert kpis.parse_targets('{"uptime": "99.5"}') == ({"uptime": Decimal("99.5")}, "")
    targets, problem = kpis.parse_targets("{not json")
    assert targets == {} and "not JSON" in problem
    targets, problem = kpis.parse_targets('["uptime"]')
    assert targets == {} and "unreadable" in problem
    targets, problem = kpis.parse_targets('{"uptime": "lots", "adoption": 70, "nope": 1}')
    assert targets == {"adoption": 70} and "uptime" in problem and "nope" in problem

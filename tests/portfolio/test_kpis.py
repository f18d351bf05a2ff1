"""KPIs through the service: computed from a portfolio's own history (one begun with ``labreview init`` and run
through several quarters, and the sample), readings recorded, replaced, cleared and imported, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from labreview.domain import kpis
from labreview.domain.errors import InvalidInput, NotFound
from labreview.domain.vocabulary import Gate
from labreview.portfolio import Portfolio
from labreview.portfolio.kpis import ReadingRow
from labreview.store.models import Setting
from tests.portfolio.conftest import Q, audit_count, pass_gates

DAY = dt.date(2026, 11, 23)


def through_three_quarters(p):
    """LAB-1 and LAB-2 approved as pilots on the meeting day; LAB-1 iterated in 2026-Q4 and promoted in 2027-Q1,
    LAB-2 killed in 2027-Q1; FAC-1 renewed in 2027-Q2; budget lines in each quarter."""
    pass_gates(p, "LAB-1", Gate.PILOT_APPROVAL)
    pass_gates(p, "LAB-2", Gate.PILOT_APPROVAL)
    p.start_session(Q)
    p.record_decision(Q, "LAB-1", "iterate", rationale="too few conversions", next_review=DAY + dt.timedelta(days=91))
    p.end_session(Q)
    for quarter, held_on in (("2027-Q1", dt.date(2027, 2, 22)), ("2027-Q2", dt.date(2027, 5, 24))):
        p.create_session(quarter, held_on=held_on, facilitator="Ines Innovation", attendees=["Dana Sponsor"])
        for key in ("LAB-1", "LAB-2", "FAC-1"):
            if key == "FAC-1" or quarter == "2027-Q1":
                p.toggle_agenda(quarter, key)
        p.start_session(quarter)
        if quarter == "2027-Q1":
            pass_gates(p, "LAB-1", Gate.EVIDENCE_REVIEW)
            p.record_decision(quarter, "LAB-1", "promote", rationale="lift", next_review=held_on + dt.timedelta(91))
            p.record_decision(quarter, "LAB-2", "kill", rationale="no lift")
        else:
            p.record_decision(
                quarter, "FAC-1", "renew", rationale="used daily", next_review=held_on + dt.timedelta(365)
            )
        p.end_session(quarter)
    for quarter in (Q, "2027-Q1", "2027-Q2"):
        p.set_budget_line(quarter, "LAB-1", 1_000_000, track="lab" if quarter == Q else None)  # then in transition
        p.set_budget_line(quarter, "FAC-1", 9_000_000)


def test_a_portfolio_from_init_computes_its_lab_measures_over_quarters(portfolio):
    through_three_quarters(portfolio)
    view = portfolio.kpis()
    assert view.quarters == ("2026-Q3", Q, "2027-Q1", "2027-Q2")  # the four up to the newest session
    table = view.table
    assert table.series("throughput") == [0, 1, 2, 0]
    assert table.cell("time_to_insight", Q).value == 0  # approved on the meeting day, decided the same day
    assert table.cell("time_to_insight", "2027-Q1").value == (dt.date(2027, 2, 22) - DAY).days
    assert table.series("promotion_review") == [None, 50, 100, None]  # no pilot runs once both left the lab
    assert table.cell("promotion_review", Q).basis == "1 of 2 pilots"
    assert table.series("success_rate") == [None, 0, 50, None]
    assert table.series("validated_use_cases") == [0, 0, 1, 1]
    assert table.cell("lab_cost", Q).value == 10_000 and table.cell("factory_cost", Q).value == 90_000
    assert table.cell("lab_cost", "2027-Q2").value == 0  # LAB-1 in transition: its line is on the iterate track
    assert table.cell("factory_cost", "2027-Q2").value == 100_000
    assert table.cell("uptime", Q).value is None
    assert view.leadership("2027-Q1").startswith("Learning (no target): 2 pilots decided, 91 d to insight")
    assert portfolio.kpis("2027-Q1", first="2026-Q4").quarters == (Q, "2027-Q1")


def test_readings_are_recorded_replaced_cleared_and_audited(portfolio):
    before = audit_count(portfolio)
    assert portfolio.record_kpi_reading(Q, "uptime", "99.5") == Decimal("99.5")
    portfolio.record_kpi_reading(Q, "Incident frequency", "3", key="fac-1")
    portfolio.record_kpi_reading(Q, "incidents", "2", key="LAB-1")
    assert audit_count(portfolio) == before + 3
    assert portfolio.audit_log(1)[0].summary == "KPI 2026-Q4: Incident frequency of LAB-1 2"
    portfolio.record_kpi_reading(Q, "uptime", "99.8")  # replaces, not a second reading
    table = portfolio.kpis(Q).table
    assert table.cell("uptime", Q).value == Decimal("99.8") and table.cell("incidents", Q).value == 5
    assert [(m, k, v) for m, k, v, _at, _by in portfolio.kpi_readings(Q)] == [
        ("incidents", "FAC-1", 3),
        ("incidents", "LAB-1", 2),
        ("uptime", None, Decimal("99.8")),
    ]
    assert portfolio.kpi_readings(Q)[0][4] == "Tess Facilitator"
    portfolio.undo()
    assert portfolio.kpis(Q).table.cell("uptime", Q).value == Decimal("99.5")
    portfolio.clear_kpi_reading(Q, "incidents", key="LAB-1")
    assert portfolio.kpis(Q).table.cell("incidents", Q).value == 3
    with pytest.raises(InvalidInput, match="no Uptime reading of FAC-1"):
        portfolio.clear_kpi_reading(Q, "uptime", key="FAC-1")
    assert portfolio.verify_audit().ok


@pytest.mark.parametrize(
    ("args", "kind", "words"),
    [
        ((Q, "throughput", "3"), InvalidInput, "computed from the portfolio"),
        ((Q, "uptime", "101"), InvalidInput, "0 to 100"),
        (("2026-Q5", "uptime", "99"), InvalidInput, "not a quarter"),
        ((Q, "uptime", "99", "NOPE-9"), NotFound, "NOPE-9"),
    ],
)
def test_bad_readings_are_refused_and_nothing_is_written(portfolio, args, kind, words):
    before = audit_count(portfolio)
    with pytest.raises(kind, match=words):
        portfolio.record_kpi_reading(*args)
    assert audit_count(portfolio) == before and portfolio.kpi_readings(Q) == []


def test_targets_are_set_merged_removed_and_shown_met_or_missed(portfolio):
    assert portfolio.set_kpi_targets({"uptime": "99.5", "incidents": "4"}) == {
        "incidents": 4,
        "uptime": Decimal("99.5"),
    }
    assert portfolio.set_kpi_targets({"Time to insight": "90", "incidents": ""}) == {
        "time_to_insight": 90,
        "uptime": Decimal("99.5"),
    }
    assert portfolio.audit_log(1)[0].action == "set KPI targets"
    portfolio.record_kpi_reading(Q, "uptime", "99.1")
    cell = portfolio.kpis(Q).table.cell("uptime", Q)
    assert (cell.target, cell.met) == (Decimal("99.5"), False)
    with pytest.raises(InvalidInput, match="not a KPI"):
        portfolio.set_kpi_targets({"speed": "1"})
    assert portfolio.set_kpi_targets({"adoption": "70"}, replace=True) == {"adoption": 70}


def test_a_malformed_stored_target_is_said_and_ignored(portfolio):
    portfolio.set_kpi_targets({"uptime": "99.5"})
    with _edit(portfolio) as session:
        session.get(Setting, kpis.TARGETS_SETTING).value = '{"uptime": "high", "adoption": "70"'
    targets, problem = portfolio.kpi_targets()
    assert targets == {} and "not JSON" in problem
    view = portfolio.kpis(Q)
    assert view.problem == problem and view.table.cell("uptime", Q).target is None
    with _edit(portfolio) as session:
        session.get(Setting, kpis.TARGETS_SETTING).value = '{"uptime": "high", "adoption": "70"}'
    view = portfolio.kpis(Q)
    assert view.table.targets == {"adoption": 70} and "uptime" in view.problem


def _edit(portfolio):
    """A hand edit of the file, bypassing the service (as someone with a database tool would)."""
    from sqlmodel import Session

    class Edit:
        def __enter__(self):
            self.session = Session(portfolio.engine)
            return self.session

        def __exit__(self, *exc):
            self.session.commit()
            self.session.close()

    return Edit()


def test_an_import_of_readings_is_all_or_nothing_and_one_undoable_action(portfolio):
    good = [ReadingRow(2, "", Q, "uptime", "99.9"), ReadingRow(3, "FAC-1", Q, "incidents", "2")]
    bad = [*good, ReadingRow(4, "NOPE-1", Q, "uptime", "1"), ReadingRow(5, "", Q, "uptime", "98")]
    report = portfolio.import_kpi_readings(bad)
    assert report.problems == (
        "line 4: there is no initiative NOPE-1.",
        "line 5: Uptime of the portfolio in 2026-Q4 is already on line 2; keep one.",
    )
    assert portfolio.kpi_readings(Q) == []
    before = audit_count(portfolio)
    report = portfolio.import_kpi_readings(good, source="q4.csv")
    assert (report.added, report.changed, report.problems) == (2, 0, ())
    assert audit_count(portfolio) == before + 1
    assert portfolio.import_kpi_readings(good).unchanged == 2
    portfolio.undo()  # nothing changed by the last one: the undo takes the import back
    assert portfolio.kpi_readings(Q) == []


def test_the_samples_kpis(sample_target):
    p = Portfolio.open(sample_target)
    try:
        view = p.kpis()
        assert view.quarters == ("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4") and view.problem == ""
        shown = {m.key: [view.shown(m.key, q) for q in view.quarters] for m in kpis.METRICS}
        assert shown["throughput"] == ["6", "5", "5", "0"]
        assert shown["success_rate"] == ["50 %", "40 %", "60 %", "—"]
        assert shown["time_to_insight"] == ["190.3 d", "238.4 d", "244.8 d", "—"]
        assert shown["validated_use_cases"] == ["3", "5", "8", "8"]
        assert shown["incidents"] == ["9", "7", "6", "4"]
        assert shown["uptime"] == ["99.2 %", "99.6 %", "99.7 %", "99.9 %"]
        assert shown["lab_cost"][-1] == "EUR 139,800" and shown["factory_cost"][-1] == "EUR 709,800"
        q4 = {m.key: view.table.cell(m.key, "2026-Q4").met for m in kpis.READ_METRICS}
        assert q4 == {m.key: m.key != "cost_efficiency" for m in kpis.READ_METRICS}
        assert view.leadership() == (
            "Learning: no pilot decided yet; scaling: nothing promoted or stopped yet; "
            "factory falls short: 6 of 7 targets met; lab 16.5 % of spend."
        )
    finally:
        p.close()

"""The KPI table's read model in plain SQL: the facts ``domain.kpis.compute`` needs, read in five statements.

Written once, with ``?`` placeholders, for both callers: the service layer (``Kpis.kpis``, on its engine's raw
connection) and the minutes (``minutes_data``, on the ``sqlite3`` or ``psycopg`` connection it was given), so
the app and the minutes show the same numbers. An older schema without ``kpi_reading`` has no readings
(``has_readings``). Standard library only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from labreview.domain import kpis
from labreview.domain.vocabulary import DEFAULT_SETTINGS, Quarter

Rows = Callable[[str, Sequence[Any]], list[Any]]
"""``rows(sql, parameters)``: the rows of one statement (``?`` placeholders)."""


@dataclass(frozen=True)
class KpiView:
    """The KPI table of a range of quarters, its currency, and what of the stored targets could not be read."""

    table: kpis.KpiTable
    currency: str
    problem: str = ""

    @property
    def quarters(self) -> tuple[str, ...]:
        return self.table.quarters

    def leadership(self, quarter: str | None = None) -> str:
        """The one line of the quarter (the last one by default)."""
        return kpis.leadership(self.table, quarter or self.table.quarters[-1])

    def shown(self, key: str, quarter: str) -> str:
        """The number of ``key`` in ``quarter`` as the table shows it."""
        m = kpis.BY_KEY[key]
        return kpis.format_value(m, self.table.cell(key, quarter).value, self.currency)


def quarter_range(first: str | None, last: str, count: int = 4) -> tuple[str, ...]:
    """``first``..``last`` (both included), or the ``count`` quarters up to ``last``; at most 12."""
    end = Quarter.parse(last)
    start = Quarter.parse(first) if first else end
    if not first:
        for _ in range(count - 1):
            start = start.previous()
    out: list[str] = []
    quarter = start
    while (quarter.year, quarter.q) <= (end.year, end.q) and len(out) < 12:
        out.append(str(quarter))
        quarter = quarter.next()
    if not out:
        out.append(str(end))
    return tuple(out)


def readings_sql(quarters: Sequence[str]) -> str:
    """The statement reading the KPI readings of ``quarters`` (as many ``?`` as quarters)."""
    marks = ", ".join("?" for _ in quarters)
    return (
        "SELECT r.quarter, r.metric, r.value, i.key FROM kpi_reading r"
        f" LEFT JOIN initiative i ON i.id = r.initiative_id WHERE r.quarter IN ({marks}) ORDER BY r.id"
    )


def read(
    rows: Rows,
    quarters: Sequence[str],
    *,
    settings: Mapping[str, str] | None = None,
    budget: Sequence[kpis.BudgetFact] | None = None,
    readings: Sequence[Sequence[Any]] | None = None,
) -> KpiView:
    """The KPI table of ``quarters`` from the portfolio behind ``rows``.

    A caller that has read them already passes the ``settings``, the ``budget`` lines of ``quarters`` or the
    rows of ``readings_sql`` (the minutes: fewer statements; ``readings=[]`` for a schema without readings)."""
    if settings is None:
        settings = dict(rows("SELECT key, value FROM setting", ()))
    settings = {**DEFAULT_SETTINGS, **settings}
    targets, problem = kpis.parse_targets(settings.get(kpis.TARGETS_SETTING))
    last_day = Quarter.parse(quarters[-1]).last_day
    decisions: list[kpis.DecisionFact] = []
    pilots: list[kpis.PilotFact] = []
    seen: set[int] = set()
    # One statement: every pilot approved, and every decision with its initiative's approval date.
    for initiative_id, approved_on, quarter, held_on, outcome, stage_before in rows(
        "SELECT i.id, i.pilot_approved_on, s.quarter, s.held_on, d.outcome, d.stage_before"
        " FROM initiative i LEFT JOIN decision d ON d.initiative_id = i.id"
        " LEFT JOIN review_session s ON s.id = d.session_id"
        " WHERE i.pilot_approved_on IS NOT NULL OR d.id IS NOT NULL",
        (),
    ):
        approved = _day(approved_on)
        if approved is not None and initiative_id not in seen:
            seen.add(initiative_id)
            pilots.append(kpis.PilotFact(initiative_id, approved))
        held = _day(held_on)
        if held is not None and held <= last_day:
            decisions.append(kpis.DecisionFact(quarter, held, initiative_id, outcome, stage_before, approved))
    if budget is None:
        marks = ", ".join("?" for _ in quarters)
        budget = [
            kpis.BudgetFact(quarter, track, int(amount))
            for quarter, track, amount in rows(
                f"SELECT quarter, track, amount FROM budget_line WHERE quarter IN ({marks}) ORDER BY id",
                tuple(quarters),
            )
        ]
    if readings is None:
        readings = rows(readings_sql(quarters), tuple(quarters))
    facts: list[kpis.ReadingFact] = []
    for quarter, metric, value, key in readings:
        try:
            facts.append(kpis.ReadingFact(quarter, metric, Decimal(value), key))
        except InvalidOperation:  # edited by hand into something else: not a reading
            continue
    table = kpis.compute(quarters, decisions, pilots, budget, facts, targets)
    return KpiView(table, settings["currency"], problem)


def _day(value: str | dt.date | dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])

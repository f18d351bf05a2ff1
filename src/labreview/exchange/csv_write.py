"""CSV out: the backlog with the ``COLUMNS`` header (imports back with no change), and the decisions for
other tools; text a spreadsheet would run as a formula is guarded (``csv_columns.guard``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from labreview.domain.vocabulary import MINOR_PER_UNIT, Quarter
from labreview.exchange.csv_columns import COLUMNS, DECISION_COLUMNS, guard


@dataclass(frozen=True)
class CsvText:
    text: str
    rows: int


def backlog_csv(portfolio: Any) -> CsvText:
    """The whole backlog as CSV text with the ``COLUMNS`` header, one row per initiative by key."""
    from labreview.portfolio.records import backlog_records

    return _csv([c.name for c in COLUMNS], [_backlog_row(r) for r in backlog_records(portfolio)])


def _backlog_row(record: Mapping[str, Any]) -> list[str]:
    return [cell(c.name, record[c.name]) for c in COLUMNS]


def cell(field: str, value: Any) -> str:
    """A stored value as it is written to a CSV cell (and read back unchanged)."""
    if value is None:
        return ""
    if field == "quarterly_cost":
        return f"{Decimal(value) / MINOR_PER_UNIT:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard(str(getattr(value, "value", value)))


def decisions_csv(portfolio: Any, quarter: str | None = None) -> CsvText:
    """One row per decision (of ``quarter``, or of every session), oldest session first."""
    if quarter is not None:
        quarter = str(Quarter.parse(quarter))
        portfolio.session(quarter)  # refuses an unknown quarter in words
    held_on = {s.quarter: s.held_on for s in portfolio.sessions()}
    rows = []
    for decision in portfolio.decisions(quarter):
        actions = "\n".join(
            f"{a.text} ({a.owner.name}, due {a.due.isoformat()}, {a.status})" for a in decision.action_items
        )
        rows.append(
            [
                decision.quarter,
                held_on[decision.quarter].isoformat(),
                decision.key,
                guard(decision.title),
                decision.outcome.value,
                decision.stage_before.value,
                decision.stage_after.value,
                guard(decision.rationale),
                guard(decision.conditions),
                decision.next_review.isoformat() if decision.next_review else "",
                guard(actions),
                decision.absorbed_by or "",
                guard(decision.signed_off_by or ""),
            ]
        )
    return _csv(DECISION_COLUMNS, rows)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> CsvText:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvText(buffer.getvalue(), len(rows))

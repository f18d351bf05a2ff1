"""The backlog and the decisions as JSON, beside the CSV of ``csv_write``, for other tools.

Values keep their types: money as a decimal string in currency units (``"12500.00"``, exact; the
currency is given once at the top), dates as ``YYYY-MM-DD``, yes/no as ``true``/``false``, an empty
field as ``null``, choices by their value (``"lab"``). There is no formula guard (JSON is not a
spreadsheet) and action items are a list, not lines in a cell.

Text people typed is hostile until shown otherwise, so the output is inert wherever it lands: every
control character (C0, DEL, C1), the bidirectional controls, the Unicode line and paragraph separators
and ``<``, ``>``, ``&`` are written as ``\\uXXXX`` escapes — the same strings to a JSON reader, but
nothing that a terminal, an HTML page that embeds the document or a JavaScript parser acts on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from labreview.domain.vocabulary import MINOR_PER_UNIT, Quarter
from labreview.exchange.csv_columns import COLUMNS
from labreview.exchange.csv_write import CsvText

_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069<>&]")
"""What ``json.dumps(ensure_ascii=False)`` leaves as it is but should not reach a terminal or a page as such."""


def dumps(document: Any) -> str:
    """``document`` as indented JSON text ending in a newline, with the characters of ``_UNSAFE`` escaped."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def backlog_json(portfolio: Any) -> CsvText:
    """Every initiative by key, with the fields ``labreview import`` reads, as a JSON document."""
    from labreview.portfolio.records import backlog_records

    initiatives = [_backlog_object(record) for record in backlog_records(portfolio)]
    document = {"currency": portfolio.currency, "initiatives": initiatives}
    return CsvText(dumps(document), len(initiatives))


def _backlog_object(record: Mapping[str, Any]) -> dict[str, Any]:
    return {column.name: value(column.name, record[column.name]) for column in COLUMNS}


def value(field: str, stored: Any) -> Any:
    """A stored value as JSON has it."""
    if stored is None or stored == "":
        return None
    if field == "quarterly_cost":
        return f"{Decimal(stored) / MINOR_PER_UNIT:.2f}"
    if isinstance(stored, bool):
        return stored
    if isinstance(stored, dt.date):
        return stored.isoformat()
    return str(getattr(stored, "value", stored))


def decisions_json(portfolio: Any, quarter: str | None = None) -> CsvText:
    """The decisions (of ``quarter``, or of every session), oldest session first, with their action items."""
    if quarter is not None:
        quarter = str(Quarter.parse(quarter))
        portfolio.session(quarter)  # refuses an unknown quarter in words
    held_on = {s.quarter: s.held_on for s in portfolio.sessions()}
    decisions = [
        {
            "quarter": d.quarter,
            "session_date": held_on[d.quarter].isoformat(),
            "key": d.key,
            "title": d.title,
            "outcome": d.outcome.value,
            "stage_before": d.stage_before.value,
            "stage_after": d.stage_after.value,
            "rationale": d.rationale or None,
            "conditions": d.conditions or None,
            "next_review": d.next_review.isoformat() if d.next_review else None,
            "absorbed_by": d.absorbed_by,
            "signed_off_by": d.signed_off_by,
            "action_items": [
                {"text": a.text, "owner": a.owner.name, "due": a.due.isoformat(), "status": _status(a.status)}
                for a in d.action_items
            ],
        }
        for d in portfolio.decisions(quarter)
    ]
    return CsvText(dumps({"decisions": decisions}), len(decisions))


def _status(status: Any) -> str:
    return str(getattr(status, "value", status))


__all__ = ["backlog_json", "decisions_json", "dumps"]

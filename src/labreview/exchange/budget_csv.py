"""A quarter's budget lines as CSV, out and in.

Out: ``quarter,key,title,stage,track,amount,cost_per_quarter`` (money as ``12500.00``): the
planned line beside the initiative's current quarterly cost. In: ``key`` and ``amount``
are required, ``track`` optional; other columns (the export's own) are ignored, so an
exported file edited in a spreadsheet reads back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import money_decimal, parse_money

COLUMNS = ("quarter", "key", "title", "stage", "track", "amount", "cost_per_quarter")


def budget_csv(view: Any) -> str:
    """The lines of a ``BudgetView`` as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in view.lines:
        writer.writerow(
            [
                view.quarter,
                line.key,
                _cell(line.title),
                line.stage.value,
                line.track.value,
                f"{money_decimal(line.amount):.2f}",
                f"{money_decimal(line.cost):.2f}",
            ]
        )
    return out.getvalue()


def read_budget_csv(text: str) -> list[tuple[str, int, str | None]]:
    """``(key, amount in minor units, track or None)`` per row; a bad row refuses the whole file, in words."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise InvalidInput("The budget file is empty; it needs a header line with key and amount.")
    header = [_fold(name) for name in rows[0]]
    if "key" not in header or "amount" not in header:
        raise InvalidInput("The budget file needs the columns key and amount (track is optional).")
    key_at, amount_at = header.index("key"), header.index("amount")
    track_at = header.index("track") if "track" in header else None
    found: list[tuple[str, int, str | None]] = []
    problems: list[str] = []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            key = _at(row, key_at).strip()
            if not key:
                raise InvalidInput("the key is empty")
            amount = parse_money(_at(row, amount_at))
            track = _at(row, track_at).strip() or None if track_at is not None else None
        except InvalidInput as exc:
            problems.append(f"line {number}: {exc.message}")
            continue
        found.append((key, amount, track))
    if problems:
        raise InvalidInput("The budget file has bad rows, so nothing was set: " + "; ".join(problems[:5]))
    return found


def _at(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _fold(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (as the backlog export does)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

"""An import's report as lines for a person (the dry run and the real one say the same things)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from labreview.domain.vocabulary import MINOR_PER_UNIT
from labreview.exchange.csv_columns import ENUMS

if TYPE_CHECKING:
    from labreview.exchange.csv_columns import ParsedFile


def describe(parsed: ParsedFile, report: Any, *, currency: str = "", detail_limit: int | None = None) -> list[str]:
    """The report as lines for a person: what was (or would be) created and changed, field by field,
    and why rows are bad.

    ``detail_limit`` caps how many initiatives are listed one by one (``None``: all).
    """
    lines: list[str] = []
    would = report.dry_run or not report.written
    if not parsed.encoding.startswith("UTF-8"):
        how = "the first sheet of the workbook" if parsed.encoding == "xlsx" else f"{parsed.encoding} text"
        lines.append(f"Read {how}.")
    if parsed.ignored:
        lines.append("Ignored columns (not known): " + ", ".join(f"'{printable(h)}'" for h in parsed.ignored))
    created = report.created
    changed = report.changed
    verb_create = "Would create" if would else "Created"
    verb_change = "Would change" if would else "Changed"
    if created:
        lines.append(f"{verb_create} {_count(len(created), 'initiative')}:")
        for item in _limited(created, detail_limit, lines):
            values = item.values
            lines.append(
                f"  + {item.key} {quote(item.title)} ({values['stage']}, {values['category']}, "
                f"owner {printable(values['owner'])}) — line {item.line}"
            )
    if changed:
        lines.append(f"{verb_change} {_count(len(changed), 'initiative')}:")
        for item in _limited(changed, detail_limit, lines):
            lines.append(f"  ~ {item.key} — line {item.line}")
            for change in item.changes:
                before = show(change.field, change.before, currency)
                after = show(change.field, change.after, currency)
                lines.append(f"      {change.field}: {before} → {after}")
    if report.new_people:
        verb = "Would add" if would else "Added"
        people = report.new_people
        shown = people if detail_limit is None or len(people) <= detail_limit else people[:detail_limit]
        names = ", ".join(printable(n) for n in shown)
        if len(shown) < len(people):
            names += f" and {len(people) - len(shown):,} more"
        lines.append(f"{verb} {_count(len(report.new_people), 'person', 'people')} (not on the board): {names}")
    if report.unchanged:
        lines.append(f"Unchanged: {_count(report.unchanged, 'initiative')}.")
    if not created and not changed and not report.problems:
        lines.append("Nothing to change: the portfolio already matches the file.")
    if report.problems:
        lines.append(f"{_count(len(report.problems), 'bad row')}:")
        for problem in report.problems:
            key = f" ({printable(problem.key)})" if problem.key else ""
            lines.append(f"  line {problem.line}{key}: {printable(problem.message)}")
    return lines


def _limited(items: Sequence[Any], limit: int | None, lines: list[str]) -> Sequence[Any]:
    if limit is None or len(items) <= limit:
        return items
    lines.append(f"  (the first {limit:,} of {len(items):,}; --dry-run lists them all)")
    return items[:limit]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def show(field: str, value: Any, currency: str = "") -> str:
    """A stored value as a person reads it in a report."""
    if value is None or value == "":
        return "(empty)"
    if field == "quarterly_cost":
        return f"{currency} {Decimal(value) / MINOR_PER_UNIT:,.2f}".strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if field in ENUMS:
        return str(getattr(value, "value", value))
    return quote(str(value))


def quote(text: str, limit: int = 80) -> str:
    shown = printable(text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"“{shown}”"


def printable(text: str) -> str:
    """Text safe to print on a terminal: newlines as ⏎, other control characters as \\xNN."""
    out = []
    for char in str(text):
        if char == "\n":
            out.append("⏎")
        elif ord(char) < 32 or 127 <= ord(char) < 160:
            out.append(f"\\x{ord(char):02x}")
        elif char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)

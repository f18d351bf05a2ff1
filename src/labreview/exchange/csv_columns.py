"""The backlog file's columns (shared by the CSV reader and writer), and the formula guard.

Writing uses the same columns (``COLUMNS``) as reading, so an exported backlog imports
back with no change. Text that a spreadsheet would run as a formula (starting
with ``=``, ``+``, ``-`` or ``@``) is written with a leading apostrophe (``guard``), which
the reader takes off again (``unguard``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from labreview.domain import fields
from labreview.domain.vocabulary import (
    Category,
    DataSensitivity,
    IntegrationScope,
    Stage,
    SuccessMetric,
    Track,
)


@dataclass(frozen=True)
class Column:
    """One column of the backlog file: its header, what it holds, and what it accepts (for the README)."""

    name: str
    kind: str
    accepts: str


def _choices(enum) -> str:
    return ", ".join(f"`{m.value}`" for m in enum)


def _up_to(name: str) -> str:
    """The text limit of field ``name`` (``domain.fields``), as the column reference writes it."""
    return f"{fields.limit(name):,}"


def _criterion(name: str) -> str:
    return f"pre-registered success criterion, up to {_up_to(name)} characters; fixed once the pilot is approved"


COLUMNS: tuple[Column, ...] = (
    Column("key", "key", "required; letters, digits, `-`, `.`, `_`, up to 24 characters (`EXP-101`); upper-cased"),
    Column("title", "text", f"required for a new initiative; up to {_up_to('title')} characters"),
    Column(
        "stage",
        "stage",
        f"{_choices(Stage)}; new initiatives default to `lab`; an existing initiative's stage cannot change",
    ),
    Column("category", "category", f"required for a new initiative: {_choices(Category)}"),
    Column("track", "track", f"budget track: {_choices(Track)}; new initiatives default to their stage's track"),
    Column("owner", "person", "required for a new initiative; a person's name (created if unknown)"),
    Column("sponsor", "person", "a person's name (created if unknown)"),
    Column("vendor", "text", f"up to {_up_to('vendor')} characters"),
    Column(
        "quarterly_cost",
        "money",
        "in currency units: `12500`, `12500.50`, `12,500.50`, `12500,50`, `12.500,50`; new: 0",
    ),
    Column("renewal_date", "date", "`YYYY-MM-DD`"),
    Column("ai_heavy", "bool", "`yes`/`no` (also `true`/`false`, `1`/`0`, `y`/`n`, `x`); new: no"),
    Column("description", "text", f"up to {_up_to('description')} characters"),
    Column("baseline", "text", _criterion("baseline")),
    Column("target_lift", "text", _criterion("target_lift")),
    Column("test_period", "text", _criterion("test_period")),
    Column("operational_threshold", "text", _criterion("operational_threshold")),
    Column("business_objective", "text", f"intake: up to {_up_to('business_objective')} characters"),
    Column("user_group", "text", "intake: who, how often"),
    Column("data_sensitivity", "data_sensitivity", f"intake: {_choices(DataSensitivity)}"),
    Column("integration_scope", "integration_scope", f"intake: {_choices(IntegrationScope)}"),
    Column("success_metric", "success_metric", f"intake: {_choices(SuccessMetric)}"),
    Column("exit_plan", "text", "intake: what happens if the pilot fails"),
)
"""The backlog columns, in the order ``export backlog`` writes them: ``domain.fields.FIELDS``."""

ALIASES = {"cost": "quarterly_cost", "renewal": "renewal_date", "ai": "ai_heavy"}
"""Other headers accepted for a column (after folding)."""

ENUMS = {
    "stage": Stage,
    "category": Category,
    "track": Track,
    "data_sensitivity": DataSensitivity,
    "integration_scope": IntegrationScope,
    "success_metric": SuccessMetric,
}
DECISION_COLUMNS = (
    "quarter",
    "session_date",
    "key",
    "title",
    "outcome",
    "stage_before",
    "stage_after",
    "rationale",
    "conditions",
    "next_review",
    "action_items",
    "absorbed_by",
    "signed_off_by",
)
FORMULA_START = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet evaluate a cell as a formula."""


def column_reference(width: int = 100) -> list[str]:
    """The columns ``import`` reads and what each accepts, as lines for a terminal (``labreview import --columns``)."""
    import textwrap

    name_width = max(len(c.name) for c in COLUMNS) + 2
    aliases = {target: alias for alias, target in ALIASES.items()}
    lines = [
        "The first line names the columns, matched ignoring case, spaces, dashes and underscores",
        "(Quarterly Cost = quarterly_cost). Only key is required; unknown columns are ignored and listed.",
        "An empty cell keeps what is stored; a new initiative gets the default.",
        "",
    ]
    for column in COLUMNS:
        accepts = column.accepts.replace("`", "")
        if column.name in aliases:
            accepts += f" (also headed {aliases[column.name]})"
        wrapped = textwrap.wrap(accepts, width=max(40, width - name_width))
        lines.append(column.name.ljust(name_width) + wrapped[0])
        lines.extend(" " * name_width + more for more in wrapped[1:])
    return lines


def fold_header(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


_BY_FOLDED = {fold_header(c.name): c for c in COLUMNS} | {
    fold_header(alias): next(c for c in COLUMNS if c.name == target) for alias, target in ALIASES.items()
}


def needs_guard(value: str) -> bool:
    """Would a spreadsheet run this as a formula (ignoring apostrophes already in front)?"""
    return value.lstrip("'")[:1] in FORMULA_START


def guard(value: str) -> str:
    """Text for a CSV cell: an apostrophe in front of anything a spreadsheet would evaluate."""
    return "'" + value if needs_guard(value) else value


def unguard(value: str) -> str:
    """The reverse of ``guard``: the apostrophe it added comes off."""
    if value[:1] != "'":
        return value
    return value[1:] if needs_guard(value[1:]) else value


@dataclass(frozen=True)
class ParsedFile:
    """A CSV file read into import records, with what a person should know about how it was read."""

    records: Sequence[Any]
    """``importing.ImportRecord``s, one per non-blank row: an ``importing.RecordColumns`` when every row could be
    read (each record is made when it is looked at), else a tuple."""
    columns: tuple[str, ...]
    ignored: tuple[str, ...]
    """Headers that name no known column."""
    delimiter: str
    encoding: str = "UTF-8"
    """How the file was read, for a person: ``UTF-8``, ``Windows-1252``, ``UTF-16 (with BOM)``, ``xlsx``, or the
    encoding the person named."""

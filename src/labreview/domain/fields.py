"""An initiative's fields in one table: name, label, kind and limit, and how typed values are cleaned.

Read by the service (create, edit, intake, criteria), the import (plan and column checks), the CSV
reader and writer (column order) and the screens (labels, ``Input.max_length``), so a limit or a label
is written once. ``tests/domain/test_fields.py`` holds every reader to this table.

The other records' free texts (a decision's rationale, an action item …) have their limits in
``LIMITS`` for the same reason: the dialog's ``max_length`` and the service's refusal agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import DataSensitivity, IntegrationScope, SuccessMetric

KEY_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,23}$")
"""A key as stored: upper-case ASCII letters, digits, ``-``, ``.``, ``_``; up to 24 characters."""
MAX_TITLE = 200
MAX_TEXT = 10_000
NAME_LIMIT = 120
"""A person's name (an owner, a sponsor, a board member)."""
MAX_MONEY = 10**15
"""The largest amount in minor units (cents) taken as real."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field of an initiative (``part``: ``initiative``, ``criterion`` or ``intake``)."""

    name: str
    label: str
    kind: str
    """``key``, ``text``, ``choice``, ``money``, ``date``, ``flag`` or ``person``."""
    part: str = "initiative"
    limit: int | None = None
    """The longest text taken (``text`` fields only)."""
    required: bool = False
    choices: type[StrEnum] | None = None
    """The vocabulary of a ``choice`` field of the intake (the initiative's own enums are parsed by the service)."""

    @property
    def what(self) -> str:
        """How a refusal names the field: ``The target lift is …``."""
        return self.name.replace("_", " ")


TABLE: tuple[Field, ...] = (
    Field("key", "Key", "key", required=True),
    Field("title", "Title", "text", limit=MAX_TITLE, required=True),
    Field("stage", "Stage", "choice"),
    Field("category", "Category", "choice"),
    Field("track", "Track", "choice"),
    Field("owner", "Owner", "person"),
    Field("sponsor", "Sponsor", "person"),
    Field("vendor", "Vendor", "text", limit=120),
    Field("quarterly_cost", "Quarterly cost", "money"),
    Field("renewal_date", "Renewal date", "date"),
    Field("ai_heavy", "AI-heavy", "flag"),
    Field("description", "Description", "text", limit=MAX_TEXT),
    Field("baseline", "Baseline", "text", "criterion", limit=500),
    Field("target_lift", "Target lift", "text", "criterion", limit=500),
    Field("test_period", "Test period", "text", "criterion", limit=500),
    Field("operational_threshold", "Operational threshold", "text", "criterion", limit=500),
    Field("business_objective", "Business objective", "text", "intake", limit=MAX_TEXT),
    Field("user_group", "User group (who, how often)", "text", "intake", limit=MAX_TEXT),
    Field("data_sensitivity", "Data sensitivity", "choice", "intake", choices=DataSensitivity),
    Field("integration_scope", "Integration scope", "choice", "intake", choices=IntegrationScope),
    Field("success_metric", "Success metric", "choice", "intake", choices=SuccessMetric),
    Field("exit_plan", "Exit plan (if the pilot fails)", "text", "intake", limit=MAX_TEXT),
)
"""Every field, in the order files list them (the import's and export's column order)."""

BY_NAME: MappingProxyType[str, Field] = MappingProxyType({f.name: f for f in TABLE})

FIELDS = tuple(f.name for f in TABLE)
"""Every field an import can set, in the order files list them."""
INITIATIVE_FIELDS = tuple(f.name for f in TABLE if f.part in ("initiative", "criterion") and f.name != "key")
"""The initiative's own fields (the row of ``initiative``), in file order."""
INTAKE_FIELDS = tuple(f.name for f in TABLE if f.part == "intake")
"""The six intake fields (the row of ``intake``), in file order."""
INTAKE_TEXT_FIELDS = tuple(f.name for f in TABLE if f.part == "intake" and f.kind == "text")
INTAKE_CHOICE_FIELDS: MappingProxyType[str, type[StrEnum]] = MappingProxyType(
    {f.name: f.choices for f in TABLE if f.part == "intake" and f.choices is not None}
)
CRITERIA_FIELDS = tuple(f.name for f in TABLE if f.part == "criterion")
"""The pre-registered success criteria, fixed at pilot approval (a later change needs a reason)."""
TEXT_LIMITS: MappingProxyType[str, int] = MappingProxyType(
    {f.name: f.limit for f in TABLE if f.kind == "text" and f.limit is not None}
)
EDITABLE_FIELDS = (
    "title",
    "description",
    "category",
    "owner_id",
    "sponsor_id",
    "vendor",
    "quarterly_cost",
    "renewal_date",
    "ai_heavy",
    "track",
)
"""What ``update_initiative`` edits (the stage changes only by a decision; criteria and intake have their own)."""

LIMITS: MappingProxyType[str, int] = MappingProxyType(
    {
        "setting": 200,
        "email": 200,
        "checklist item": 300,
        "check reason": 1000,
        "criterion reason": 1000,
        "data description": 1000,
        "access conditions": 1000,
        "rationale": 2000,
        "decision conditions": 2000,
        "action item": 500,
    }
)
"""The longest text of the other records' free-text fields, by what a person calls them."""


def label(name: str) -> str:
    """The label of an initiative field (``KeyError`` for a name that is not one)."""
    return BY_NAME[name].label


def limit(name: str) -> int:
    """The longest text a field takes: an initiative field's limit, else one of ``LIMITS``."""
    field = BY_NAME.get(name)
    if field is not None and field.limit is not None:
        return field.limit
    return LIMITS[name]


def clean_text(value: object, *, what: str, limit: int = MAX_TEXT, required: bool = False) -> str:
    """Text as typed, minus surrounding blanks; refuses control characters that break storage."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").strip()
    if "\x00" in text:
        raise InvalidInput(f"The {what} contains a NUL character, which cannot be stored; remove it.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"The {what} contains a broken character (a lone surrogate), which cannot be stored; retype it."
        ) from None
    if required and not text:
        raise InvalidInput(f"The {what} cannot be empty.")
    if len(text) > limit:
        raise InvalidInput(f"The {what} is {len(text):,} characters long; the limit is {limit:,}.")
    return text


def clean_field(name: str, value: object) -> str:
    """``value`` cleaned as the text field ``name`` of the table (its limit, required or not)."""
    field = BY_NAME[name]
    return clean_text(value, what=field.what, limit=field.limit or MAX_TEXT, required=field.required)


def check_name(name: object) -> str:
    """A board member's name as typed; control characters (ESC, BEL, a newline …) are refused: the board is
    listed on the terminal and named in the minutes, where an escape sequence would act instead of show.
    (Other people's names, e.g. owners from a spreadsheet, are stored as given and shown escaped.)"""
    text = clean_text(name, what="name", limit=NAME_LIMIT, required=True)
    bad = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise InvalidInput(
            f"The name contains a control character (U+{ord(bad):04X}), which cannot be shown as text; remove it."
        )
    return text


def check_key(key: str) -> str:
    """A key as stored (ASCII upper-cased), or ``InvalidInput`` saying what a key may be."""
    typed = str(key or "").strip()
    key = typed.upper() if typed.isascii() else typed  # "ß".upper() is "SS", "ﬁ".upper() is "FI": refused below
    if not KEY_PATTERN.match(key):
        raise InvalidInput(
            f"'{key}' is not a usable key: use letters, digits, '-', '.' or '_', up to 24 characters (e.g. LAB-014)."
        )
    return key


def check_money(amount: object) -> int:
    """An amount in minor units (cents): a whole, non-negative number below ``MAX_MONEY``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(f"An amount is a whole number of cents; got {amount!r}.")
    if amount < 0:
        raise InvalidInput("An amount cannot be negative.")
    if amount > MAX_MONEY:
        raise InvalidInput("That amount is too large to be real.")
    return amount

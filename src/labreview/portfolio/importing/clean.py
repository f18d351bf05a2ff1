"""The stored form of each field an import sets, under the limits of the single-record use cases."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from labreview.domain.errors import InvalidInput
from labreview.domain.fields import MAX_MONEY, NAME_LIMIT, TEXT_LIMITS, check_key, clean_text

_TEXT_LIMITS = dict(TEXT_LIMITS)
"""``domain.fields.TEXT_LIMITS`` as a plain dict: looked up once per cell of a file checked row by row."""


def _upper_ascii(key: str) -> str:
    """A key upper-cased the way ``_check_key`` does it: only ASCII letters change."""
    return key.upper() if key.isascii() else key


def _check_key(key: str) -> str:
    """``domain.fields.check_key``, with the import's own word for an empty key cell."""
    if not str(key or "").strip():
        raise InvalidInput("The key is empty; every row needs the initiative's key (e.g. LAB-014).")
    return check_key(key)


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Stored forms of the given fields, under the limits of the single-record use cases.

    The two commonest cases (a clean string within its limit, an enum member) are taken inline:
    a 100,000-row file has over a million cells, and a function call per cell is a second of work.
    """
    values: dict[str, Any] = {}
    limits = _TEXT_LIMITS
    for name, value in fields.items():
        limit = limits.get(name)
        if limit is not None:
            if type(value) is str and "\r" not in value and "\x00" not in value:  # _text's fast path
                text = value.strip()
                if len(text) <= limit and (text or name != "title"):
                    values[name] = text
                    continue
            values[name] = _text(name, value)
            continue
        if name in _CHOICE_FIELDS and isinstance(value, StrEnum):  # _choice's fast path
            values[name] = value._value_
            continue
        cleaner = _CLEANERS.get(name)
        if cleaner is None:
            raise InvalidInput(f"'{name}' is not a field an import can set.")
        values[name] = cleaner(name, value)
    return values


def _text(name: str, value: Any) -> str:
    """``clean_text`` with a fast path: most cells are short, clean strings (100,000 rows × a dozen columns)."""
    limit = _TEXT_LIMITS[name]
    if isinstance(value, str):
        text = (value.replace("\r\n", "\n") if "\r" in value else value).strip()
        if "\x00" not in text and len(text) <= limit and (text or name != "title"):
            return text
    return clean_text(value, what=name.replace("_", " "), limit=limit, required=name == "title")


def _person_name(name: str, value: Any) -> str | None:
    if isinstance(value, str):
        return _person_name_of_text(name, value)
    text = clean_text(value, what=f"{name}'s name", limit=NAME_LIMIT)
    return " ".join(text.split()) or None


@functools.lru_cache(maxsize=4096)
def _person_name_of_text(name: str, value: str) -> str | None:
    """``_person_name`` of a string, remembered: a file names the same few hundred people on every row.
    (A refused name raises every time: exceptions are not cached.)"""
    text = clean_text(value, what=f"{name}'s name", limit=NAME_LIMIT)
    return " ".join(text.split()) or None


def _money(name: str, value: Any) -> int:
    amount = 0 if value is None else value
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidInput(f"The quarterly cost must be an amount of 0 or more; got {value!r}.")
    if amount > MAX_MONEY:
        raise InvalidInput("That quarterly cost is too large to be real.")
    return amount


def _date(name: str, value: Any) -> dt.date | None:
    if value is not None and not isinstance(value, dt.date):
        raise InvalidInput(f"The {name.replace('_', ' ')} must be a date; got {value!r}.")
    return value


def _choice(name: str, value: Any) -> str | None:
    """Enums (stage, category, track, the intake choices) are stored by value."""
    if isinstance(value, StrEnum):
        return value._value_  # the member's value, without the descriptor behind ``.value`` (600,000 cells)
    return None if value in (None, "") else getattr(value, "value", value)


_CHOICE_FIELDS = frozenset(("stage", "category", "track", "data_sensitivity", "integration_scope", "success_metric"))
_CLEANERS: dict[str, Callable[[str, Any], Any]] = {
    **{name: _text for name in TEXT_LIMITS},
    "owner": _person_name,
    "sponsor": _person_name,
    "quarterly_cost": _money,
    "renewal_date": _date,
    "ai_heavy": lambda _name, value: bool(value),
    **{name: _choice for name in _CHOICE_FIELDS},
}

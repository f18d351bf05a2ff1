"""Showing text people typed: never as markup, never with control characters that move the cursor."""

from __future__ import annotations

import unicodedata

from rich.text import Text

_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def safe(value: object, *, one_line: bool = True) -> str:
    """Text fit for a terminal cell: control characters shown as ``�``, bidi overrides dropped.

    Newlines become ``⏎`` in one-line contexts so that a row stays a row.
    """
    text = "" if value is None else str(value)
    if text.isprintable():  # nothing to change (control characters, bidi marks and newlines are not printable)
        return text
    out = []
    for char in text:
        if char in _BIDI:
            continue
        if char == "\n":
            out.append(" ⏎ " if one_line else "\n")
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) == "Cc":
            out.append("�")
        else:
            out.append(char)
    return "".join(out)


def plain(value: object, style: str = "", *, one_line: bool = True, width: int | None = None) -> Text:
    """A Rich ``Text`` of user text (so that ``[bold]`` in a title stays literal), cut to ``width`` cells."""
    text = Text(safe(value, one_line=one_line), style=style)
    if width is not None:
        text.truncate(max(1, width), overflow="ellipsis")
    return text

"""Escaping people's text for GitHub-flavoured Markdown, and a few block builders.

Everything a person typed (titles, rationales, names, conditions…) goes through
``text`` before it reaches the minutes. The goal is twofold: the text can never
change the document's structure or inject markup (a pipe cannot split a table
cell, ``<script>`` stays visible text, ``[x](javascript:…)`` is not a link, a
leading ``#`` is not a heading), and the raw Markdown still reads naturally, so
only characters that could act as markup in their position are escaped.

Newlines inside a value become " / " so that a multi-line rationale stays on
the one line a table cell or list item needs. Control characters and the
Unicode bidirectional overrides (which can make a line display in a different
order than it reads) are dropped; everything else, emoji included, is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

LINE_SEPARATOR = " / "
"""What a newline inside a value becomes."""

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ALWAYS = frozenset("\\`*[]<|~")
"""Characters that are markup wherever they stand (``_``, ``&``, ``#`` and ``>`` are handled by position)."""
_LEADING_MARKERS = frozenset("#>-+=")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SPACES = re.compile(r"[ \t]+")
_DROPPED = re.compile("[" + "".join(sorted(_BIDI_CONTROLS)) + "\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What ``clean`` removes: the bidi controls and every control character (category Cc) but newline and tab."""
_PLAIN = re.compile(r"[^\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]*")
"""Text with no control or bidi character: with no run of spaces either, ``clean`` only strips it."""
_SPECIAL = re.compile(r"[\\`*\[\]<|~_]")
"""The characters ``escape`` may have to escape wherever they stand (``_ALWAYS`` and the underscore)."""
_TRAILING_HASHES = re.compile(r"(?<=\s)(#+)$")


def clean(value: object) -> str:
    """The value as one line of plain text: no control or bidi characters, newlines as " / "."""
    if value is None:
        return ""
    if value.__class__ is str and "  " not in value and _PLAIN.fullmatch(value):
        return value.strip()  # most text: one line, single spaces, nothing to drop (a fifth of the time)
    return _clean_thoroughly(value)


def _clean_thoroughly(value: object) -> str:
    """``clean`` for any value, character by character."""
    text = _DROPPED.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    if "\n" not in text:
        return _SPACES.sub(" ", text).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return LINE_SEPARATOR.join(line for line in lines if line)


def text(value: object, *, limit: int | None = None) -> str:
    """``value`` made safe to place anywhere inline: a paragraph, list item, heading or table cell.

    With ``limit``, the text is shortened (on a word boundary, with "…") before
    escaping, so an escape sequence is never cut in half.
    """
    plain = clean(value)
    if limit is not None:
        plain = shorten(plain, limit)
    return escape(plain)


def escape(plain: str) -> str:
    """Backslash-escape what could act as Markdown or HTML in a single line of text."""
    if _SPECIAL.search(plain) is None:
        result = plain  # most text: nothing to escape character by character
    else:
        out: list[str] = []
        last = len(plain) - 1
        for index, char in enumerate(plain):
            if char in _ALWAYS:
                out.append("\\" + char)
            elif char == "_":
                before = plain[index - 1] if index > 0 else " "
                after = plain[index + 1] if index < last else " "
                # Between two letters or digits an underscore can neither open nor close emphasis.
                out.append("_" if before.isalnum() and after.isalnum() else "\\_")
            else:
                out.append(char)
        result = "".join(out)
    if "&" in result:
        result = _ENTITY.sub(r"\\&", result)
    if result[:1] in _LEADING_MARKERS:
        result = "\\" + result
    elif result[:1].isdigit():  # a superset of what \d matches
        result = _ORDERED_MARKER.sub(r"\1\\\2", result)
    # A run of "#" at the end of a heading would be read as its closing sequence.
    if "#" in result:
        result = _TRAILING_HASHES.sub(lambda m: "\\#" * len(m[1]), result)
    return result


def shorten(plain: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary when there is one, ending in "…"."""
    if len(plain) <= limit:
        return plain
    cut = plain[: max(1, limit - 1)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" /;,.:-") + "…"


def code(value: str) -> str:
    """A code span for a value we produce ourselves (keys of our vocabulary); never for people's text."""
    if "`" in value:
        return text(value)
    return f"`{value}`"


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    align: Sequence[str] | None = None,
    empty: str = "—",
) -> str:
    """A GFM table. Cells must already be escaped (``text``); empty cells are shown as ``empty``.

    ``align`` holds one of "l", "r", "c" per column.
    """
    align = align or ["l"] * len(headers)
    marks = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [_row(headers), _row([marks[a] for a in align])]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"table row has {len(row)} cells, expected {len(headers)}")
        lines.append(_row([cell if cell.strip() else empty for cell in row]))
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def bullets(items: Iterable[str], indent: int = 0) -> str:
    """A bullet list of already escaped items."""
    pad = " " * indent
    return "\n".join(f"{pad}- {item}" for item in items)


__all__ = ["LINE_SEPARATOR", "bullets", "clean", "code", "escape", "shorten", "table", "text"]

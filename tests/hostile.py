"""Hostile strings for the tests: the Big List of Naughty Strings plus what is nasty for this app in particular."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

BLNS = Path(__file__).with_name("data") / "blns.json"

EXTRAS: tuple[str, ...] = (
    "[bold red]Approved[/bold red]",
    "[/]",
    "[link=file:///etc/passwd]minutes[/link]",
    "[@click=app.quit]Click to approve[/]",
    "[b]unclosed",
    "\\[escaped] \\\\[double]",
    ":warning: :red_circle: emoji codes",
    "\x1b[2J\x1b[HThe screen is gone",
    "\x1b]8;;https://example.invalid\x1b\\a link\x1b]8;;\x1b\\",
    "\x1b[?1049l\x1b[?25lleave the alternate screen",
    "first line\nsecond line\r\nthird line\rfourth",
    "tab\tseparated\tcolumns",
    "NUL \x00 inside",
    "lone surrogate \ud83d here",
    "\u202eevil right-to-left override",
    "A" * 200,
    "B" * 201,
    "W" * 10_001,
    "  padded on both sides  ",
    "| a | table | row |\n|---|---|---|",
    "# heading\n* bullet\n```code```",
    "'; DROP TABLE initiative; --",
)
"""Strings aimed at this app: Rich/Textual markup, terminal control, storage limits and Markdown."""


@cache
def strings() -> tuple[str, ...]:
    """Every hostile string, BLNS first, without duplicates."""
    corpus = json.loads(BLNS.read_text(encoding="utf-8"))
    return tuple(dict.fromkeys([*corpus, *EXTRAS]))


def sample(every: int = 3) -> tuple[str, ...]:
    """Every ``every``-th BLNS string and all the extras: the default run (the slow run takes them all)."""
    corpus = json.loads(BLNS.read_text(encoding="utf-8"))
    return tuple(dict.fromkeys([*corpus[::every], *EXTRAS]))


def normalized(text: str) -> str:
    """What the service stores for a text field: surrounding blanks trimmed and CRLF as LF (see ``clean_text``)."""
    return text.replace("\r\n", "\n").strip()

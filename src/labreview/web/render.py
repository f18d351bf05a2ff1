"""HTML of a seat's page, through Jinja2 templates with autoescaping on for everything: stored text (titles,
names, rationales) is always text, never markup. Control characters are shown as escapes (``\\x1b``)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from labreview.domain.scoring import CONTESTED_SPREAD
from labreview.domain.vocabulary import Criterion, format_money
from labreview.portfolio.views import SeatPage


def shown(value: object) -> str:
    """Stored text as it may be shown: control characters (ESC, BEL, NUL…) and bidirectional overrides as
    visible escapes; newlines and tabs kept. Escaping for HTML is the template's autoescape."""
    text = "" if value is None else str(value)

    def one(c: str) -> str:
        code = ord(c)
        if c in "\n\t":
            return c
        if unicodedata.category(c) == "Cc" or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        return c

    return "".join(map(one, text))


def clock(seconds: int | None) -> str:
    """``12:05`` (minutes:seconds); ``1:02:03`` beyond an hour."""
    seconds = max(0, int(seconds or 0))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("labreview.web", "templates"),
        autoescape=True,  # every template, whatever its name: stored text is text
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = shown
    env.filters["clock"] = clock
    env.filters["money"] = format_money
    return env


def page_context(page: SeatPage, *, now: dt.datetime, currency: str, csrf: str, base: str) -> dict:
    """What the templates need of a seat's page (``base``: the page's own path, ``/s/<link>``)."""
    current_key = page.current.key if page.current else None
    elapsed = running = None
    if page.clock is not None and page.clock.key == current_key:
        elapsed = page.clock.elapsed_at(now)
        running = page.clock.running
    ballot = page.ballot
    voting = bool(page.seat.voter and ballot is not None and ballot.hidden)
    sheet = page.sheet
    reviewers = []
    if sheet is not None:
        for person in sheet.reviewers:
            row = [sheet.score(person.id, c) for c in Criterion]
            if any(v is not None for v in row):
                reviewers.append((person, row, sheet.totals.get(person.id)))
    return {
        "page": page,
        "seat": page.seat,
        "board": page.board,
        "session": page.session,
        "current": page.current,
        "checklist": page.checklist,
        "ballot": ballot,
        "voting": voting,
        "own": {c.value: v for c, v in page.own.items()},
        "sheet": sheet,
        "sheet_rows": reviewers,
        "criteria": list(Criterion),
        "values": (1, 2, 3, 4, 5),
        "contested_spread": CONTESTED_SPREAD,
        "elapsed": elapsed,
        "running": running,
        "currency": currency,
        "csrf": csrf,
        "base": base,
        "decisions": page.decisions,
        "actions": page.actions,
        "access": page.access if page.board else (),
    }


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)

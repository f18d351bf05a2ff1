"""Hostile titles on screen: the backlog, scorecard, gates and stack map show them as text, never as markup or terminal
control, and the header and footer stay where they are."""

from __future__ import annotations

import io
import unicodedata

from rich.console import Console

from labreview.domain.errors import InvalidInput
from tests.hostile import strings
from tests.ui.conftest import ready

SIZE = (160, 40)
KEY = "EXP-102"


def screen_text(app) -> str:
    """The current screen as plain text, the way export_screenshot renders it (through the compositor)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def nasty_titles() -> list[str]:
    """A few of each kind: markup, escapes and control characters, bidi, combining marks, wide and long text."""
    chosen: list[str] = []

    def pick(test, count=3):
        chosen.extend([s for s in strings() if test(s) and s not in chosen][:count])

    pick(lambda s: "[" in s and "]" in s, 4)
    pick(lambda s: "\x1b" in s, 4)
    pick(lambda s: any(unicodedata.category(c) == "Cc" and c != "\x00" for c in s) and "\x1b" not in s, 2)
    pick(lambda s: any(c in s for c in "\u202a\u202b\u202d\u202e\u2066\u2067"), 2)
    pick(lambda s: sum(unicodedata.combining(c) > 0 for c in s) > 20, 2)
    pick(lambda s: any(unicodedata.east_asian_width(c) == "W" for c in s), 2)
    pick(lambda s: any(unicodedata.bidirectional(c) in ("R", "AL") for c in s), 2)
    pick(lambda s: "\u200d" in s, 2)
    pick(lambda s: 150 < len(s) <= 200, 1)
    return chosen


def assert_intact(text: str, width: int, height: int, where: str) -> None:
    lines = text.split("\n")
    assert len([line for line in lines if line]) >= 3, where
    assert lines[0].startswith(" labreview · Northwind Retail"), f"{where}: header is gone: {lines[0]!r}"
    assert "2026-Q4" in lines[0], f"{where}: header lost its right side: {lines[0]!r}"
    footer = next(line for line in reversed(lines) if line.strip())
    assert "^p palette" in footer, f"{where}: footer is gone: {footer!r}"
    bad = {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}
    assert not bad, f"{where}: control characters reached the screen: {bad!r}"
    assert not any(c in text for c in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"), f"{where}: a bidi override"


async def test_hostile_titles_render_as_plain_text(app_factory):
    titles = nasty_titles()
    assert len(titles) >= 16
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        shown = 0
        for title in titles:
            try:
                app.portfolio.update_initiative(KEY, title=title)
            except InvalidInput:
                continue
            app.changed()
            for screen_key in ("s", "g", "b", "f"):
                await pilot.press(screen_key)
                await ready(pilot)
                text = screen_text(app)
                assert_intact(text, *SIZE, f"{app.current_mode} with {title!r}")
                if "[bold red]" in title and screen_key in "sgf":  # the stack map: in the cursor row's line
                    assert "[bold red]Approved[/bold red]" in text, "markup in a title must show as typed"
            shown += 1
        assert shown >= 16
        assert app.is_running

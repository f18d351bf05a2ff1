"""What the board sees: every screen at 100×32 and 80×24 on the sample portfolio (review SVG changes!)."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from labreview.config import Config
from tests.ui.conftest import ready, settle

SIZES = [(100, 32), (80, 24)]


@pytest.fixture(autouse=True)
def _utc_here(monkeypatch):
    """The audit history shows times on this machine's clock: make it UTC, so that the snapshots are the same
    everywhere."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def keys_then_settle(*keys: str, started: bool = True):
    async def run_before(pilot) -> None:
        await ready(pilot)
        if started:
            await pilot.press("S")
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor would make snapshots flaky
            field.cursor_blink = False
        await settle(pilot)

    return run_before


SCREENS = {
    "agenda-planned": keys_then_settle(started=False),
    "agenda": keys_then_settle(),
    "backlog": keys_then_settle("b"),
    "scorecard": keys_then_settle("enter", "4", "3", "5", "r", "2"),
    "scorecard-secret": keys_then_settle("enter", "V", "4", "3", "5", "r", "2"),
    "intake": keys_then_settle("enter", "i"),
    "gates": keys_then_settle("g"),
    "access": keys_then_settle("n", "n", "n", "a"),
    "budget": keys_then_settle("m"),
    "outcomes": keys_then_settle("o"),
    "kpis": keys_then_settle("k"),
    "decision": keys_then_settle("d", "i"),
    "help": keys_then_settle("g", "question_mark"),
    "stack": keys_then_settle("f"),
    "audit": keys_then_settle("L", "down"),
    "rights": keys_then_settle("D"),
    "decision-signed": keys_then_settle("n", "n", "n", "n", "n", "n", "n", "d", "p"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, app_factory, screen, size):
    assert snap_compare(app_factory(), terminal_size=size, run_before=SCREENS[screen])


LIGHT = "textual-light"


@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_light(snap_compare, app_factory, tmp_path, screen):
    """The same screens in the light theme (bright rooms, projectors): every colour comes from the theme."""
    config = Config(actor="Kim Novak", theme=LIGHT, path=tmp_path / "config.toml")
    assert snap_compare(app_factory(config=config), terminal_size=(100, 32), run_before=SCREENS[screen])


def test_budget_light_small(snap_compare, app_factory, tmp_path):
    """The budget chart at 80×24 in the light theme: readable ticks, no legend over a bar."""
    config = Config(actor="Kim Novak", theme=LIGHT, path=tmp_path / "config.toml")
    assert snap_compare(app_factory(config=config), terminal_size=(80, 24), run_before=SCREENS["budget"])


@pytest.fixture
def fixed_links(monkeypatch):
    """Personal links with a known secret, and their times of day in UTC, so that the seats screen draws the same."""
    import itertools
    import time

    from labreview.portfolio import seats

    numbers = itertools.count(1)
    monkeypatch.setattr(seats.secrets, "token_urlsafe", lambda _n: f"Snapshot-secret-{next(numbers):016d}")
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_seats(snap_compare, app_factory, fixed_links, size):
    """The seats screen after one link issued and one withdrawn: states, the link in full and its QR code."""
    keys = keys_then_settle("l", "down", "i", "x", "up", "i")
    assert snap_compare(app_factory(), terminal_size=size, run_before=keys)

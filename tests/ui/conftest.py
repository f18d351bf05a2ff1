"""UI tests run the real app on a scratch copy of the sample portfolio, with the clocks frozen."""

from __future__ import annotations

import pytest

from labreview.config import Config
from labreview.ui.app import make_app

Q = "2026-Q4"
SIZE = (100, 32)


class Stopwatch:
    """A monotonic clock the test moves by hand (for the timebox)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stopwatch() -> Stopwatch:
    return Stopwatch()


@pytest.fixture
def app_factory(sample_target, clock, stopwatch, tmp_path):
    def build(**options):
        config = options.pop("config", Config(actor="Kim Novak", path=tmp_path / "config.toml"))
        return make_app(sample_target, config=config, clock=clock, monotonic=stopwatch, **options)

    return build


async def ready(pilot) -> None:
    """Wait until the portfolio is open, the first screen drawn and background loads done."""
    await pilot.app.ready.wait()
    await settle(pilot)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def message(app) -> str:
    from labreview.ui.widgets.message_line import MessageLine

    return str(app.screen.query_one(MessageLine).render())


async def start(pilot):
    await ready(pilot)
    await pilot.press("S")
    await settle(pilot)
    assert pilot.app.session.status.value == "open"

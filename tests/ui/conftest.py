"""UI tests run the real app on a scratch copy of the sample portfolio, with the clocks frozen."""

from __future__ import annotations

import pytest

from labreview.app import make_app
from labreview.config import Config


@pytest.fixture
def app_factory(sample_copy, clock):
    def build(**options):
        config = options.pop("config", Config(actor="Kim Novak"))
        return make_app(sample_copy, config=config, clock=clock, monotonic=lambda: 1000.0, **options)

    return build


async def ready(pilot) -> None:
    """Wait until the portfolio is open and the first screen is drawn."""
    await pilot.app.ready.wait()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()

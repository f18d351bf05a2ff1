"""Two apps on one meeting count its time once: one holds the clock, the other follows it (ui/shared_clock.py).

The other app is played by a second portfolio object beating as an app would (what another process does
through the same database); the clocks are moved by hand.
"""

from __future__ import annotations

import datetime as dt

from labreview.config import Config
from labreview.portfolio import Portfolio
from labreview.portfolio.seats import CLOCK_LEASE
from labreview.ui.app import make_app
from labreview.ui.widgets.meeting_header import MeetingHeader
from tests.conftest import MEETING_DAY
from tests.ui.conftest import SIZE, Q, settle

KEY = "EXP-102"


class WallClock:
    """A UTC clock that stands still until the test moves it (shared by both 'apps')."""

    def __init__(self) -> None:
        self.now = MEETING_DAY

    def __call__(self) -> dt.datetime:
        return self.now


def spent(target) -> int:
    p = Portfolio.open(target)
    try:
        return next(e.spent_seconds for e in p.session(Q).agenda if e.key == KEY)
    finally:
        p.close()


async def tick(app, pilot, stopwatch, wall, seconds: int = 1) -> None:
    for _ in range(seconds):
        stopwatch.now += 1
        wall.now += dt.timedelta(seconds=1)
        app._tick()
        await settle(pilot)


async def test_an_app_that_finds_the_clock_held_follows_it_and_counts_nothing(sample_target, stopwatch, tmp_path):
    wall = WallClock()
    other = Portfolio.open(sample_target, clock=wall, actor="Kim Novak")
    other.start_session(Q)
    stored = spent(sample_target)
    assert other.beat(Q, "the-other-app", KEY, stored + 100, True).holder == "the-other-app"

    app = make_app(
        sample_target, config=Config(actor="Kim Novak", path=tmp_path / "c.toml"), clock=wall, monotonic=stopwatch
    )
    async with app.run_test(size=SIZE) as pilot:
        await app.ready.wait()
        await settle(pilot)
        await tick(app, pilot, stopwatch, wall)
        assert app.holding is False and app.current_key == KEY
        for _ in range(20):  # the holder keeps beating: this app keeps following and saves nothing
            await tick(app, pilot, stopwatch, wall)
            other.beat(Q, "the-other-app", KEY, stored + 100, True)
        header = app.screen.query_one(MeetingHeader).state
        # The holder's clock as it said when this app last asked (a beat is every two seconds), running on from
        # there; not the 21 seconds this app has seen pass.
        assert header.running and stored + 100 <= header.elapsed <= stored + 103
        wall.now += dt.timedelta(seconds=3)
        app._update_header()
        shown = app.screen.query_one(MeetingHeader).state.elapsed
        assert shown == app.meeting_clock.elapsed_at(wall.now) and stored + 103 <= shown <= stored + 106
        assert spent(sample_target) == stored  # 20 seconds passed here; none was saved by this app

        # The holder goes quiet (it quit without a word, its laptop slept): after the lease this app takes over.
        waited = 0
        while app.holding is not True and waited < 30:
            await tick(app, pilot, stopwatch, wall)
            waited += 1
        quiet = 3 + waited  # seconds since the holder's last beat
        assert CLOCK_LEASE.total_seconds() <= quiet <= CLOCK_LEASE.total_seconds() + 2
        assert other.presence(Q).holder == app.clock_holder
        before = spent(sample_target)
        await tick(app, pilot, stopwatch, wall, seconds=16)
        app.timebox.flush()  # what the next 15-second save would store
        assert spent(sample_target) == before + 16  # counted from the stored time, from the takeover on
        assert other.beat(Q, "the-other-app", KEY, 0, True).holder == app.clock_holder  # it cannot take it back
    # Quitting gives the clock up at once.
    assert other.beat(Q, "the-other-app", KEY, 0, True).holder == "the-other-app"
    other.close()


async def test_a_single_app_holds_the_clock_and_says_where_the_meeting_is(sample_target, stopwatch, tmp_path):
    wall = WallClock()
    app = make_app(
        sample_target, config=Config(actor="Kim Novak", path=tmp_path / "c.toml"), clock=wall, monotonic=stopwatch
    )
    async with app.run_test(size=SIZE) as pilot:
        await app.ready.wait()
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await tick(app, pilot, stopwatch, wall, seconds=3)
        assert app.holding is True
        await pilot.press("n")
        await settle(pilot)
        await tick(app, pilot, stopwatch, wall, seconds=2)
        seen = app.portfolio.presence(Q)
        assert seen.holder == app.clock_holder and seen.key == app.current_key != KEY and seen.running

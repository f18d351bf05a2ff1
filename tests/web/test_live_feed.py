"""The live feed: one poll for every connected page, a slow page gets the newest version once, a page that leaves is
dropped; the item clock's ticking is not news, its moves are."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

pytest.importorskip("anyio")

from labreview.portfolio.views import PresenceView
from labreview.web.live import Feed, presence_moved

T0 = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)


def where(key="EXP-1", elapsed=0, running=True, at=0):
    return PresenceView("2026-Q4", key, elapsed, running, T0 + dt.timedelta(seconds=at), "app")


def test_one_poll_for_many_pages():
    calls = {"newest": 0, "presence": 0}
    state = {"newest": 7}

    def newest():
        calls["newest"] += 1
        return state["newest"]

    def presence(quarter):
        calls["presence"] += 1
        return None

    async def scenario():
        feed = Feed(newest, presence, interval=0.01)
        pages = [feed.subscribe("2026-Q4") for _ in range(25)]
        assert not await feed.poll_once()  # the first look only sets the mark
        state["newest"] = 8
        assert await feed.poll_once()
        state["newest"] = 9
        assert await feed.poll_once()
        assert calls == {"newest": 3, "presence": 3}  # one question per poll, however many pages
        assert all(p.queue.get_nowait() == 2 for p in pages)  # the newest version once, not one per change
        feed.unsubscribe(pages[0])
        assert len(feed.subscribers) == 24
        feed.stop()
        assert pages[1].queue.get_nowait() is None

    asyncio.run(scenario())


def test_nobody_listening_no_polls():
    async def scenario():
        feed = Feed(lambda: 1, lambda q: None, interval=0.01)
        task = asyncio.create_task(feed.run())
        await asyncio.sleep(0.1)
        assert feed.polls == 0
        page = feed.subscribe("2026-Q4")
        await asyncio.sleep(0.1)
        assert feed.polls > 0
        feed.stop()
        await asyncio.wait_for(task, 1)
        assert page.queue.get_nowait() is None

    asyncio.run(scenario())


def test_clock_ticks_are_not_news_but_moves_are():
    assert not presence_moved(where(elapsed=10, at=0), where(elapsed=11, at=1))  # the holder's beat
    assert not presence_moved(where(elapsed=10, at=0), where(elapsed=10, at=0))
    assert presence_moved(where(elapsed=10, at=0), where(elapsed=0, at=1))  # reset
    assert presence_moved(where(key="EXP-1"), where(key="EXP-2"))  # another item
    assert presence_moved(where(running=True), where(running=False))  # paused
    assert presence_moved(where(elapsed=5, running=False), where(elapsed=65, running=False))  # time added
    assert presence_moved(None, where())
    assert not presence_moved(None, None)

"""The live feed of ``labreview serve``: one background task asks the portfolio what changed (the newest audit
record and where the meeting is) every ~150 ms, in a worker thread, and tells every connected page; a page
then fetches its live parts again. One question for all members, however many are connected.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio.to_thread

from labreview.domain.errors import DomainError
from labreview.portfolio.views import PresenceView

log = logging.getLogger("labreview.web")

CLOCK_DRIFT = dt.timedelta(seconds=2)
"""A running item clock whose start moved by more than this (reset, corrected) is news; its ticking is not."""


def presence_moved(before: PresenceView | None, after: PresenceView | None) -> bool:
    """Whether a page should redraw: another current item, the clock started or stopped, or set to another time.
    The holder's beats while the clock runs are not news (the page's own script counts the seconds)."""
    if before is None or after is None:
        return before is not after
    if (before.key, before.running) != (after.key, after.running):
        return True
    if not after.running:
        return before.elapsed != after.elapsed
    started_before = before.beat_at - dt.timedelta(seconds=before.elapsed)
    started_after = after.beat_at - dt.timedelta(seconds=after.elapsed)
    return abs(started_after - started_before) > CLOCK_DRIFT


@dataclass(eq=False)  # each page is its own listener (hashed by identity)
class Subscriber:
    quarter: str
    queue: asyncio.Queue[int | None] = field(default_factory=lambda: asyncio.Queue(maxsize=1))

    def tell(self, version: int | None) -> None:
        """The newest version (a slow page gets one event for several changes); None: the service stops."""
        with contextlib.suppress(asyncio.QueueEmpty):
            self.queue.get_nowait()
        self.queue.put_nowait(version)


class Feed:
    """Polls while anybody listens; fans out to every listener."""

    def __init__(
        self,
        newest: Callable[[], int],
        presence: Callable[[str], PresenceView | None],
        *,
        interval: float = 0.15,
    ) -> None:
        self._newest = newest
        self._presence = presence
        self.interval = interval
        self.subscribers: set[Subscriber] = set()
        self.version = 0
        self.polls = 0
        self._seen: int | None = None
        self._where: dict[str, PresenceView | None] = {}
        self._stopped = False

    def subscribe(self, quarter: str) -> Subscriber:
        subscriber = Subscriber(quarter)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def _read(self, quarters: set[str]) -> tuple[int, dict[str, PresenceView | None]]:
        where: dict[str, PresenceView | None] = {}
        for quarter in quarters:
            try:
                where[quarter] = self._presence(quarter)
            except DomainError:
                where[quarter] = None
        return self._newest(), where

    async def poll_once(self) -> bool:
        """Ask once; tell everybody when something moved. True when it did."""
        quarters = {s.quarter for s in self.subscribers}
        newest, where = await anyio.to_thread.run_sync(self._read, quarters)
        self.polls += 1
        moved = self._seen is not None and newest != self._seen
        for quarter, now in where.items():
            if quarter in self._where and presence_moved(self._where[quarter], now):
                moved = True
        self._seen = newest
        self._where = where
        if moved:
            self.version += 1
            for subscriber in list(self.subscribers):
                subscriber.tell(self.version)
        return moved

    async def run(self) -> None:
        """Until cancelled: poll while pages listen (a storage error is logged and tried again next time)."""
        while not self._stopped:
            if self.subscribers:
                try:
                    await self.poll_once()
                except Exception as exc:  # a locked or unreachable database: the next poll tries again
                    log.warning("live feed: %s", getattr(exc, "message", None) or type(exc).__name__)
            else:
                self._seen = None  # nobody listened meanwhile: the next listener's page is current
                self._where = {}
            await asyncio.sleep(self.interval)

    def stop(self) -> None:
        self._stopped = True
        for subscriber in list(self.subscribers):
            subscriber.tell(None)

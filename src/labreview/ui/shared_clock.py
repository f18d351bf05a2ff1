"""The meeting's clock, shared by every app open on one meeting (a mixin of ``LabReviewApp``).

One app at a time holds the clock: it counts the time spent on the current item and saves it, and says every
``BEAT_EVERY`` seconds where the meeting is (``Portfolio.beat``: the current item, its clock, running or not).
Another app on the same meeting (a second facilitator's laptop, the PMO's) finds the clock held and follows:
its header shows the holder's clock when it looks at the same item, it counts nothing and does not move where
the meeting is, so two apps never count the same minute twice. When the holder goes quiet (it quit, its laptop
slept) for ``CLOCK_LEASE``, the next app to beat takes the clock over from the stored time. The web service
reads the same presence for the members' pages.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import TYPE_CHECKING

from textual import work

from labreview.domain.errors import DomainError

if TYPE_CHECKING:
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.views import PresenceView, SessionView
    from labreview.ui.timebox import Timebox

BEAT_EVERY = 2
"""Ticks (seconds) between two beats of the app holding the clock (the lease is five times as long)."""


class SharedClock:
    """Holds or follows the meeting's clock (``beat_clock``, called every tick)."""

    portfolio: Portfolio
    session: SessionView | None
    timebox: Timebox
    read_only: bool
    current_key: str | None

    holding: bool | None = None
    """This app holds the meeting's clock (None: not known yet, counted as holding until the first answer)."""
    meeting_clock: PresenceView | None = None
    """The clock as the holding app last said, when another app holds it."""
    _beating: bool = False
    _beats: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.clock_holder = f"{os.getpid()}-{secrets.token_hex(6)}"
        """This app among the apps on the meeting (what ``presence.holder`` names)."""

    def beat_clock(self) -> None:
        """Once a tick: every ``BEAT_EVERY`` ticks (at once before the first answer), say where the meeting is."""
        self._beats += 1
        session = self.session
        if self._beating or self.read_only or session is None or session.status.value != "open":
            return
        if self.holding is not None and self._beats % BEAT_EVERY:
            return
        on = self.current_key if any(e.key == self.current_key for e in session.agenda) else None
        elapsed = int(self.timebox.elapsed()) if on else 0
        self._beating = True
        self._send_beat(session.quarter, on, elapsed, self.timebox.running and on is not None)

    @work(thread=True, group="beat", exit_on_error=False)
    def _send_beat(self, quarter: str, key: str | None, elapsed: int, running: bool) -> None:
        view = None
        try:
            view = self.portfolio.beat(quarter, self.clock_holder, key, elapsed, running)
        except DomainError:  # a locked file, a server away: the next beat tries again
            pass
        finally:
            self.call_from_thread(self._beat_answered, view)

    def _beat_answered(self, view: PresenceView | None) -> None:
        self._beating = False
        if view is None:
            return
        was = self.holding
        self.holding = view.holder == self.clock_holder
        self.meeting_clock = None if self.holding else view
        if was is not self.holding and not (was is None and self.holding):
            # Taken over (count on from the stored time, which the other app saved) or found held elsewhere
            # (stop counting: what this app counted meanwhile is the holder's to save).
            self.clock_changed_hands()

    def release_clock(self) -> None:
        """This app quits: another may take the clock at once instead of after the lease."""
        if self.holding and self.session is not None and not self.read_only:
            with contextlib.suppress(DomainError):  # going anyway: the lease frees the clock a little later
                self.portfolio.release_clock(self.session.quarter, self.clock_holder)

    def followed_clock(self, key: str | None) -> tuple[int, bool] | None:
        """The holder's clock of ``key`` (seconds, running) when another app holds it and is on that item."""
        seen = self.meeting_clock
        if self.holding is not False or seen is None or seen.key != key or key is None:
            return None
        return seen.elapsed_at(self.portfolio.now()), seen.running

    def clock_changed_hands(self) -> None:
        """The app starts its item clock again from what is stored (``LabReviewApp`` does; nothing to do here)."""

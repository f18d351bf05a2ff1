"""The live change feed: ten times a second, the portfolio is asked (off the UI thread) whether another
process (another app on the same portfolio, a board member scoring from their own seat) committed anything since
the newest audit record this app has seen; if so, the session is read again and the screen on show redraws, as
after a change of the app's own (a mixin of ``LabReviewApp``, whose state it uses).

The app's own changes are not news (the portfolio knows its own audit records): they have redrawn already.
While a dialog is open nothing is asked or redrawn: the screen under it (which Textual counts as current) keeps
what the dialog was opened from, so that a stale edit is still refused and nothing typed is disturbed; the news
comes on the first tick after the dialog closes. A redraw keeps the cursor and the focus, as after an own change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ScreenStackError

from labreview.domain.errors import DomainError
from labreview.ui.screens.base import MeetingScreen

if TYPE_CHECKING:
    from labreview.portfolio.changelog import News
    from labreview.portfolio.service import Portfolio


FEED_EVERY = 0.1
"""Seconds between two questions for news: a board member's score shows on the shared screen within this, plus
the redraw. A question is one indexed read of the newest audit id (~0.2 ms on SQLite, ~0.5 ms on PostgreSQL)."""


class ChangeFeed:
    """Follows the audit log for other processes' changes (``follow_feed``, called every second)."""

    portfolio: Portfolio
    seen_event: int | None = None
    """The newest audit record this app has taken in (None: the portfolio is not open yet)."""
    _asking: bool = False
    """A question to the portfolio is under way (a slow server: the next tick does not ask again)."""

    def follow_feed(self) -> None:
        """Ask the portfolio for news, in the background (every ``FEED_EVERY`` seconds); the answer comes back in
        ``_news``."""
        if self.seen_event is None or self._asking or not self._on_a_meeting_screen():
            return
        self._asking = True
        self._ask_for_news(self.seen_event)

    def _on_a_meeting_screen(self) -> bool:
        """A meeting screen shows (not a dialog, nor the palette, nor nothing while a mode switches screens)."""
        try:
            screen = self.screen
        except ScreenStackError:  # between two modes' screens: the next tick asks
            return False
        return isinstance(screen, MeetingScreen)

    @work(thread=True, group="feed", exit_on_error=False)
    def _ask_for_news(self, seen: int) -> None:
        news = None
        try:
            news = self.portfolio.changes_since(seen)
        except DomainError:  # the database is away for now: the next tick asks again
            pass
        finally:
            self.call_from_thread(self._news, news)

    def _news(self, news: News | None) -> None:
        self._asking = False
        if news is None or not self._on_a_meeting_screen():  # a dialog opened meanwhile: asked again after it
            return
        self.seen_event = news.newest
        if news.any:
            self.changed()

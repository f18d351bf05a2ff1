"""Messages between the app and its screens, as small dataclasses (no duck-typed calls across the UI).

What the app asks of a screen and gets an answer to synchronously (the row under the backlog's cursor,
a field's text before quitting) is a protocol in ``host.py`` instead: a message cannot answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:
    from labreview.portfolio.backlog import Backlog
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.views import SessionView


@dataclass
class PortfolioOpened(Message):
    """Posted to the app by the opening worker: the portfolio is open (the first screen can be shown)."""

    portfolio: Portfolio
    session: SessionView | None
    """The session the meeting opens on (open, else the next planned, else the latest), if any."""
    backlog: Backlog
    """The backlog's views over ``portfolio`` (SQL until its memory index is loaded)."""
    seen: int = 0
    """The newest audit record when the portfolio was opened, read before ``session``: where the change feed
    starts (see ``ui.feed``)."""


@dataclass
class BacklogIndexLoaded(Message):
    """Posted to the screen on show once the backlog's memory index has loaded (the backlog serves from it)."""

    bubble: ClassVar[bool] = False

"""What screens, dialogs and the command palette use of the app, written down in one place.

``Host`` names the attributes and methods of ``LabReviewApp`` beyond Textual's own ``App`` that the rest
of the UI reaches through ``self.lab`` (a screen's, a dialog's, the palette's): reading them here is
enough to write a screen, and nothing below the app imports the app module (no cycle). The other
direction, what the app asks of the screen on show, is the two small protocols at the end.
``tests/ui/test_navigation.py`` holds ``LabReviewApp`` to ``Host``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from textual.app import App

    from labreview.portfolio.backlog import Backlog
    from labreview.portfolio.saved_views import SavedView
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.views import SessionView
    from labreview.ui.widgets.meeting_header import MeetingState


class Host(Protocol):
    """The app as the screens see it (``LabReviewApp``)."""

    # ----------------------------------------------------------- state (reactive: screens watch them)

    portfolio: Portfolio
    """The open portfolio: the service layer every screen calls (set before any screen shows)."""
    session: SessionView | None
    """The session the meeting is in (open, else the next planned, else the latest), reloaded by ``changed``."""
    current_key: str | None
    """The initiative the meeting looks at (reactive: screens redraw when it changes)."""
    revision: int
    """Bumped after every change (reactive: the screen on show redraws)."""
    reviewer_id: int | None
    """The board member whose scores digits enter on the scorecard."""
    meeting: MeetingState
    """What the header shows, the item clock included (reactive)."""
    backlog: Backlog
    """The backlog screen's collaborator: views of the backlog, from SQL until its memory index has loaded in
    the background, then from the index (set with ``portfolio``)."""

    # ----------------------------------------------------------- what screens ask of it

    def changed(self, *, redraw: bool = True) -> None:
        """Data changed: reload the session and let the screen on show redraw."""

    def say(self, message: str, *, error: bool = False) -> None:
        """Answer on the message line of the screen on show (a notification over a dialog)."""

    def refuse(self) -> None:
        """Something typed was refused: ring, and drop the keys typed ahead."""

    def open_item(self, key: str, mode: str | None = "scorecard") -> None:
        """Look at ``key`` (the meeting's current item when it is on the agenda), then show ``mode``."""

    def start_session(self) -> None: ...

    def end_session(self) -> None: ...

    def plan_next_session(self) -> None: ...

    def edit_attendance(self) -> None: ...

    def edit_weights(self) -> None: ...

    # ----------------------------------------------------------- app-wide actions (keys and palette)

    def action_goto(self, mode: str) -> None: ...

    def action_step(self, delta: int) -> None: ...

    def action_decide(self) -> None: ...

    def action_undo(self) -> None: ...

    def action_minutes(self) -> None: ...

    def action_keys(self) -> None: ...

    def search_themes(self) -> None:
        """Textual's theme picker (``App.search_themes``), listed because the palette offers it."""


def host(app: App) -> Host:
    """``app`` as the screens see it (the running app is always a ``LabReviewApp``)."""
    return app  # type: ignore[return-value]


# --------------------------------------------------------------- what the app asks of the screen on show


@runtime_checkable
class KeepsTyped(Protocol):
    """A screen holding text being typed (the field dialog): the app saves it before quitting."""

    def keep_typed(self) -> None: ...


@runtime_checkable
class PicksItem(Protocol):
    """A screen with its own row under the cursor (the backlog): ``d`` decides that row, not the current item."""

    def highlighted_key(self) -> str | None: ...


@runtime_checkable
class TakesView(Protocol):
    """A screen a saved view can be applied to (the backlog): the palette's "view: NAME"."""

    def apply_view(self, view: SavedView) -> None: ...

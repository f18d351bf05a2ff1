"""What every meeting screen shares: header, body, a message line for answers, and the footer of its keys."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable

from labreview.domain.errors import DomainError, StaleEdit, StorageError
from labreview.ui.host import Host, host
from labreview.ui.widgets.footer import Footer
from labreview.ui.widgets.meeting_header import MeetingHeader
from labreview.ui.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from labreview.portfolio.service import Portfolio

T = TypeVar("T")


class MeetingScreen(Screen):
    """A screen of the meeting. Subclasses compose ``body`` and implement ``refresh_view``."""

    TITLE_TEXT: ClassVar[str] = ""
    """What the screen is, for the help and the command palette."""

    @property
    def lab(self) -> Host:
        return host(self.app)

    @property
    def portfolio(self) -> Portfolio:
        return self.lab.portfolio

    def compose(self) -> ComposeResult:
        yield MeetingHeader()
        yield from self.body()
        yield MessageLine(id="message")
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    async def _on_message(self, message: Message) -> None:
        """Handle a message or event; a database that went away while a handler read it (a server restarted, a
        disk failed) is said on the message line instead of ending the app, and the next key tries again."""
        try:
            await super()._on_message(message)
        except StorageError as exc:
            self.lab.say(exc.message, error=True)

    def on_mount(self) -> None:
        self.watch(self.app, "revision", self._data_changed, init=False)
        self.watch(self.app, "current_key", self._item_changed, init=False)

    def _data_changed(self, _value: object = None) -> None:
        if self.is_current:
            self.refresh_view()

    def _item_changed(self, _value: object = None) -> None:
        """Another item: what was said about the last one goes (a "Waived…" must not stand under the next)."""
        self.query_one(MessageLine).clear()
        self._data_changed()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        """Show the current data (called when the screen is shown and after every change)."""

    def room(self, used: int, *, least: int = 12) -> int:
        """Cells left on a line of this screen after ``used`` cells (for the one flexible table column)."""
        return max(least, self.size.width - used)

    @staticmethod
    def reset_table(table: DataTable, columns: Sequence[tuple[str, str, int | None]]) -> None:
        """Empty ``table`` and set its columns again, so that auto-sized columns shrink to the new content."""
        table.clear(columns=True)
        for label, key, width in columns:
            table.add_column(label, key=key, width=width)

    def on_resize(self) -> None:
        if self.is_current and self.lab.portfolio is not None:
            self.refresh_view()

    def say(self, message: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).show(message, error=error)
        if error:
            self.lab.refuse()

    def hint(self, message: str) -> None:
        self.query_one(MessageLine).hint(message)

    def attempt(
        self, action: Callable[..., T], *args: Any, done: str | None = None, redraw: bool = True, **kwargs: Any
    ) -> T | None:
        """Run a service call; a refusal is said on this screen's message line, nothing is lost.

        ``redraw=False`` is for changes the screen has already drawn itself (a score in its cell):
        the session is not reloaded and the screen is not redrawn, only the header.
        """
        try:
            result = action(*args, **kwargs)
        except StaleEdit as exc:
            self.lab.changed()
            self.say(exc.message, error=True)
            return None
        except DomainError as exc:
            self.say(exc.message, error=True)
            return None
        self.lab.changed(redraw=redraw)
        if done:
            self.say(done)
        return result

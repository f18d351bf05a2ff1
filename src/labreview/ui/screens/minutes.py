"""Minutes: a preview of the session's Markdown minutes, and writing them to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from labreview.domain.errors import DomainError
from labreview.ui.dialogs.prompt import PromptDialog
from labreview.ui.host import Host, host
from labreview.ui.widgets.footer import Footer
from labreview.ui.widgets.meeting_header import MeetingHeader
from labreview.ui.widgets.message_line import MessageLine


class MinutesScreen(Screen):
    """The rendered minutes as the readers will see them; ``w`` writes the file."""

    TITLE_TEXT = "Minutes"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "write", "Write file", id="labreview.minutes.write", tooltip="Write the minutes to a file"),
        Binding(
            "W",
            "write_html",
            "Write HTML",
            id="labreview.minutes.write_html",
            tooltip="Write the minutes as one HTML page to open, mail or print",
        ),
        Binding("escape", "close", "Close", id="labreview.minutes.close", tooltip="Back to the meeting"),
    ]

    def __init__(self, quarter: str) -> None:
        super().__init__()
        self.quarter = quarter
        self.text: str | None = None

    @property
    def lab(self) -> Host:
        return host(self.app)

    def compose(self) -> ComposeResult:
        yield MeetingHeader()
        yield Static(
            f"Minutes of the {self.quarter} review — preview (w writes the file, W an HTML page)", classes="summary"
        )
        with VerticalScroll(id="minutes-scroll"):
            yield Markdown("*Preparing the minutes…*", id="minutes")
        yield MessageLine(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self._prepare()

    @work(thread=True, exclusive=True, group="minutes", exit_on_error=False)
    def _prepare(self) -> None:
        from labreview.exchange import minutes  # deferred: only needed when minutes are asked for

        try:
            text = minutes.render(self.lab.portfolio, self.quarter)
        except DomainError as exc:
            self.app.call_from_thread(self._say, exc.message, True)
            return
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.text = text
        self.query_one("#minutes", Markdown).update(text)
        self.query_one("#minutes-scroll").focus()

    def _say(self, message: str, error: bool = False) -> None:
        self.query_one(MessageLine).show(message, error=error)
        if error:
            self.lab.refuse()  # ring, drop the keys typed ahead

    def action_write(self) -> None:
        if self.text is None:
            self._say("The minutes are still being prepared.", True)
            return
        from labreview.exchange.minutes import default_filename

        self._ask_path("Write the minutes to:", default_filename(self.quarter), self._write)

    def action_write_html(self) -> None:
        from labreview.exchange.minutes_html import default_filename

        self._ask_path("Write the minutes as HTML to:", default_filename(self.quarter), self._write_html)

    def _ask_path(self, question: str, name: str, write: Callable[[Path, bool], None]) -> None:
        """Ask where to write (proposing ``name`` here), confirm before replacing a file, then ``write``."""

        def chosen(answer: str | None) -> None:
            if answer is None or not answer.strip():
                return
            path = Path(answer.strip()).expanduser()
            if path.exists() and not path.is_dir():
                self.app.push_screen(
                    PromptDialog(f"{path} exists. Overwrite it with these minutes?", confirm_only=True),
                    lambda yes: write(path, True) if yes else self._say("Nothing was written."),
                )
            else:
                write(path, False)

        self.app.push_screen(PromptDialog(question, value=str(Path.cwd() / name)), chosen)

    @work(thread=True, exclusive=True, group="minutes-html", exit_on_error=False)
    def _write_html(self, path: Path, force: bool) -> None:
        from labreview.exchange import minutes_html  # deferred: only needed when the page is asked for
        from labreview.exchange.files import write_atomic

        try:
            written = write_atomic(path, minutes_html.render(self.lab.portfolio, self.quarter), force=force)
        except DomainError as exc:
            self.app.call_from_thread(self._say, exc.message, True)
            return
        self.app.call_from_thread(self._say, f"Wrote {written}.")

    def _write(self, path: Path, force: bool) -> None:
        from labreview.exchange.files import write_atomic

        try:
            written = write_atomic(path, self.text or "", force=force)
        except DomainError as exc:
            self._say(exc.message, True)
            return
        self._say(f"Wrote {written} ({len(self.text or ''):,} characters).")

    def action_close(self) -> None:
        self.dismiss()

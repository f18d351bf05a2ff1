"""The frame every form of the meeting shares: a title, the fields, a problem line, OK and Cancel.

Enter in a field submits the form (``submit``), as the OK button does; escape and the Cancel button close it
without changing anything (dismissing with ``CANCELLED``). A refusal is said on the problem line, in words,
with everything typed kept, and the keys typed ahead of it are dropped (``Host.refuse``).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from labreview.ui.host import host
from labreview.ui.widgets.text import plain

T = TypeVar("T")


class FormDialog(ModalScreen[T]):
    """A modal form. Subclasses give ``heading`` and ``fields`` and implement ``submit``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without changing anything"),
    ]

    FRAME_CLASSES: ClassVar[str] = "dialog"
    """The frame's classes (``dialog wide`` for a wide form)."""
    FRAME_ID: ClassVar[str | None] = None
    OK: ClassVar[str | None] = "OK"
    """The OK button's label; None for a form without buttons (enter submits, escape cancels)."""
    CANCEL: ClassVar[str] = "Cancel"
    """The Cancel button's label."""
    PROBLEM_LINE: ClassVar[bool] = True
    """False for a dialog that refuses nothing in place (the attendance list, whose toggles are saved at once)."""
    CANCELLED: ClassVar[Any] = None
    """What the dialog dismisses with when cancelled."""

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.FRAME_CLASSES, id=self.FRAME_ID):
            yield Label(self.heading(), classes="dialog-title")
            yield from self.fields()
            if self.PROBLEM_LINE:
                yield Label("", id="problem", classes="problem")
            if self.OK is not None:
                with Horizontal(classes="buttons"):
                    yield Button(self.OK, variant="primary", id="ok")
                    yield Button(self.CANCEL, id="cancel")

    def heading(self) -> Text:
        """The title line."""
        return Text()

    def fields(self) -> ComposeResult:
        """The form between the title and the problem line."""
        yield from ()

    def submit(self) -> None:
        """Check and act on what was typed: ``dismiss`` with the result, or ``problem`` and stay open."""

    def entered(self, field: Input) -> None:
        """Enter in ``field``: submits the form (a form may first move on to a field it still needs)."""
        self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.entered(event.input)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.submit()
        else:
            self.dismiss(self.CANCELLED)

    def problem(self, message: str, *, error: bool = True) -> None:
        """Say ``message`` on the problem line; an error (not a mere note) rings and drops the keys typed ahead."""
        label = self.query_one("#problem", Label)
        label.update(plain(message, "bold" if error else "", one_line=False))
        label.set_class(error, "-error")
        if error:
            host(self.app).refuse()

    def action_cancel(self) -> None:
        self.dismiss(self.CANCELLED)

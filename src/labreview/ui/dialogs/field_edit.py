"""Editing one stored text field in its own dialog: typing is text here, and only here.

The scorecard's intake fields used to be inputs on a tab, where a digit meant for a score or a letter
meant as a key became text. Now a field is edited on purpose (``e`` or enter on it) in this dialog; what
was typed is never lost: enter and escape both save it (ctrl+z undoes a save), only Cancel discards, and
quitting the app saves it first. A refusal (an empty reason, someone else's change) keeps the dialog open
with everything typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label

from labreview.ui.dialogs.form import FormDialog
from labreview.ui.widgets.text import plain, safe

Save = Callable[[str, str], str | None]
"""Saves (value, reason); returns a refusal in words, or None once saved."""


class FieldDialog(FormDialog[bool]):
    """One field's value (and, for a locked criterion, the reason of the change). Dismisses True when saved."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Save and close", id="labreview.field.leave", tooltip="Save what was typed"),
    ]
    FRAME_CLASSES = "dialog wide"
    FRAME_ID = "field-dialog"
    OK = "Save (enter)"
    CANCELLED = False

    def __init__(self, title: Text | str, value: str, save: Save, *, max_length: int, reason: str | None = None):
        super().__init__()
        self.title_text = title
        self.original = safe(value)
        self.save = save
        self.max_length = max_length
        self.reason_prompt = reason

    def heading(self) -> Text:
        return self.title_text if isinstance(self.title_text, Text) else plain(self.title_text, "bold")

    def fields(self) -> ComposeResult:
        yield Input(self.original, id="value", max_length=self.max_length, select_on_focus=False)
        if self.reason_prompt is not None:
            yield Label(plain(self.reason_prompt, one_line=False), classes="dialog-note")
            yield Input("", id="reason", placeholder="reason (recorded in the minutes)", max_length=1000)
        yield Label("enter or esc saves · ctrl+z afterwards undoes · Cancel discards", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    @property
    def value(self) -> str:
        return self.query_one("#value", Input).value

    @property
    def reason(self) -> str:
        return self.query_one("#reason", Input).value if self.reason_prompt is not None else ""

    @property
    def changed(self) -> bool:
        return self.value != self.original

    def entered(self, field: Input) -> None:
        if field.id == "value" and self.reason_prompt is not None and self.changed and not self.reason.strip():
            self.query_one("#reason", Input).focus()  # enter in the value moves on to the reason it needs
            return
        self.action_leave()

    def submit(self) -> None:
        self.action_leave()

    def keep_typed(self) -> None:
        """Save what was typed without closing (the app quits, or the dialog closes)."""
        if self.changed:
            self.save(self.value, self.reason)

    def action_leave(self) -> None:
        if not self.changed:
            self.dismiss(False)
            return
        problem = self.save(self.value, self.reason)
        if problem is None:
            self.dismiss(True)
            return
        self.problem(problem)  # ring, drop the keys typed ahead

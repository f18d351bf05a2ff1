"""Small dialogs: ask for one line of text (a reason, a number), confirm (on ``FormDialog``), or pick from a list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList
from textual.widgets.option_list import Option

from labreview.ui.dialogs.form import FormDialog
from labreview.ui.widgets.text import plain


class PromptDialog(FormDialog[str | None]):
    """Ask for one line; ``required`` refuses an empty answer in place. Dismisses with the text or None."""

    def __init__(
        self,
        question: str,
        *,
        value: str = "",
        placeholder: str = "",
        required: str | None = None,
        restrict: str | None = None,
        confirm_only: bool = False,
        max_length: int = 1000,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        """``check`` takes the answer and returns a refusal in words (the dialog stays open, the text kept)
        or None (the dialog closes with the answer)."""
        super().__init__()
        self.check = check
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.required = required
        self.restrict = restrict
        self.confirm_only = confirm_only
        self.max_length = max_length

    def heading(self) -> Text:
        return plain(self.question, one_line=False)

    def fields(self) -> ComposeResult:
        if not self.confirm_only:
            yield Input(
                self.value,
                placeholder=self.placeholder,
                restrict=self.restrict,
                max_length=self.max_length,
                id="answer",
            )

    def on_mount(self) -> None:
        if self.confirm_only:
            self.query_one("#ok", Button).focus()
        else:
            self.query_one("#answer", Input).focus()

    def submit(self) -> None:
        if self.confirm_only:
            self.dismiss("yes")
            return
        text = self.query_one("#answer", Input).value
        problem = self.required if self.required and not text.strip() else None
        if problem is None and self.check is not None:
            problem = self.check(text)
        if problem:
            self.problem(problem)  # ring, drop the keys typed ahead
            return
        self.dismiss(text)


class PickDialog(ModalScreen[str | None]):
    """Pick one of ``choices`` (id, label, note) with the arrows and enter, or a first letter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without choosing"),
    ]

    def __init__(self, question: str, choices: Sequence[tuple[str, str, str]], *, selected: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.choices = list(choices)
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain(self.question, one_line=False), classes="dialog-title")
            options = []
            for choice_id, label, note in self.choices:
                text = plain(label)
                if note:
                    text.append(f"  {note}", style="dim")
                options.append(Option(text, id=choice_id))
            yield OptionList(*options, id="choices")

    def on_mount(self) -> None:
        options = self.query_one("#choices", OptionList)
        options.focus()
        ids = [c[0] for c in self.choices]
        if self.selected in ids:
            options.highlighted = ids.index(self.selected)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

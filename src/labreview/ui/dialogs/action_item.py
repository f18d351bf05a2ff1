"""A follow-up for an initiative outside a decision (the outcomes screen's ``+``): what, who, by when."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.widgets import Input, Label, Select

from labreview.domain import fields
from labreview.portfolio.views import NewActionItem
from labreview.ui.dialogs.form import FormDialog


class ActionDialog(FormDialog["NewActionItem | None"]):
    """A follow-up for an initiative outside a decision: what, who (from the board), by when.

    No buttons: enter in a field adds it, escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without adding"),
    ]
    OK = None

    def __init__(self, key: str, people: list[tuple[str, int]], owner_id: int, due: dt.date) -> None:
        super().__init__()
        self.key = key
        self.people = people
        self.owner_id = owner_id
        self.due = due

    def heading(self) -> Text:
        return Text(f"New action item for {self.key}", style="bold")

    def fields(self) -> ComposeResult:
        with Grid(classes="form"):
            yield Label("Action")
            yield Input(
                placeholder="what is to be done", id="text", max_length=fields.LIMITS["action item"], compact=True
            )
            yield Label("Owner")
            yield Select(self.people, value=self.owner_id, allow_blank=False, id="owner", compact=True)
            yield Label("Due")
            yield Input(self.due.isoformat(), id="due", max_length=10, compact=True)

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def submit(self) -> None:
        text = self.query_one("#text", Input).value.strip()
        if not text:
            self.problem("Say what is to be done.")  # ring, drop the keys typed ahead
            return
        try:
            due = dt.date.fromisoformat(self.query_one("#due", Input).value.strip())
        except ValueError:
            self.problem("Write the due date as YYYY-MM-DD.")
            return
        self.dismiss(NewActionItem(text, int(self.query_one("#owner", Select).value), due))

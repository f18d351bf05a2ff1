"""Planning a session: its date, who facilitates and who attends.

``PlanSessionDialog`` is opened from the palette ("session: plan next"); it dismisses with a
``SessionPlan`` (or None) and the app asks the service to plan the session, which carries
items over and proposes the budget. ``PersonChoice`` is a person as the planning dialogs list them
(this one and the attendance list, ``attendance.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label, OptionList, SelectionList
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from labreview.ui.dialogs.form import FormDialog
from labreview.ui.widgets.text import plain


@dataclass(frozen=True)
class SessionPlan:
    held_on: dt.date
    facilitator_id: int
    attendee_ids: tuple[int, ...]


@dataclass(frozen=True)
class PersonChoice:
    id: int
    name: str
    role: str
    """The board role's label, empty for people not on the board."""


def person_label(person: PersonChoice) -> Text:
    """The person's name, then their board role dimmed."""
    text = plain(person.name)
    if person.role:
        text.append(f"  {person.role}", style="dim")
    return text


class PlanSessionDialog(FormDialog[SessionPlan | None]):
    """Date, facilitator (pick one) and attendees (space toggles); enter on the date, ctrl+s or Plan plans."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without planning"),
        Binding(
            "ctrl+s", "plan", "Plan", id="labreview.plan.submit", tooltip="Plan the session as shown", priority=True
        ),
    ]
    FRAME_CLASSES = "dialog wide"
    FRAME_ID = "plan-session"
    OK = "Plan"

    def __init__(
        self,
        quarter: str,
        people: Sequence[PersonChoice],
        *,
        held_on: dt.date,
        facilitator: int | None,
        attendees: Sequence[int],
    ) -> None:
        super().__init__()
        self.quarter = quarter
        self.people = list(people)
        self.held_on = held_on
        self.facilitator = facilitator
        self.attendees = set(attendees)

    def heading(self) -> Text:
        return Text(
            f"Plan the {self.quarter} review: its date, who facilitates and who attends "
            "(only attendees score and sign)."
        )

    def fields(self) -> ComposeResult:
        yield Label("Date (YYYY-MM-DD)")
        yield Input(self.held_on.isoformat(), id="date", max_length=10, restrict=r"[0-9-]*")
        yield Label("Facilitator (↑/↓)")
        yield OptionList(*(Option(person_label(p), id=str(p.id)) for p in self.people), id="facilitator")
        yield Label("Attendees (space toggles)")
        yield SelectionList[int](
            *(Selection(person_label(p), p.id, p.id in self.attendees) for p in self.people), id="attendees"
        )

    def on_mount(self) -> None:
        ids = [p.id for p in self.people]
        options = self.query_one("#facilitator", OptionList)
        if self.facilitator in ids:
            options.highlighted = ids.index(self.facilitator)
        self.query_one("#date", Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#attendees", SelectionList).focus()

    def action_plan(self) -> None:
        self.submit()

    def submit(self) -> None:
        answer = self.query_one("#date", Input).value.strip()
        try:
            held_on = dt.date.fromisoformat(answer)
        except ValueError:
            self.problem(f"Write the date as YYYY-MM-DD; got '{answer}'.")
            return
        highlighted = self.query_one("#facilitator", OptionList).highlighted
        if highlighted is None:
            self.problem("Choose who facilitates (↑/↓ in the list).")
            return
        facilitator = self.people[highlighted].id
        attendees = tuple(self.query_one("#attendees", SelectionList).selected)
        if not attendees:
            self.problem("Choose who attends (space in the list): only attendees score and sign.")
            return
        self.dismiss(SessionPlan(held_on, facilitator, attendees))

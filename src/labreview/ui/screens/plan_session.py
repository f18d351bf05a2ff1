"""Preparing a session: plan it (date, facilitator, attendees), and change who attends during it.

``PlanSessionDialog`` is opened from the palette ("session: plan next"); it dismisses with a
``SessionPlan`` (or None) and the app asks the service to plan the session, which carries
items over and proposes the budget. ``AttendanceDialog`` ("session: attendance") toggles a
person's attendance with ``space``, each toggle one audited change, for late arrivals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, SelectionList
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

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


class PlanSessionDialog(ModalScreen[SessionPlan | None]):
    """Date, facilitator (pick one) and attendees (space toggles); enter on the date or OK plans."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without planning"),
        Binding(
            "ctrl+s", "plan", "Plan", id="labreview.plan.submit", tooltip="Plan the session as shown", priority=True
        ),
    ]

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

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="plan-session"):
            yield Label(
                f"Plan the {self.quarter} review: its date, who facilitates and who attends "
                "(only attendees score and sign).",
                classes="dialog-title",
            )
            yield Label("Date (YYYY-MM-DD)")
            yield Input(self.held_on.isoformat(), id="date", max_length=10, restrict=r"[0-9-]*")
            yield Label("Facilitator (↑/↓)")
            yield OptionList(*(Option(_label(p), id=str(p.id)) for p in self.people), id="facilitator")
            yield Label("Attendees (space toggles)")
            yield SelectionList[int](
                *(Selection(_label(p), p.id, p.id in self.attendees) for p in self.people), id="attendees"
            )
            yield Label("", id="problem", classes="problem")
            with Horizontal(classes="buttons"):
                yield Button("Plan", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        ids = [p.id for p in self.people]
        options = self.query_one("#facilitator", OptionList)
        if self.facilitator in ids:
            options.highlighted = ids.index(self.facilitator)
        self.query_one("#date", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_plan()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#attendees", SelectionList).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.action_plan()
        else:
            self.dismiss(None)

    def action_plan(self) -> None:
        answer = self.query_one("#date", Input).value.strip()
        try:
            held_on = dt.date.fromisoformat(answer)
        except ValueError:
            self._problem(f"Write the date as YYYY-MM-DD; got '{answer}'.")
            return
        highlighted = self.query_one("#facilitator", OptionList).highlighted
        if highlighted is None:
            self._problem("Choose who facilitates (↑/↓ in the list).")
            return
        facilitator = self.people[highlighted].id
        attendees = tuple(self.query_one("#attendees", SelectionList).selected)
        if not attendees:
            self._problem("Choose who attends (space in the list): only attendees score and sign.")
            return
        self.dismiss(SessionPlan(held_on, facilitator, attendees))

    def _problem(self, message: str) -> None:
        self.query_one("#problem", Label).update(Text(message, style="bold"))
        self.app.bell()

    def action_cancel(self) -> None:
        self.dismiss(None)


class AttendanceDialog(ModalScreen[None]):
    """Who attends the session: ``space`` toggles a person, each toggle saved (and audited) at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="labreview.dialog.cancel", tooltip="Close the attendance list"),
    ]

    def __init__(
        self,
        quarter: str,
        people: Sequence[PersonChoice],
        attendees: Sequence[int],
        toggle: Callable[[int, bool], bool],
    ) -> None:
        super().__init__()
        self.quarter = quarter
        self.people = list(people)
        self.attendees = set(attendees)
        self.toggle = toggle
        """Saves one change; False when it was refused (the list is then put back)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="attendance"):
            yield Label(
                f"Who attends the {self.quarter} session (space toggles; saved at once; escape closes)",
                classes="dialog-title",
            )
            yield SelectionList[int](
                *(Selection(_label(p), p.id, p.id in self.attendees) for p in self.people), id="attendees"
            )

    def on_mount(self) -> None:
        self.query_one("#attendees", SelectionList).focus()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        person = event.selection.value
        present = person in event.selection_list.selected
        if present == (person in self.attendees):
            return  # the list put back after a refusal
        if self.toggle(person, present):
            if present:
                self.attendees.add(person)
            else:
                self.attendees.discard(person)
        else:
            event.selection_list.toggle(person)

    def action_close(self) -> None:
        self.dismiss(None)


def _label(person: PersonChoice) -> Text:
    text = plain(person.name)
    if person.role:
        text.append(f"  {person.role}", style="dim")
    return text

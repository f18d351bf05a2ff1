"""Who attends the session, changed during it (late arrivals): opened from the palette ("session: attendance").

``space`` toggles a person's attendance, each toggle one audited change saved at once; a refusal is said by the
app and the list put back. There is nothing to submit, so no problem line and no buttons: escape closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

from labreview.ui.dialogs.form import FormDialog
from labreview.ui.dialogs.plan_session import PersonChoice, person_label


class AttendanceDialog(FormDialog[None]):
    """Who attends the session: ``space`` toggles a person, each toggle saved (and audited) at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="labreview.dialog.cancel", tooltip="Close the attendance list"),
    ]
    FRAME_ID = "attendance"
    OK = None
    PROBLEM_LINE = False

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

    def heading(self) -> Text:
        return Text(f"Who attends the {self.quarter} session (space toggles; saved at once; escape closes)")

    def fields(self) -> ComposeResult:
        yield SelectionList[int](
            *(Selection(person_label(p), p.id, p.id in self.attendees) for p in self.people), id="attendees"
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

"""Agenda: the session's items in order, with timeboxes, time spent and what was decided."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from labreview.domain.errors import DomainError
from labreview.ui.dialogs.prompt import PromptDialog
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.meeting_header import MeetingState, clock
from labreview.ui.widgets.text import plain

COLUMNS = (
    ("#", "pos", 3),
    ("Key", "key", 8),
    ("Initiative", "title", None),
    ("Stage", "stage", 10),
    ("Time", "time", 11),
    ("Decision", "decision", 11),
)


class AgendaScreen(MeetingScreen):
    TITLE_TEXT = "Agenda"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="labreview.agenda.open", tooltip="Open the item's scorecard"),
        Binding("space", "remove", "Off agenda", id="labreview.agenda.remove", tooltip="Take the item off the agenda"),
        Binding("shift+up,K", "move(-1)", "Move up", id="labreview.agenda.up", tooltip="Move the item earlier"),
        Binding("shift+down,J", "move(1)", "Move down", id="labreview.agenda.down", tooltip="Move the item later"),
        Binding("t", "timebox", "Timebox", id="labreview.agenda.timebox", tooltip="Change the item's timebox"),
        Binding("S", "start", "Start session", id="labreview.session.start", tooltip="Start the session"),
        Binding("E", "end", "End session", id="labreview.session.end", tooltip="End the session"),
    ]

    _placed_for: str | None = None
    """The current item the cursor was last put on."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the session key that applies is shown and works: S on a planned session, E on an open one."""
        session = self.lab.session
        if action == "start":
            return session is not None and session.status.value == "planned"
        if action == "end":
            return session is not None and session.status.value == "open"
        return True

    def body(self) -> ComposeResult:
        yield Static(id="session-summary", classes="summary")
        yield DataTable(id="agenda", cursor_type="row", zebra_stripes=True)
        yield Static(id="attendees", classes="summary")

    def refresh_view(self) -> None:
        session = self.lab.session
        table = self.query_one("#agenda", DataTable)
        summary = self.query_one("#session-summary", Static)
        if session is None:
            summary.update("No review session is planned. Plan one with ctrl+p → “session: plan next”.")
            self.reset_table(table, COLUMNS)
            return
        facilitator = session.facilitator.name
        line = Text()
        line.append(f"{session.quarter} review", style="bold")
        line.append(f" · {session.status.label} · held on {session.held_on.isoformat()} · facilitator ")
        line.append_text(plain(facilitator))
        line.append(f" · {len(session.agenda)} items")
        summary.update(line)
        people = Text(f"Attending ({len(session.attendees)}): ", style="bold")
        wide = self.size.width >= 140
        for index, person in enumerate(session.attendees):
            if index:
                people.append(", ")
            people.append_text(plain(person.name))
            if wide:
                people.append(f" ({person.role_label})", style="dim")
        self.query_one("#attendees", Static).update(people)
        keep = table.cursor_row
        self.reset_table(table, COLUMNS)
        meeting = self.lab.meeting
        for entry in session.agenda:
            current = entry.key == self.lab.current_key
            marker = "▶" if current else str(entry.position)
            spent = meeting.elapsed if current and meeting.key == entry.key else entry.spent_seconds
            table.add_row(
                marker,
                entry.key,
                plain(entry.title, width=self.room(58)),
                entry.stage.label,
                _time_cell(spent, entry.timebox_seconds, paint(self, "bold bad")),
                Text(entry.decided.label, style="bold") if entry.decided else Text("—", style="dim"),
                key=entry.key,
            )
        if session.agenda:
            # The cursor follows the meeting's current item when that changes; otherwise it stays on the row
            # the facilitator put it on (a timebox change or a reorder must not send it back to ▶).
            current = session.position_of(self.lab.current_key)
            if current is not None and self.lab.current_key != self._placed_for:
                keep = current
            self._placed_for = self.lab.current_key
            table.move_cursor(row=min(keep, len(session.agenda) - 1))
        if session.status.value == "planned":
            self.hint(f"The {session.quarter} session has not started: S starts it (scores and decisions need it).")
        table.focus()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "meeting", self._clock_moved, init=False)

    def _clock_moved(self, meeting: MeetingState) -> None:
        """Keep the running item's time in step with the header's clock (one cell, no redraw of the table)."""
        if not self.is_current or meeting.key is None:
            return
        table = self.query_one("#agenda", DataTable)
        if meeting.key not in table.rows:
            return
        table.update_cell(meeting.key, "time", _time_cell(meeting.elapsed, meeting.timebox, paint(self, "bold bad")))

    def _selected(self) -> str | None:
        table = self.query_one("#agenda", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def action_open(self) -> None:
        key = self._selected()
        if key:
            self.lab.open_item(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_remove(self) -> None:
        key = self._selected()
        if key and self.lab.session:
            self.attempt(
                self.portfolio.toggle_agenda,
                self.lab.session.quarter,
                key,
                done=f"Took {key} off the agenda (ctrl+z puts it back).",
            )

    def action_move(self, delta: int) -> None:
        key = self._selected()
        if key and self.lab.session:
            session = self.attempt(self.portfolio.move_agenda_item, self.lab.session.quarter, key, delta)
            if session is not None:
                position = session.position_of(key)
                if position is not None:
                    self.query_one("#agenda", DataTable).move_cursor(row=position)

    def action_timebox(self) -> None:
        key = self._selected()
        session = self.lab.session
        if not key or session is None:
            return
        entry = next(e for e in session.agenda if e.key == key)

        def save(value: str) -> str | None:
            """Set it; a refusal is said in the dialog, which stays open with the number typed."""
            if not value.strip().isdigit():
                return f"A timebox is a whole number of minutes; got '{value}'."
            try:
                self.portfolio.set_timebox(session.quarter, key, int(value))
            except DomainError as exc:
                return exc.message
            return None

        def saved(value: str | None) -> None:
            if value is not None:
                self.lab.changed()
                self.say(f"Timebox of {key} is now {int(value)} minutes.")

        self.app.push_screen(
            PromptDialog(
                f"Timebox for {key} (minutes)",
                value=str(entry.timebox_seconds // 60),
                placeholder="8",
                restrict=r"\d*",
                check=save,
            ),
            saved,
        )

    def action_start(self) -> None:
        self.lab.start_session()

    def action_end(self) -> None:
        session = self.lab.session
        if session is None:
            return

        def confirm(answer: str | None) -> None:
            if answer is not None:
                self.lab.end_session()

        undecided = [e.key for e in session.agenda if e.decided is None]
        note = f" {len(undecided)} items have no decision and will be carried over." if undecided else ""
        self.app.push_screen(PromptDialog(f"End the {session.quarter} session?{note}", confirm_only=True), confirm)


def _time_cell(spent: int, timebox: int, over: str) -> Text:
    return Text(f"{clock(spent)}/{clock(timebox)}", style=over if spent > timebox else "")

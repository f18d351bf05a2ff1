"""Outcomes: the session's decisions, and the action items still open from any session."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label

from labreview.domain.vocabulary import ActionStatus
from labreview.portfolio.views import NewActionItem
from labreview.ui.dialogs.action_item import ActionDialog
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import ActionItemView

OUTCOME_STYLE = {
    "promote": "bold good",
    "kill": "bold bad",
    "retire": "bold bad",
    "consolidate": "bold bad",
    "iterate": "bold warn",
    "hold": "bold",
    "renew": "bold note",
}


class OutcomesScreen(MeetingScreen):
    TITLE_TEXT = "Outcomes"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "done",
            "Action done",
            id="labreview.outcomes.done",
            tooltip="Mark the action item under the cursor as done",
        ),
        Binding(
            "e",
            "minutes",
            "Minutes",
            id="labreview.outcomes.minutes",
            tooltip="Preview the session's minutes and write them to a file",
        ),
        Binding(
            "plus",
            "add",
            "New action",
            id="labreview.outcomes.add",
            tooltip="Add an action item for the current initiative",
        ),
        Binding(
            "tab",
            "switch",
            "Switch table",
            id="labreview.outcomes.switch",
            show=False,
            tooltip="Move between decisions and action items",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[ActionItemView] = []

    def body(self) -> ComposeResult:
        yield Label("", id="decisions-title", classes="section")
        yield DataTable(id="decisions", cursor_type="row", zebra_stripes=True)
        yield Label("", id="actions-title", classes="section")
        yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)

    def refresh_view(self) -> None:
        session = self.lab.session
        decisions = self.portfolio.decisions(session.quarter) if session else []
        table = self.query_one("#decisions", DataTable)
        self.reset_table(
            table,
            (
                ("Key", "key", 8),
                ("Initiative", "title", None),
                ("Outcome", "outcome", 11),
                ("Stage", "stage", 22),
                ("Rationale", "rationale", None),
            ),
        )
        for decision in decisions:
            stage = decision.stage_before.label
            if decision.stage_after is not decision.stage_before:
                stage += f" → {decision.stage_after.label}"
            table.add_row(
                decision.key,
                plain(decision.title, width=max(12, (self.size.width - 60) // 2)),
                Text(decision.outcome.label, style=paint(self, OUTCOME_STYLE.get(decision.outcome.value, ""))),
                stage,
                self._rationale(decision, width=max(12, (self.size.width - 60) // 2)),
                key=decision.key,
            )
        quarter = session.quarter if session else "—"
        self.query_one("#decisions-title", Label).update(
            Text(f"Decisions in {quarter}: {len(decisions)}", style="bold")
        )
        self.actions = self.portfolio.action_items(status=ActionStatus.OPEN)
        actions = self.query_one("#actions", DataTable)
        keep = actions.cursor_row
        self.reset_table(
            actions,
            (
                ("Due", "due", 10),
                ("Owner", "owner", 14),
                ("Key", "key", 8),
                ("Action", "text", None),
                ("From", "from", 7),
            ),
        )
        today = self.portfolio.today()
        for item in self.actions:
            late = item.due < today
            actions.add_row(
                Text(item.due.isoformat(), style=paint(self, "bold bad") if late else ""),
                plain(item.owner.name, width=14),
                item.key,
                plain(item.text, width=self.room(52)),
                item.quarter,
                key=str(item.id),
            )
        if self.actions:
            actions.move_cursor(row=min(keep, len(self.actions) - 1))
        late = sum(1 for a in self.actions if a.due < today)
        self.query_one("#actions-title", Label).update(
            Text(f"Open action items: {len(self.actions)}" + (f" ({late} overdue)" if late else ""), style="bold")
        )
        if not self.focused:
            actions.focus()

    def _rationale(self, decision, *, width: int) -> Text:
        """The rationale, after the surviving tool of a consolidation and who signed the decision off
        ("into FAC-010 · signed off by Dana Whitfield: …")."""
        if not decision.absorbed_by and not decision.signed_off_by:
            return plain(decision.rationale, width=width)
        text = Text(f"into {decision.absorbed_by}" if decision.absorbed_by else "", style="bold")
        if decision.signed_off_by:
            text.append(" · " if decision.absorbed_by else "")
            text.append("signed off by ", style="bold")
            text.append_text(plain(decision.signed_off_by, "bold"))
        if decision.rationale:
            text.append(": ")
            text.append_text(plain(decision.rationale))
        text.truncate(width, overflow="ellipsis")
        return text

    def action_done(self) -> None:
        table = self.query_one("#actions", DataTable)
        if not self.actions or self.focused is not table:
            self.say("Put the cursor on an action item (tab switches tables) to mark it done.", error=True)
            return
        item = self.actions[min(table.cursor_row, len(self.actions) - 1)]
        self.attempt(self.portfolio.complete_action_item, item.id, done=f"Done: {item.text} (ctrl+z reopens it).")

    def action_add(self) -> None:
        session = self.lab.session
        key = self.lab.current_key
        if session is None or key is None:
            self.say("Open an initiative in a session first.", error=True)
            return
        item = self.portfolio.initiative(key)
        people = [(p.name, p.id) for p in self.portfolio.board()]
        if item.owner.id not in {pid for _n, pid in people}:
            people.insert(0, (item.owner.name, item.owner.id))

        def add(action: NewActionItem | None) -> None:
            if action is not None:
                self.attempt(
                    self.portfolio.add_action_item,
                    session.quarter,
                    key,
                    action,
                    done=f"Action added for {key}: {action.text}",
                )

        due = self.portfolio.today() + dt.timedelta(days=30)
        self.app.push_screen(ActionDialog(key, people, item.owner.id, due), add)

    def action_minutes(self) -> None:
        self.lab.action_minutes()

    def action_switch(self) -> None:
        decisions = self.query_one("#decisions", DataTable)
        actions = self.query_one("#actions", DataTable)
        (actions if self.focused is decisions else decisions).focus()

    @on(DataTable.RowSelected, "#decisions")
    def _open_decision(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.lab.open_item(str(event.row_key.value))

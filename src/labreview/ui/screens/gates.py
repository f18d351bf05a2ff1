"""Gates: the four checklists of the current initiative, their status, and whether it may be promoted."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from labreview.domain import fields
from labreview.domain.gates import next_state
from labreview.domain.vocabulary import CheckState, Gate, GateStatus, Stage
from labreview.ui.dialogs.prompt import PromptDialog
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.domain.gates import CheckItem
    from labreview.portfolio.views import ActionItemView, ChecklistView

MARK = {
    CheckState.MET: ("✔", "good"),
    CheckState.NOT_MET: ("✘", "bold bad"),
    CheckState.PENDING: ("○", "muted"),
    CheckState.WAIVED: ("≈", "warn"),
}
STATUS_STYLE = {
    GateStatus.MET: "bold good",
    GateStatus.MET_WITH_WAIVERS: "bold warn",
    GateStatus.NOT_MET: "bold bad",
    GateStatus.PENDING: "bold",
}
NEXT_STAGE = {Stage.LAB: Stage.TRANSITION, Stage.TRANSITION: Stage.FACTORY}


class GatesScreen(MeetingScreen):
    TITLE_TEXT = "Gates"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "cycle",
            "Met/not/pending",
            id="labreview.gates.cycle",
            tooltip="Cycle the item: pending → met → not met → pending",
        ),
        Binding("w", "waive", "Waive", id="labreview.gates.waive", tooltip="Waive the item (a reason is required)"),
        Binding(
            "P",
            "edit_plan",
            "Plan template",
            id="labreview.gates.plan",
            show=False,
            tooltip="Edit the 90-day stabilisation plan a tool gets when it enters the factory",
        ),
        Binding(
            "e",
            "edit",
            "Edit text",
            id="labreview.gates.edit",
            tooltip="Edit the item's text in the template (all initiatives)",
        ),
        Binding(
            "plus,insert",
            "add",
            "Add item",
            id="labreview.gates.add",
            tooltip="Add an item to this gate's template (all initiatives)",
        ),
        Binding(
            "x",
            "retire",
            "Remove item",
            id="labreview.gates.remove",
            tooltip="Remove the item from the template (its history is kept)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ChecklistView | None = None
        self._items: dict[str, CheckItem] = {}
        self._key: str | None = None

    def body(self) -> ComposeResult:
        yield Static(id="item-title", classes="summary")
        yield DataTable(id="checklist", cursor_type="row", zebra_stripes=False)
        yield Static(id="readiness", classes="summary")

    def refresh_view(self) -> None:
        key = self.lab.current_key
        if key is None:
            self.query_one("#item-title", Static).update("No initiative selected.")
            return
        item = self.portfolio.initiative(key)
        self.view = self.portfolio.checklist(key)
        title = Text()
        title.append(f"{item.key} ", style="bold")
        title.append_text(plain(item.title, "bold"))
        title.append(f" · {item.stage.label}")
        if self.view.current_gate:
            title.append(f" · current gate {int(self.view.current_gate)} {self.view.current_gate.label}")
        else:
            title.append(" · all gates passed")
        self.query_one("#item-title", Static).update(title)
        table = self.query_one("#checklist", DataTable)
        keep = table.cursor_row
        self.reset_table(table, ((" ", "mark", 2), ("Check", "text", None), ("Note", "note", 28)))
        self._items.clear()
        for report in self.view.reports:
            current = report.gate is self.view.current_gate
            heading = Text(f"{int(report.gate)}  {report.gate.label}", style="bold reverse" if current else "bold")
            counts = f"{report.count(CheckState.MET)}/{len(report.items)} met"
            status = Text(f"{report.status.label} · {counts}", style=paint(self, STATUS_STYLE[report.status]))
            if not report.reached:
                status.append(" · later", style="dim")
            table.add_row(Text("▸" if current else " ", style="bold"), heading, status, key=f"g{int(report.gate)}")
            for entry in report.items:
                mark, style = MARK[entry.state]
                row_key = f"i{entry.item_id}"
                self._items[row_key] = entry
                note = plain(entry.reason, "italic", width=28) if entry.reason else Text(entry.state.label, style="dim")
                table.add_row(
                    Text(mark, style=paint(self, style)), plain(entry.text, width=self.room(40)), note, key=row_key
                )
            if report.gate is Gate.SCALE_MONITORING and self.view.plan:
                self._plan_rows(table)
        same = key == self._key
        self._key = key
        table.move_cursor(row=min(keep, table.row_count - 1) if same else self._first_open_row())
        self._show_readiness(item.stage)
        table.focus()

    def _plan_rows(self, table: DataTable) -> None:
        """The stabilisation plan's steps under gate 4: done, open, or overdue (space marks one done)."""
        today = self.portfolio.today()
        heading = Text("   90-day stabilisation plan", style="bold")
        table.add_row(Text(" "), heading, Text(self.view.plan_progress, style="dim"), key="plan")
        for step in self.view.plan:
            if step.status == "done":
                mark, style, note = "✔", "good", Text(f"done · {step.owner.name}", style="dim")
            elif step.due < today:
                mark, style = "✘", "bold bad"
                note = Text(f"overdue {step.due.isoformat()} · ", style=paint(self, "bad"))
                note.append_text(plain(step.owner.name))
            else:
                mark, style = "○", "muted"
                note = Text(f"due {step.due.isoformat()} · ", style="dim")
                note.append_text(plain(step.owner.name, "dim"))
            table.add_row(
                Text(mark, style=paint(self, style)),
                plain(step.text, width=self.room(40)),
                note,
                key=f"p{step.id}",
            )

    def _plan_step(self) -> ActionItemView | None:
        table = self.query_one("#checklist", DataTable)
        if table.row_count == 0:
            return None
        row_key = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
        if not row_key.startswith("p") or row_key == "plan":
            return None
        return next((s for s in self.view.plan if f"p{s.id}" == row_key), None)

    def action_edit_plan(self) -> None:
        from labreview.ui.dialogs.stabilisation import StabilisationPlanDialog

        def saved(steps: int | None) -> None:
            if steps is not None:
                self.say(f"The stabilisation plan has {steps} steps; the next promotion into the factory gets it.")

        self.app.push_screen(StabilisationPlanDialog(), saved)

    def _first_open_row(self) -> int:
        table = self.query_one("#checklist", DataTable)
        for index, row_key in enumerate(table.rows):
            entry = self._items.get(str(row_key.value))
            if entry and entry.gate is self.view.current_gate and entry.state is not CheckState.MET:
                return index
        return 0

    def _show_readiness(self, stage: Stage) -> None:
        widget = self.query_one("#readiness", Static)
        view = self.view
        if stage not in NEXT_STAGE:
            widget.update(
                Text(f"A {stage.label} initiative is not promoted; gate 4 tracks it after launch.", style="dim")
            )
            return
        target = NEXT_STAGE[stage]
        if view.promotion_refusals:
            text = Text(f"Promotion to {target.label}: refused. ", style=paint(self, "bold bad"))
            text.append_text(plain(" ".join(view.promotion_refusals), one_line=False))
        else:
            text = Text(
                f"Promotion to {target.label}: the gates allow it (d to decide).", style=paint(self, "bold good")
            )
        widget.update(text)

    def _selected(self) -> tuple[str, CheckItem | None]:
        table = self.query_one("#checklist", DataTable)
        if table.row_count == 0:
            return "", None
        row_key = str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)
        return row_key, self._items.get(row_key)

    def _select(self, row_key: str) -> None:
        table = self.query_one("#checklist", DataTable)
        for index, key in enumerate(table.rows):
            if key.value == row_key:
                table.move_cursor(row=index)
                return

    def _gate_at_cursor(self) -> Gate | None:
        row_key, entry = self._selected()
        if entry is not None:
            return entry.gate
        if row_key.startswith("g"):
            return Gate(int(row_key[1:]))
        return None

    def action_cycle(self) -> None:
        step = self._plan_step()
        if step is not None:
            if step.status == "done":
                self.say(f"“{step.text}” is done already.", error=True)
                return
            self.attempt(self.portfolio.complete_action_item, step.id, done="Plan step done.")
            return
        _row, entry = self._selected()
        if entry is None:
            self.say("Put the cursor on a checklist item (not a gate heading).", error=True)
            return
        state = next_state(entry.state)
        self.attempt(self.portfolio.set_check, self.lab.current_key, entry.item_id, state)

    @on(DataTable.RowSelected, "#checklist")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_cycle()

    def action_waive(self) -> None:
        _row, entry = self._selected()
        if entry is None:
            self.say("Put the cursor on the checklist item to waive.", error=True)
            return
        key = self.lab.current_key

        def apply(reason: str | None) -> None:
            if reason is not None:
                self.attempt(
                    self.portfolio.set_check,
                    key,
                    entry.item_id,
                    CheckState.WAIVED,
                    reason,
                    done="Waived; the reason goes into the minutes.",
                )

        self.app.push_screen(
            PromptDialog(
                f"Waive “{entry.text}” for {key}. Why does it not apply?",
                value=entry.reason,
                placeholder="reason (required, recorded in the minutes)",
                required="A waiver needs a reason: say why this check does not apply.",
            ),
            apply,
        )

    def action_edit(self) -> None:
        _row, entry = self._selected()
        if entry is None:
            self.say("Put the cursor on the checklist item to edit.", error=True)
            return

        def apply(text: str | None) -> None:
            if text is not None:
                self.attempt(
                    self.portfolio.rename_template_item,
                    entry.item_id,
                    text,
                    done="The template changed for every initiative.",
                )

        self.app.push_screen(
            PromptDialog(
                "Edit the checklist item (for every initiative):",
                value=entry.text,
                required="A checklist item needs text.",
                max_length=fields.LIMITS["checklist item"],
            ),
            apply,
        )

    def action_add(self) -> None:
        gate = self._gate_at_cursor() or Gate.PILOT_APPROVAL

        def apply(text: str | None) -> None:
            if text is None:
                return
            item = self.attempt(
                self.portfolio.add_template_item,
                gate,
                text,
                done=f"Added to the {gate.label} checklist of every initiative.",
            )
            if item is not None:
                self._select(f"i{item.id}")

        self.app.push_screen(
            PromptDialog(
                f"New item for the {gate.label} checklist (every initiative):",
                required="A checklist item needs text.",
                max_length=fields.LIMITS["checklist item"],
            ),
            apply,
        )

    def action_retire(self) -> None:
        _row, entry = self._selected()
        if entry is None:
            self.say("Put the cursor on the checklist item to remove.", error=True)
            return

        def apply(answer: str | None) -> None:
            if answer is not None:
                self.attempt(
                    self.portfolio.retire_template_item,
                    entry.item_id,
                    done="Removed from the template; recorded checks are kept in the history.",
                )

        self.app.push_screen(
            PromptDialog(
                f"Remove “{entry.text}” from the {entry.gate.label} checklist of every initiative?", confirm_only=True
            ),
            apply,
        )

"""Scorecard: the board's scores of the current initiative, and its intake fields.

The grid has a row per criterion and a column per reviewer attending the
session. Digits 1–5 score the cell under the cursor and move to the next
criterion; ``r`` moves to the next reviewer. The intake tab holds the six
intake fields and the pre-registered success criteria.

``V`` opens secret scoring of the item: until ``U`` reveals it, a cell shows only whether its score
was cast (``●``), never the value (not even one the facilitator has just typed for someone without a
device), and the means, spreads and totals wait for the reveal; board members cast from their own seats
(the seats screen) and the line above the grid counts who has scored.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from labreview.domain import fields
from labreview.domain.errors import DomainError, StaleEdit
from labreview.domain.gates import gate_status
from labreview.domain.scoring import CONTESTED_SPREAD
from labreview.domain.vocabulary import (
    CheckState,
    Criterion,
    format_money,
)
from labreview.ui.dialogs.field_edit import FieldDialog
from labreview.ui.dialogs.prompt import PickDialog
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain, safe

if TYPE_CHECKING:
    from labreview.portfolio.views import InitiativeView, PersonView, ScoreSheet

SHORT = {
    Criterion.OUTCOME_IMPACT: "Outcome impact",
    Criterion.OPERATIONAL_FIT: "Operational fit",
    Criterion.INTEGRATION_BURDEN: "Integration",
    Criterion.DATA_RISK: "Data risk",
    Criterion.ECONOMIC_VALUE: "Economic value",
}
CRITERIA = tuple(Criterion)
TOTAL_ROW = len(CRITERIA)
CHOICES = dict(fields.INTAKE_CHOICE_FIELDS)
"""The intake's choice fields and their vocabularies (``domain/fields.py``)."""
TEXT_FIELDS = {name: fields.BY_NAME[name].label for name in fields.INTAKE_TEXT_FIELDS}
"""The intake's text fields and their labels (``domain/fields.py``)."""
CRITERIA_FIELDS = {name: fields.BY_NAME[name].label for name in fields.CRITERIA_FIELDS}
"""The pre-registered success criteria and their labels (``domain/fields.py``)."""
WIDE = 150
"""From this many columns, the scorecard shows the initiative's dossier beside the scores."""
CAST, NOT_CAST = "●", "·"
"""A cell of a secret ballot: scored (the value hidden until the reveal), or not yet."""
STATE_MARK = {CheckState.MET: "✔", CheckState.NOT_MET: "✘", CheckState.PENDING: "○", CheckState.WAIVED: "≈"}


def short_name(person: PersonView) -> str:
    return person.name.split()[0][:8]


class ScorecardScreen(MeetingScreen):
    TITLE_TEXT = "Scorecard"

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(
                str(n),
                f"score({n})",
                str(n),
                show=False,
                id=f"labreview.score.{n}",
                tooltip=f"Score {n} for the reviewer and criterion under the cursor",
            )
            for n in range(1, 6)
        ),
        Binding(
            "1-5",
            "noop",
            "Score",
            key_display="1–5",
            id="labreview.score.hint",
            tooltip="Digits 1 to 5 score and move to the next criterion",
        ),
        Binding(
            "r",
            "reviewer(1)",
            "Next reviewer",
            id="labreview.score.reviewer",
            tooltip="Score for the next attending reviewer",
        ),
        Binding(
            "R",
            "reviewer(-1)",
            "Prev reviewer",
            id="labreview.score.reviewer_back",
            show=False,
            tooltip="Score for the previous reviewer",
        ),
        Binding(
            "v",
            "pick_reviewer",
            "Pick reviewer",
            id="labreview.score.pick_reviewer",
            show=False,
            tooltip="Choose the reviewer to score for from a list",
        ),
        Binding(
            "V",
            "secret",
            "Secret scoring",
            id="labreview.score.secret",
            show=False,
            tooltip="Score the item in secret: values stay hidden until the reveal (members score from their seats)",
        ),
        Binding(
            "U",
            "reveal",
            "Reveal",
            id="labreview.score.reveal",
            show=False,
            tooltip="Reveal the secret scores: values, spread and contested criteria show at once",
        ),
        Binding(
            "delete,backspace", "clear", "Clear", id="labreview.score.clear", tooltip="Clear the score under the cursor"
        ),
        Binding(
            "i", "toggle_tab", "Intake", id="labreview.score.intake", tooltip="The intake fields (i again: scores)"
        ),
        Binding("c", "tab('scores')", "Scores", id="labreview.score.scores", show=False, tooltip="The score grid"),
        Binding(
            "e",
            "edit",
            "Edit field",
            id="labreview.score.edit",
            show=False,
            tooltip="Edit the intake field (Intake tab)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sheet: ScoreSheet | None = None
        self.initiative: InitiativeView | None = None
        self._grid_key: str | None = None
        self._overlaps_key: str | None = None
        """The item whose consolidation candidates are shown."""

    def body(self) -> ComposeResult:
        yield Static(id="item-title", classes="summary")
        with TabbedContent(id="tabs", initial="scores"):
            with TabPane("Scores", id="scores"), Horizontal(id="scores-row"):
                with Vertical(id="scores-main"):
                    yield DataTable(id="grid", cursor_type="cell", zebra_stripes=False)
                    yield Static(id="totals", classes="summary")
                    yield Static(id="ai-checks", classes="summary")
                    yield Static(id="overlaps", classes="summary")
                yield Static(id="dossier", classes="summary")
            with TabPane("Intake", id="intake"):
                yield DataTable(id="intake-table", cursor_type="row", zebra_stripes=False)
                yield Static(
                    "enter or e edits the field under the cursor · i or c back to the scores", classes="summary dim"
                )

    # ----------------------------------------------------------------- view

    def refresh_view(self) -> None:
        key = self.lab.current_key
        if key is None:
            self.query_one("#item-title", Static).update("No initiative selected: open one from the agenda or backlog.")
            return
        try:
            self.initiative = self.portfolio.initiative(key)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        self._show_title()
        self._show_overlaps()
        session = self.lab.session
        self.sheet = self.portfolio.score_sheet(session.quarter, key) if session else None
        if key != self._grid_key:
            # Another item: it opens on its scores, for its first reviewer who has not scored yet, with the
            # grid focused, whatever was shown for the item before (digits always score what is on show).
            self.lab.reviewer_id = None
            self.query_one(TabbedContent).active = "scores"
            self.query_one("#grid", DataTable).focus()
        self._show_grid()
        self._show_form()
        self._show_dossier()
        if session is None:
            self.hint("Scores belong to a session; plan one first.")
        elif session.status.value == "planned":
            self.hint(f"Start the {session.quarter} session (S on the agenda) before scoring.")
        elif session.status.value == "closed":
            self.hint(f"The {session.quarter} session has ended; its scores are read-only.")

    def _show_title(self) -> None:
        item = self.initiative
        line = Text()
        line.append(f"{item.key} ", style="bold")
        line.append_text(plain(item.title, "bold"))
        line.append(f" · {item.stage.label} · {item.category.label} · owner ")
        line.append_text(plain(item.owner.name))
        if item.ai_heavy:
            line.append(" · AI-heavy", style=paint(self, "bold note"))
        self.query_one("#item-title", Static).update(line)

    def _show_dossier(self) -> None:
        """On a wide screen, what the board needs beside the scores: intake, criteria, gate, access, history."""
        dossier = self.query_one("#dossier", Static)
        dossier.display = self.size.width >= WIDE
        if not dossier.display:
            return
        item = self.initiative
        text = Text()

        def line(label: str, value: object) -> None:
            text.append(f"{label}: ", style="bold")
            text.append_text(plain(value if value not in (None, "") else "—", one_line=False))
            text.append("\n")

        text.append_text(plain(item.description, "italic", one_line=False))
        text.append("\n\n")
        line("Owner", item.owner.name)
        line("Sponsor", item.sponsor.name if item.sponsor else None)
        line("Vendor", item.vendor)
        line("Cost per quarter", format_money(item.quarterly_cost, self.portfolio.currency))
        line("Budget track", item.track.label)
        intake = item.intake
        text.append("\nIntake\n", style="bold underline")
        line("Objective", intake.business_objective)
        line("Users", intake.user_group)
        line("Data", intake.data_sensitivity.label if intake.data_sensitivity else None)
        line("Integration", intake.integration_scope.label if intake.integration_scope else None)
        line("Metric", intake.success_metric.label if intake.success_metric else None)
        line("Exit plan", intake.exit_plan)
        text.append("\nPre-registered" + (" (locked)" if item.criteria_locked else "") + "\n", style="bold underline")
        line("Baseline", item.baseline)
        line("Target lift", item.target_lift)
        line("Test period", item.test_period)
        line("Threshold", item.operational_threshold)
        text.append("\nStatus\n", style="bold underline")
        line(
            "Current gate", f"{int(item.current_gate)} {item.current_gate.label}" if item.current_gate else "all passed"
        )
        line("Data access", item.access_tier.label if item.access_tier else "none approved")
        last = f"{item.last_outcome.label} in {item.last_quarter}" if item.last_outcome else None
        line("Last decision", last)
        dossier.update(text)

    def _reviewers(self) -> list[PersonView]:
        return list(self.sheet.reviewers) if self.sheet else []

    def _show_grid(self) -> None:
        grid = self.query_one("#grid", DataTable)
        cursor = grid.cursor_coordinate
        grid.clear(columns=True)
        reviewers = self._reviewers()
        grid.add_column("Criterion", key="criterion")
        owner = self.initiative.owner.id if self.initiative else None
        for person in reviewers:
            own = " ★" if person.id == owner else ""  # the owner scoring their own initiative shows as such
            grid.add_column(plain(short_name(person) + own), key=str(person.id))
        grid.add_column("Mean", key="mean")
        grid.add_column("Spread", key="spread")
        sheet = self.sheet
        hidden = self._hidden()
        for criterion in CRITERIA:
            cells: list[object] = [SHORT[criterion]]
            for person in reviewers:
                cells.append(self._cell(person, criterion))
            stats = sheet.summary.stats.get(criterion) if sheet and not hidden else None
            cells.append(Text(f"{stats.mean:.1f}" if stats else "", justify="right"))
            if stats and stats.spread >= CONTESTED_SPREAD and stats.count > 1:
                cells.append(Text(f"{stats.spread} !", style=paint(self, "bold warn")))
            else:
                cells.append(Text(str(stats.spread) if stats else ""))
            grid.add_row(*cells, key=criterion.value)
        totals: list[object] = [Text("Weighted total", style="bold")]
        for person in reviewers:
            total = sheet.totals.get(person.id) if sheet and not hidden else None
            totals.append(Text(f"{total:.2f}" if total is not None else "", justify="center", style="bold"))
        overall = sheet.summary.total if sheet and not hidden else None
        totals.append(Text(f"{overall:.2f}" if overall is not None else "", justify="right", style="bold"))
        totals.append(Text(""))
        grid.add_row(*totals, key="total")
        column = self._reviewer_column()
        same_item = self.sheet is not None and self.sheet.key == self._grid_key
        self._grid_key = self.sheet.key if self.sheet else None
        row = cursor.row if same_item and cursor.row < TOTAL_ROW else 0  # a new item starts at the top
        if column is not None:
            grid.cursor_coordinate = Coordinate(min(row, TOTAL_ROW - 1), column)
        self._show_totals()
        self._show_ai_checks()

    def _hidden(self) -> bool:
        """The item is being scored in secret: no value, mean, spread or total shows until the reveal."""
        return self.sheet is not None and self.sheet.ballot is not None and self.sheet.ballot.hidden

    def _cell(self, person: PersonView, criterion: Criterion) -> Text:
        sheet = self.sheet
        if self._hidden():
            return Text(CAST if sheet.ballot.has_cast(person.id, criterion) else NOT_CAST, justify="center")
        value = sheet.score(person.id, criterion) if sheet else None
        return Text(str(value) if value else NOT_CAST, justify="center")

    def _has_scored(self, person_id: int) -> bool:
        if self._hidden():
            return any(self.sheet.ballot.has_cast(person_id, c) for c in CRITERIA)
        return any(self.sheet.score(person_id, c) for c in CRITERIA)

    def _reviewer_column(self) -> int | None:
        reviewers = self._reviewers()
        if not reviewers:
            return None
        ids = [p.id for p in reviewers]
        if self.lab.reviewer_id not in ids:
            unscored = [p.id for p in reviewers if not self._has_scored(p.id)]
            self.lab.reviewer_id = (unscored or ids)[0]
        return ids.index(self.lab.reviewer_id) + 1

    def _show_totals(self) -> None:
        sheet = self.sheet
        line = Text()
        reviewer = next((p for p in self._reviewers() if p.id == self.lab.reviewer_id), None)
        if reviewer:
            line.append("Scoring for ")
            line.append_text(plain(reviewer.name, "bold"))
            line.append(f" ({reviewer.role_label})")
            if self.initiative is not None and reviewer.id == self.initiative.owner.id:
                line.append(" ★ owns this initiative", style=paint(self, "bold warn"))
            line.append(" · 1–5 score · r R v reviewer")
            if sheet and sheet.ballot is None:
                line.append(" · V in secret")
        if self._hidden():
            line.append("\n")
            line.append(f"Secret scoring · {sheet.ballot.progress} · U reveal", style=paint(self, "bold note"))
        elif sheet and sheet.summary.total is not None:
            reviewers = sheet.summary.reviewers
            line.append(f"\nBoard: {reviewers} reviewer{'s' * (reviewers != 1)}, weighted total ")
            line.append(f"{sheet.summary.total:.2f}", style="bold")
            if sheet.weights_note:  # the portfolio's weights, set by the board
                line.append(f" ({sheet.weights_note})", style="dim")
            contested = sheet.summary.contested
            if contested:
                names = ", ".join(c.label for c in contested)
                line.append(f" · contested: {names} — discuss before deciding", style=paint(self, "bold warn"))
        self.query_one("#totals", Static).update(line, layout=False)  # fixed height: no relayout

    def _show_overlaps(self) -> None:
        """The consolidation candidates: the live initiatives this one overlaps, and why (``domain.overlap``),
        read off the UI thread (the portfolio's overlaps: up to a second at 100,000 initiatives after a change)."""
        item = self.initiative
        widget = self.query_one("#overlaps", Static)
        if item is None or item.key != self._overlaps_key:  # the last item's candidates must not stand under this one
            widget.display = False
        if item is not None:
            self._read_overlaps(item.key)

    @work(thread=True, exclusive=True, group="scorecard-overlaps", exit_on_error=False)
    def _read_overlaps(self, key: str) -> None:
        overlaps = self.portfolio.overlaps_of(key)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._overlaps_read, key, overlaps)

    def _overlaps_read(self, key: str, overlaps) -> None:
        widget = self.query_one("#overlaps", Static)
        if self.initiative is None or self.initiative.key != key:
            return  # another item is on show by now: its own read follows
        self._overlaps_key = key
        widget.display = bool(overlaps)
        if not overlaps:
            return
        text = Text()
        text.append("Consolidation candidates: ", style=paint(self, "bold warn"))
        for index, overlap in enumerate(overlaps):
            if index:
                text.append(" · ")
            text.append(overlap.other, style="bold")
            text.append(" ")
            text.append_text(plain(overlap.other_title))
            text.append(" (")
            text.append_text(plain(overlap.reason))
            text.append(")")
        widget.update(text)

    def _show_ai_checks(self) -> None:
        widget = self.query_one("#ai-checks", Static)
        item = self.initiative
        if not item or not item.ai_heavy:
            widget.display = False
            return
        checklist = self.portfolio.checklist(item.key)
        ai_ids = {t.id for t in self.portfolio.templates() if t.ai_only}
        ai_items = [i for r in checklist.reports for i in r.items if i.item_id in ai_ids]
        text = Text()
        text.append("AI scrutiny", style=paint(self, "bold note"))
        text.append(" ")
        text.append(f"({gate_status(ai_items).label}): ")
        for index, entry in enumerate(ai_items):
            if index:
                text.append(" · ")
            text.append(f"{STATE_MARK[entry.state]} ")
            text.append_text(plain(entry.text))
        widget.update(text)
        widget.display = True

    def _show_form(self) -> None:
        """The intake fields and the pre-registered criteria as a table: read here, edited in a dialog."""
        item = self.initiative
        table = self.query_one("#intake-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("Field", key="field", width=30)
        table.add_column("Value", key="value")
        for field, label in TEXT_FIELDS.items():
            table.add_row(label, plain(getattr(item.intake, field) or "—"), key=field)
        for field in CHOICES:
            value = getattr(item.intake, field)
            table.add_row(field.replace("_", " ").capitalize(), value.label if value else "—", key=field)
        locked = " (locked)" if item.criteria_locked else ""
        for field, label in CRITERIA_FIELDS.items():
            table.add_row(label + locked, plain(getattr(item, field) or "—"), key=field)
        table.move_cursor(row=min(row, table.row_count - 1))

    # ----------------------------------------------------------------- scoring

    def action_noop(self) -> None:
        """The footer hint for digits; the digits themselves are separate bindings."""

    def action_score(self, value: int) -> None:
        if self._intake_shown():  # digits score where they can be seen
            self.action_tab("scores")
        grid = self.query_one("#grid", DataTable)
        session = self.lab.session
        if session is None or self.initiative is None or self.sheet is None:
            self.say("Open an initiative in a session to score it.", error=True)
            return
        row, column = grid.cursor_coordinate
        reviewers = self._reviewers()
        if not 1 <= column <= len(reviewers) or row >= TOTAL_ROW:
            self.say("Put the cursor on a reviewer's cell (r picks the reviewer) to score.", error=True)
            return
        reviewer = reviewers[column - 1]
        criterion = CRITERIA[row]
        sheet = self.attempt(
            self.portfolio.record_score,
            session.quarter,
            self.initiative.key,
            reviewer.id,
            criterion,
            value,
            redraw=False,  # the cell, its mean and the totals are redrawn below
        )
        if sheet is None:
            return
        self.sheet = sheet
        self.lab.reviewer_id = reviewer.id
        self._update_cells(reviewer, criterion)
        shown = "cast in secret" if self._hidden() else str(value)  # a secret score never shows, not even here
        if row < TOTAL_ROW - 1:
            grid.cursor_coordinate = Coordinate(row + 1, column)
            self.say(f"{reviewer.name}: {criterion.label} {shown}.")
        else:
            self.say(f"{reviewer.name} has scored all five criteria — r for the next reviewer, d to decide.")

    def _update_cells(self, reviewer: PersonView, criterion: Criterion) -> None:
        """Redraw only what a score changes: the cell, its criterion's mean and spread, the totals."""
        grid = self.query_one("#grid", DataTable)
        sheet = self.sheet
        grid.update_cell(criterion.value, str(reviewer.id), self._cell(reviewer, criterion))
        if self._hidden():  # nothing else shows before the reveal
            self._show_totals()
            return
        stats = sheet.summary.stats.get(criterion)
        grid.update_cell(criterion.value, "mean", Text(f"{stats.mean:.1f}" if stats else "", justify="right"))
        if stats and stats.count > 1 and stats.spread >= CONTESTED_SPREAD:
            spread = Text(f"{stats.spread} !", style=paint(self, "bold warn"))
        else:
            spread = Text(str(stats.spread) if stats else "")
        grid.update_cell(criterion.value, "spread", spread, update_width=True)
        total = sheet.totals.get(reviewer.id)
        grid.update_cell(
            "total", str(reviewer.id), Text(f"{total:.2f}" if total is not None else "", justify="center", style="bold")
        )
        overall = sheet.summary.total
        grid.update_cell(
            "total", "mean", Text(f"{overall:.2f}" if overall is not None else "", justify="right", style="bold")
        )
        self._show_totals()

    def action_clear(self) -> None:
        grid = self.query_one("#grid", DataTable)
        session = self.lab.session
        row, column = grid.cursor_coordinate
        reviewers = self._reviewers()
        if session is None or self.initiative is None or not 1 <= column <= len(reviewers) or row >= TOTAL_ROW:
            return
        reviewer = reviewers[column - 1]
        sheet = self.attempt(
            self.portfolio.clear_score, session.quarter, self.initiative.key, reviewer.id, CRITERIA[row], redraw=False
        )
        if sheet is not None:
            self.sheet = sheet
            self._update_cells(reviewer, CRITERIA[row])

    def _ballot_item(self) -> tuple[str, str] | None:
        """The session's quarter and the item on show, or None (said why) when there is nothing to score."""
        session = self.lab.session
        if session is None or self.initiative is None:
            self.say("Open an initiative in a session to score it.", error=True)
            return None
        return session.quarter, self.initiative.key

    def action_secret(self) -> None:
        """Open secret scoring of the item on show: values stay hidden until ``U`` reveals them."""
        item = self._ballot_item()
        if item is None:
            return
        self.attempt(
            self.portfolio.open_ballot,
            *item,
            done=f"Secret scoring of {item[1]} is open: scores stay hidden until U reveals them "
            "(members score from their seats: l).",
        )

    def action_reveal(self) -> None:
        """Reveal the item's secret scores: values, means, spread and contested criteria show at once."""
        item = self._ballot_item()
        if item is None:
            return
        sheet = self.attempt(self.portfolio.reveal_ballot, *item)
        if sheet is not None:
            count = sheet.summary.reviewers
            self.say(f"Revealed the scores of {item[1]} ({count} reviewer{'s' * (count != 1)}).")

    def action_reviewer(self, step: int) -> None:
        reviewers = self._reviewers()
        if not reviewers:
            self.say("Nobody on the board attends this session; add attendees first.", error=True)
            return
        ids = [p.id for p in reviewers]
        index = ids.index(self.lab.reviewer_id) if self.lab.reviewer_id in ids else -1
        self.lab.reviewer_id = ids[(index + step) % len(ids)]
        self.query_one(TabbedContent).active = "scores"
        grid = self.query_one("#grid", DataTable)
        grid.cursor_coordinate = Coordinate(0, ids.index(self.lab.reviewer_id) + 1)
        grid.focus()
        self._show_totals()

    def action_pick_reviewer(self) -> None:
        reviewers = self._reviewers()
        if not reviewers:
            self.say("Nobody on the board attends this session; add attendees first.", error=True)
            return
        owner = self.initiative.owner.id if self.initiative else None
        choices = [
            (str(p.id), p.name, p.role_label + (" · owns this initiative" if p.id == owner else "")) for p in reviewers
        ]

        def chosen(person_id: str | None) -> None:
            if person_id is None:
                return
            ids = [p.id for p in self._reviewers()]
            if int(person_id) in ids:
                self.lab.reviewer_id = int(person_id)
                self.action_reviewer(0)

        self.app.push_screen(PickDialog("Score for", choices, selected=str(self.lab.reviewer_id)), chosen)

    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        reviewers = self._reviewers()
        column = event.coordinate.column
        if 1 <= column <= len(reviewers) and reviewers[column - 1].id != self.lab.reviewer_id:
            self.lab.reviewer_id = reviewers[column - 1].id
            self._show_totals()

    def action_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = name
        self.query_one("#grid" if name == "scores" else "#intake-table", DataTable).focus()

    def action_toggle_tab(self) -> None:
        self.action_tab("scores" if self._intake_shown() else "intake")

    # ----------------------------------------------------------------- intake fields

    def _intake_shown(self) -> bool:
        return self.query_one(TabbedContent).active == "intake"

    def action_edit(self) -> None:
        """Edit the intake field under the cursor: text in a dialog of its own, a choice from a list."""
        if self.initiative is None:
            return
        if not self._intake_shown():
            self.action_tab("intake")
            return
        table = self.query_one("#intake-table", DataTable)
        if table.row_count == 0:
            return
        field = str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)
        if field in CHOICES:
            self._pick_choice(field)
        else:
            self._edit_text(field)

    @on(DataTable.RowSelected, "#intake-table")
    def _intake_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _edit_text(self, field: str) -> None:
        item = self.initiative
        label = TEXT_FIELDS.get(field) or CRITERIA_FIELDS[field]
        current = getattr(item.intake, field) if field in TEXT_FIELDS else getattr(item, field)
        reason = None
        if field in CRITERIA_FIELDS and item.criteria_locked:
            reason = (
                f"{item.key}'s success criteria were fixed at pilot approval "
                f"({item.pilot_approved_on.isoformat()}): a change needs a reason, recorded for the minutes."
            )
        title = Text(f"{item.key} · {label}", style="bold")
        limit = fields.BY_NAME[field].limit  # the service refuses longer text: the dialog stops typing there
        self.app.push_screen(FieldDialog(title, current or "", partial(self._save_text, field), max_length=limit,
                                         reason=reason))  # fmt: skip

    def _save_text(self, field: str, value: str, reason: str) -> str | None:
        """Save a typed field; a refusal comes back in words (the dialog keeps what was typed)."""
        item = self.initiative
        session = self.lab.session
        label = TEXT_FIELDS.get(field) or CRITERIA_FIELDS[field]
        try:
            if field in TEXT_FIELDS:
                self.initiative = self.portfolio.set_intake(item.key, field, value, version=item.intake.version)
            else:
                self.initiative = self.portfolio.set_success_criterion(
                    item.key,
                    field,
                    value,
                    reason=reason,
                    quarter=session.quarter if session and session.status.value == "open" else None,
                    version=item.version,
                )
        except StaleEdit as exc:
            self.initiative = self.portfolio.initiative(item.key)  # the next save goes over the new version
            now = getattr(self.initiative.intake, field) if field in TEXT_FIELDS else getattr(self.initiative, field)
            return f"{exc.message} It is now “{safe(now)}”. Enter saves what you typed over it; Cancel keeps theirs."
        except DomainError as exc:
            return exc.message
        self.lab.changed()
        self.say(f"{label} saved." + (" The reason is recorded for the minutes." if reason else ""))
        return None

    def _pick_choice(self, field: str) -> None:
        item = self.initiative
        enum = CHOICES[field]
        current = getattr(item.intake, field)
        choices = [("", "(not set)", ""), *((m.value, m.label, "") for m in enum)]

        def chosen(value: str | None) -> None:
            if value is None or value == (current.value if current else ""):
                return
            self.attempt(
                self.portfolio.set_intake,
                item.key,
                field,
                value or None,
                version=item.intake.version,
                done=f"{field.replace('_', ' ').capitalize()} saved.",
            )

        label = field.replace("_", " ")
        self.app.push_screen(
            PickDialog(f"{item.key} · {label}", choices, selected=current.value if current else ""), chosen
        )

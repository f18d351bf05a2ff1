"""Stack map: every tool by stage (lab, transition, factory; retired on request) with owner, vendor, integration
scope, renewal, cost and last decision; renewals due before the board meets again flagged; overlapping tools
marked, the cursor row's overlaps said under the table. Read through ``Portfolio.stack_map``, filtered with the
backlog's filter language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from labreview.domain.backlog_query import Filters
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import format_money
from labreview.portfolio.backlog_filter import parse_filter
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain
from labreview.ui.widgets.virtual_table import Column, Row, VirtualTable

if TYPE_CHECKING:
    from labreview.portfolio.views import StackMapView, StackRow

OVERLAP_MARK = "≈"
"""In the first column: the tool overlaps another (same vendor, or same purpose)."""
DUE_MARK = "!"
"""After a renewal date: due on or before the horizon."""

COLUMNS = (
    Column("overlap", "≈", 1),
    Column("key", "Key", 8),
    Column("title", "Tool", 0, min_width=14),
    Column("owner", "Owner", 12, drop=3),
    Column("vendor", "Vendor", 12, drop=1),
    Column("scope", "Scope", 9, drop=4),
    Column("renewal", "Renewal", 11),
    Column("cost", "Cost/qtr", 9, align="right", drop=2),
    Column("decision", "Last decision", 15, drop=5),
)
"""Narrow screens drop the last decision first, then the scope, owner, cost and vendor (the line under the table
has them for the cursor row)."""
SORTABLE = [c.key for c in COLUMNS]
SCOPE = {"isolated": "isolated", "one-way-sync": "one-way", "core-dependency": "core dep."}
"""Integration scope in a column of nine cells."""


@dataclass
class StackSource:
    """The rows of a stack map as the table shows them: a heading before each stage's rows."""

    rows_shown: Sequence[Row]

    def __len__(self) -> int:
        return len(self.rows_shown)

    def rows(self, start: int, stop: int) -> Sequence[Row]:
        return self.rows_shown[start:stop]

    def locate_key(self, key: str) -> int | None:
        return next((i for i, row in enumerate(self.rows_shown) if row.key == key), None)


def table_row(row: StackRow, currency: str) -> Row:
    styles = {"overlap": "warn"}
    if row.renewal_due:
        styles["renewal"] = "warn"
    if row.stage.value == "retired":
        styles.update({"title": "dim", "key": "dim"})
    renewal = row.renewal_date.isoformat() if row.renewal_date else ""
    return Row(
        row.key,
        {
            "overlap": OVERLAP_MARK if row.overlaps else "",
            "key": row.key,
            "title": row.title,
            "owner": row.owner,
            "vendor": row.vendor,
            "scope": SCOPE.get(row.integration_scope.value, "") if row.integration_scope else "–",
            "renewal": renewal + DUE_MARK if row.renewal_due else renewal,
            "cost": format_money(row.quarterly_cost, currency).split(" ", 1)[-1],
            "decision": row.last_decision,
        },
        styles,
    )


class StackScreen(MeetingScreen):
    TITLE_TEXT = "Stack map"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "filter",
            "Filter",
            id="labreview.stack.filter",
            tooltip="Filter as in the backlog: words and facets such as owner:ravi overlap:yes",
        ),
        Binding(
            "less_than_sign",
            "sort(-1)",
            "Sort ←",
            id="labreview.stack.sort_left",
            tooltip="Sort each stage by the column to the left",
        ),
        Binding(
            "greater_than_sign",
            "sort(1)",
            "Sort →",
            id="labreview.stack.sort_right",
            tooltip="Sort each stage by the column to the right",
        ),
        Binding("r", "reverse", "Reverse", id="labreview.stack.reverse", tooltip="Reverse the sort order"),
        Binding(
            "x",
            "retired",
            "Retired ±",
            id="labreview.stack.retired",
            tooltip="Show the retired tools at the end, or hide them",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.column = "key"
        self.descending = False
        self.retired = False
        self.view: StackMapView | None = None
        self._read_at = -1
        """The app's ``revision`` when the map was read."""
        self._filter_text = ""

    def body(self) -> ComposeResult:
        with Horizontal(id="stack-filter-bar", classes="filter-bar"):
            yield Input(placeholder="/ filter: words, owner:ravi stage:factory overlap:yes", id="filter", compact=True)
            yield Static("", id="count")
        yield Static("", id="filter-problem", classes="problem")
        yield Static("", id="horizon", classes="summary")
        table = VirtualTable(COLUMNS, id="stack")
        table.sort_column = "key"
        yield table
        yield Static("", id="stack-detail", classes="summary")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one(VirtualTable)
        table.empty_text = "Reading the portfolio…"
        table.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that failed (a database gone mid-meeting) is said on the message line; the next change retries."""
        error = event.worker.error
        if event.worker.group == "stack" and event.state is WorkerState.ERROR and isinstance(error, DomainError):
            self.say(error.message, error=True)

    def refresh_view(self) -> None:
        """Read the map again after a change (``revision``), off the UI thread (a whole portfolio: about 2 s at
        100,000 initiatives); a resize or coming back unchanged only redraws."""
        if self.view is None or self._read_at != self.lab.revision:
            self._read(self.lab.revision)
        self._show()

    @work(thread=True, exclusive=True, group="stack", exit_on_error=False)
    def _read(self, revision: int) -> None:
        view = self.portfolio.stack_map()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._read_done, view, revision)

    def _read_done(self, view: StackMapView, revision: int) -> None:
        self.view, self._read_at = view, revision
        self._show()

    def _show(self) -> None:
        view = self.view
        if view is None:
            return
        table = self.query_one(VirtualTable)
        keep = table.cursor_key or self.lab.current_key
        session = self.lab.session
        agenda = frozenset(e.key for e in session.agenda) if session else frozenset()
        groups = view.groups(self.filters, self.column, self.descending, agenda=agenda, retired=self.retired)
        rows: list[Row] = []
        for stage, members in groups:
            rows.append(Row("", heading=f"── {stage.label.title()} ({len(members):,})"))
            rows.extend(table_row(r, view.currency) for r in members)
        table.empty_text = "No tool matches the filter." if self._filter_text else "The portfolio is empty."
        table.set_source(StackSource(rows), keep_key=keep)
        shown = sum(len(m) for _s, m in groups)
        total = sum(1 for r in view.rows if self.retired or r.stage.value != "retired")
        self.query_one("#count", Static).update(
            Text(f" {shown:,} of {total:,}", style="bold") if shown != total else Text(f" {total:,} tools"),
        )
        self._show_horizon(view)
        self._show_detail()

    def _show_horizon(self, view: StackMapView) -> None:
        due = view.due
        line = Text()
        line.append(f"Renewals due by {view.horizon.isoformat()}", style="bold")
        line.append(f" ({view.horizon_reason}): ")
        if due:
            line.append(", ".join(r.key for r in due), style=paint(self, "bold warn"))
        else:
            line.append("none")
        overlapping = sum(1 for r in view.rows if r.overlaps)
        line.append(f" · {OVERLAP_MARK} {overlapping} overlapping")
        if not self.retired:
            retired = sum(1 for r in view.rows if r.stage.value == "retired")
            line.append(f" · {retired} retired (x)", style="dim")
        self.query_one("#horizon", Static).update(line)

    def _show_detail(self) -> None:
        """Under the table: the cursor row's vendor, scope and what it overlaps ("overlaps FAC-010 (same vendor …)")."""
        key = self.query_one(VirtualTable).cursor_key
        row = next((r for r in self.view.rows if r.key == key), None) if self.view and key else None
        text = Text()
        if row is not None:
            text.append(f"{row.key} ", style="bold")
            text.append_text(plain(row.title, "bold"))
            if row.overlaps:
                text.append(f"  {OVERLAP_MARK} ", style=paint(self, "bold warn"))
                text.append_text(plain(row.overlap_line))
            text.append("\n")
            facts = [f"{row.stage.label}", f"owner {row.owner}"]
            if row.vendor:
                facts.append(f"vendor {row.vendor}")
            if row.integration_scope:
                facts.append(row.integration_scope.label)
            facts.append(f"{format_money(row.quarterly_cost, self.view.currency)}/qtr")
            if row.last_outcome:
                facts.append(f"last decision {row.last_decision}")
            text.append_text(plain(" · ".join(facts), "dim"))
            if row.renewal_due:
                text.append(f" · renewal {row.renewal_date.isoformat()} due", style=paint(self, "bold warn"))
        self.query_one("#stack-detail", Static).update(text)

    # ----------------------------------------------------------------- filter

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        problem = self.query_one("#filter-problem", Static)
        try:
            filters = parse_filter(event.value)
        except DomainError as exc:
            problem.update(Text(exc.message, style="bold"))
            problem.add_class("-shown")
            return
        problem.update("")
        problem.remove_class("-shown")
        self._filter_text = event.value
        self.filters = filters
        self._show()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, _event: Input.Submitted) -> None:
        self.query_one(VirtualTable).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            event.prevent_default()
            self.query_one(VirtualTable).focus()

    # ----------------------------------------------------------------- rows

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        self.lab.open_item(event.key)

    @on(VirtualTable.Highlighted)
    def _highlighted(self, _event: VirtualTable.Highlighted) -> None:
        self._show_detail()

    @on(VirtualTable.HeaderClicked)
    def _header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        same = event.column == self.column
        self._sort(event.column, not self.descending if same else False)

    def highlighted_key(self) -> str | None:
        """The tool under the cursor: what ``d`` decides here."""
        return self.query_one(VirtualTable).cursor_key

    def action_sort(self, step: int) -> None:
        index = SORTABLE.index(self.column) if self.column in SORTABLE else 0
        self._sort(SORTABLE[(index + step) % len(SORTABLE)], self.descending)

    def action_reverse(self) -> None:
        self._sort(self.column, not self.descending)

    def action_retired(self) -> None:
        self.retired = not self.retired
        self._show()
        self.say("Retired tools shown at the end." if self.retired else "Retired tools hidden.")

    def _sort(self, column: str, descending: bool) -> None:
        self.column, self.descending = column, descending
        table = self.query_one(VirtualTable)
        table.sort_column = column
        table.sort_descending = descending
        self._show()

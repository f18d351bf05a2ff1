"""Backlog: every initiative, filtered and sorted by ``portfolio.backlog.Backlog``, drawn a screenful at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from labreview.domain.backlog_query import Filters, Order
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import Stage, format_money
from labreview.portfolio.backlog_filter import parse_filter
from labreview.ui.messages import BacklogIndexLoaded
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.widgets.virtual_table import BLOCK, Column, Row, VirtualTable

if TYPE_CHECKING:
    from labreview.portfolio.backlog import Backlog
    from labreview.portfolio.saved_views import SavedView
    from labreview.portfolio.views import BacklogRow, BacklogView

COLUMNS = (
    Column("agenda", "", 1),
    Column("key", "Key", 8),
    Column("title", "Initiative", 0, min_width=18),
    Column("stage", "Stage", 10),
    Column("category", "Category", 11, drop=4),
    Column("owner", "Owner", 14, drop=1),
    Column("cost", "Cost/qtr", 11, align="right", drop=6),
    Column("track", "Track", 7, drop=5),
    Column("gate", "Gate", 4, drop=7),
    Column("tier", "Tier", 4, drop=2),
    Column("score", "Score", 8, align="right"),
    Column("decision", "Last decision", 16, drop=3),
)
SORTABLE = [c.key for c in COLUMNS if c.key != "agenda"]
SORT_COLUMN = {"decision": "decision", "cost": "cost"}


@dataclass
class BacklogSource:
    """Display rows over a view of the backlog in its order; with grouping, a heading before each stage's rows.

    The view's ``fetch(offset, count)`` reads rows by their place in that order (from the memory index's
    ids, or straight from SQL with LIMIT/OFFSET until the index has loaded).
    """

    view: BacklogView
    currency: str
    _first: list[Row] | None = field(default=None, repr=False)
    """The first block, fetched by the worker that built this source (so the UI thread runs no SQL for it)."""

    @property
    def length(self) -> int:
        """How many initiatives match (headings not counted)."""
        return self.view.length

    @property
    def groups(self) -> Sequence[tuple[Stage, int]]:
        return self.view.groups

    def __len__(self) -> int:
        return self.length + len(self.groups)

    def warm(self) -> None:
        self._first = self.rows(0, min(len(self), BLOCK))

    def locate_key(self, key: str) -> int | None:
        """Display index of ``key``'s row: anywhere when the view can locate it (memory index), else within
        the first block."""
        if not self.view.in_memory:
            first = self._first or []
            return next((i for i, row in enumerate(first) if row.key == key), None)
        position = self.view.locate(key)
        if position is None:
            return None
        if not self.groups:
            return position
        index = 0
        for _stage, count in self.groups:
            if position < count:
                return index + 1 + position
            position -= count
            index += count + 1
        return None

    def _locate(self, index: int) -> tuple[str, int]:
        """('heading', group number) or ('row', place in the order)."""
        if not self.groups:
            return "row", index
        position = 0
        for number, (_stage, count) in enumerate(self.groups):
            if index == 0:
                return "heading", number
            if index <= count:
                return "row", position + index - 1
            index -= count + 1
            position += count
        return "row", self.length

    def rows(self, start: int, stop: int) -> list[Row]:
        if start == 0 and self._first is not None and stop <= len(self._first):
            return self._first[:stop]
        located = [self._locate(i) for i in range(start, stop)]
        places = [p for kind, p in located if kind == "row" and p < self.length]
        fetched = iter(self.view.fetch(places[0], len(places)) if places else [])  # places are consecutive
        result = []
        for kind, position in located:
            if kind == "heading":
                stage, count = self.groups[position]
                result.append(Row("", heading=f"── {stage.label.title()} ({count:,})"))
            else:
                row = next(fetched, None)
                if row is not None:
                    result.append(self._row(row))
        return result

    def _row(self, row: BacklogRow) -> Row:
        score = "" if row.score is None else f"{row.score:.1f}"
        if row.spread is not None and row.score is not None:
            score += f" ±{row.spread}"
        decision = f"{row.last_outcome.value} {row.last_quarter}" if row.last_outcome else ""
        styles = {"agenda": "mark"}
        if row.spread is not None and row.spread >= 2:
            styles["score"] = "warn"
        if row.stage is Stage.RETIRED:
            styles.update({"title": "dim", "stage": "dim"})
        return Row(
            row.key,
            {
                "agenda": "●" if row.on_agenda else "",
                "key": row.key,
                "title": row.title,
                "stage": row.stage.label,
                "category": row.category.label,
                "owner": row.owner,
                "cost": format_money(row.quarterly_cost, self.currency).split(" ", 1)[-1],
                "track": row.track.label,
                "gate": str(int(row.current_gate)) if row.current_gate else "✓",
                "tier": f"L{int(row.access_tier)}" if row.access_tier else "–",
                "score": score,
                "decision": decision,
            },
            styles,
        )


class BacklogScreen(MeetingScreen):
    TITLE_TEXT = "Backlog"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "filter",
            "Filter",
            id="labreview.backlog.filter",
            tooltip="Filter by words and facets such as stage:lab owner:kim tier:3 overlap:yes",
        ),
        Binding(
            "space",
            "agenda",
            "Agenda ±",
            id="labreview.backlog.agenda",
            tooltip="Put the initiative on the session agenda, or take it off",
        ),
        Binding(
            "less_than_sign",
            "sort(-1)",
            "Sort ←",
            id="labreview.backlog.sort_left",
            tooltip="Sort by the column to the left",
        ),
        Binding(
            "greater_than_sign",
            "sort(1)",
            "Sort →",
            id="labreview.backlog.sort_right",
            tooltip="Sort by the column to the right",
        ),
        Binding("r", "reverse", "Reverse", id="labreview.backlog.reverse", tooltip="Reverse the sort order"),
        Binding("G", "group", "Group", id="labreview.backlog.group", tooltip="Group by stage"),
        Binding(
            "v",
            "save_view",
            "Save view",
            show=False,  # the footer keeps room for d Decide; ? lists it
            id="labreview.backlog.save_view",
            tooltip="Save this filter and sort under a name (ctrl+p → “view: NAME” applies it)",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.order = Order("key")
        self._filter_text = ""

    def body(self) -> ComposeResult:
        with Horizontal(id="filter-bar"):
            yield Input(
                placeholder="/ filter: words, stage:lab owner:kim tier:3 category:capability", id="filter", compact=True
            )
            yield Static("", id="count")
        yield Static("", id="filter-problem", classes="problem")
        table = VirtualTable(COLUMNS, id="backlog")
        table.sort_column = "key"
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        if self._filter_text:  # a saved view applied before the screen was first shown
            self._show_view_state()
        self.query_one(VirtualTable).focus()

    @property
    def backlog(self) -> Backlog:
        """The backlog's views (SQL until its memory index has loaded, then the index)."""
        return self.lab.backlog

    def refresh_view(self) -> None:
        self.backlog.refresh()
        self._reload()

    def _query(self) -> tuple[Filters, Order]:
        session = self.lab.session
        filters = replace(self.filters, agenda_session=session.id if session else None)
        return filters, self.order

    def _reload(self, *, keep: str | None = None) -> None:
        """Show the current filter and order: from the memory index when it is ready, else from SQL."""
        keep = keep or self.query_one(VirtualTable).cursor_key or self.lab.current_key
        filters, order = self._query()
        session = self.lab.session
        agenda = {e.key for e in session.agenda} if session else set()
        if self.backlog.in_memory:  # milliseconds: here, on the UI thread
            self._show(BacklogSource(self.backlog.view(filters, order, agenda), self.backlog.currency), keep)
        else:
            self._load(filters, order, agenda, keep)

    @work(thread=True, exclusive=True, group="backlog", exit_on_error=False)
    def _load(self, filters: Filters, order: Order, agenda: set[str], keep: str | None) -> None:
        """Until the memory index has loaded: rows straight from SQL, a window at a time (off the UI thread)."""
        backlog = self.backlog
        source = BacklogSource(backlog.view(filters, order, agenda), backlog.currency)
        source.warm()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, source, keep)

    def on_backlog_index_loaded(self, _message: BacklogIndexLoaded) -> None:
        """The app has loaded the memory index: serve the current filter from it."""
        if self.is_current:
            self._reload()

    def _show(self, source: BacklogSource, keep: str | None) -> None:
        table = self.query_one(VirtualTable)
        table.empty_text = "No initiative matches the filter." if self._filter_text else "The portfolio is empty."
        table.set_source(source, keep_key=keep)
        shown, total = source.length, source.view.total
        self.query_one("#count", Static).update(
            Text(f" {shown:,} of {total:,}", style="bold") if shown != total else Text(f" {total:,} initiatives"),
            layout=False,  # a fixed width: no need to lay the screen out again
        )

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
        if problem.has_class("-shown"):  # else leave it be: an update would lay the screen out again
            problem.update("")
            problem.remove_class("-shown")
        self._filter_text = event.value
        self.filters = filters
        self._reload()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one(VirtualTable).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            event.prevent_default()
            self.query_one(VirtualTable).focus()

    # ----------------------------------------------------------------- saved views

    def action_save_view(self) -> None:
        from labreview.ui.dialogs.prompt import PromptDialog  # the dialog's module, when it is first wanted

        def save(name: str) -> str | None:
            try:
                self.portfolio.save_view(name, self._filter_text, self.order)
            except DomainError as exc:
                return exc.message
            return None

        def saved(name: str | None) -> None:
            if name is not None:
                self.lab.changed(redraw=False)
                self.say(f"Saved the view “{name.strip()}”: ctrl+p → “view: {name.strip()}” shows it again.")

        what = f"the filter “{self._filter_text.strip()}”" if self._filter_text.strip() else "no filter"
        self.app.push_screen(
            PromptDialog(
                f"Save this view of the backlog ({what}, sorted by {self.order.column}) as:",
                placeholder="a name, e.g. Lab items by score",
                required="A view needs a name.",
                max_length=60,
                check=save,
            ),
            saved,
        )

    def apply_view(self, view: SavedView) -> None:
        """Show the backlog through ``view``: its filter (as typed when saved) and its sort."""
        self._filter_text = view.filter
        try:
            self.filters = parse_filter(view.filter)
        except DomainError as exc:
            self.filters = Filters()
            self.say(f"The view “{view.name}” has a filter that no longer reads: {exc.message}", error=True)
        self.order = replace(self.order, column=view.column, descending=view.descending, group_by_stage=view.group)
        if self.is_mounted:
            self._show_view_state()
            self._reload()
            self.say(f"Showing the view “{view.name}”.")

    def _show_view_state(self) -> None:
        """The filter bar and the sorted column as ``_filter_text`` and ``order`` say."""
        field = self.query_one("#filter", Input)
        with field.prevent(Input.Changed):
            field.value = self._filter_text
        table = self.query_one(VirtualTable)
        table.sort_column = self.order.column
        table.sort_descending = self.order.descending
        table.refresh()

    # ----------------------------------------------------------------- rows

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        self.lab.open_item(event.key)

    @on(VirtualTable.HeaderClicked)
    def _header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        if event.column in SORTABLE:
            same = event.column == self.order.column
            self._sort(event.column, not self.order.descending if same else False)

    def highlighted_key(self) -> str | None:
        """The initiative under the cursor: what ``d`` decides here (not the agenda's current item)."""
        return self.query_one(VirtualTable).cursor_key

    def action_agenda(self) -> None:
        table = self.query_one(VirtualTable)
        key = table.cursor_key
        session = self.lab.session
        if key is None:
            return
        if session is None:
            self.say("There is no session to put it on; plan one with ctrl+p → “session: plan next”.", error=True)
            return
        before = session.position_of(key)
        result = self.attempt(self.portfolio.toggle_agenda, session.quarter, key)
        if result is not None:
            if before is None:
                self.say(f"Put {key} on the {session.quarter} agenda as item {len(result.agenda)}.")
            else:
                self.say(f"Took {key} off the {session.quarter} agenda.")

    def action_sort(self, step: int) -> None:
        index = SORTABLE.index(self.order.column) if self.order.column in SORTABLE else 0
        self._sort(SORTABLE[(index + step) % len(SORTABLE)], self.order.descending)

    def action_reverse(self) -> None:
        self._sort(self.order.column, not self.order.descending)

    def action_group(self) -> None:
        self.order = replace(self.order, group_by_stage=not self.order.group_by_stage)
        self._reload()
        self.say("Grouped by stage." if self.order.group_by_stage else "Not grouped.")

    def _sort(self, column: str, descending: bool) -> None:
        self.order = replace(self.order, column=SORT_COLUMN.get(column, column), descending=descending)
        table = self.query_one(VirtualTable)
        table.sort_column = column
        table.sort_descending = descending
        self._reload()

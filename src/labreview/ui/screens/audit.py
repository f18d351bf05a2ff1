"""Audit history: who changed what, when — the whole portfolio or the current initiative, newest first, read-only.

The log can hold 100,000 records: the table draws a screenful at a time and asks the service for a block by
record id (``Portfolio.audit_page``); one initiative's records are found once by the service's history index
(``Portfolio.audit_ids_of``, in a worker) and then read by id. The record under the cursor is shown in full on
the right: every row it changed, before → after. ``v`` checks the log's integrity (``verify_audit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static
from textual.worker import get_current_worker

from labreview.domain.errors import DomainError
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.widgets.text import plain, safe
from labreview.ui.widgets.virtual_table import Column, Row, VirtualTable

if TYPE_CHECKING:
    import datetime as dt

    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.views import AuditEntry, AuditRecord

COLUMNS = (
    Column("id", "#", 6, align="right"),
    Column("at", "When", 16, drop=2),
    Column("actor", "Who", 16, drop=1),
    Column("action", "Action", 16, drop=3),
    Column("undone", "", 1),
    Column("summary", "Summary", 0, min_width=16),
)
UNDONE = "↶"


def when(moment: dt.datetime) -> str:
    """A record's time on this machine's clock (stored in UTC)."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def entry_row(entry: AuditEntry) -> Row:
    return Row(
        str(entry.id),
        {
            "id": str(entry.id),
            "at": when(entry.at),
            "actor": entry.actor,
            "action": entry.action,
            "undone": UNDONE if entry.undone else "",
            "summary": entry.summary,
        },
        {"undone": "warn", "summary": "dim"} if entry.undone else {},
    )


@dataclass
class WholeLog:
    """Every record, newest first: the row at place ``n`` is read from the records below id ``newest - n + 1``."""

    portfolio: Portfolio
    total: int
    newest: int
    _first: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return self.total

    def warm(self, count: int) -> None:
        self._first = self.rows(0, min(count, self.total))

    def rows(self, start: int, stop: int) -> list[Row]:
        if start == 0 and stop <= len(self._first):
            return self._first[:stop]
        entries = self.portfolio.audit_page(before=self.newest - start + 1, limit=stop - start)
        return [entry_row(e) for e in entries]

    def locate_key(self, key: str) -> int | None:
        place = self.newest - int(key)
        return place if 0 <= place < self.total else None


@dataclass
class InitiativeLog:
    """The records that touched one initiative, newest first (their ids found by the service's index)."""

    portfolio: Portfolio
    ids: list[int]
    _first: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def warm(self, count: int) -> None:
        self._first = self.rows(0, min(count, len(self.ids)))

    def rows(self, start: int, stop: int) -> list[Row]:
        if start == 0 and stop <= len(self._first):
            return self._first[:stop]
        return [entry_row(e) for e in self.portfolio.audit_entries(self.ids[start:stop])]

    def locate_key(self, key: str) -> int | None:
        try:
            return self.ids.index(int(key))
        except ValueError:
            return None


def describe(record: AuditRecord) -> Text:
    """The record in full, as plain text (stored values are shown as they are, never as markup)."""
    entry = record.entry
    out = Text()
    out.append(f"Record {entry.id}", style="bold")
    out.append(f" · {when(entry.at)}\n")
    out.append_text(plain(entry.actor, "bold"))
    out.append(" · ")
    out.append_text(plain(entry.action))
    out.append("\n")
    out.append_text(plain(entry.summary, one_line=False))
    out.append("\n")
    if record.undone_by is not None:
        out.append(f"{UNDONE} undone by record {record.undone_by}\n", style="bold")
    if record.undoes_id is not None:
        out.append(f"undoes record {record.undoes_id}\n", style="bold")
    if record.problem:
        out.append(f"\n{record.problem}\n", style="bold")
    for change in record.changes:
        out.append("\n")
        out.append_text(plain(f"{change.op} {change.table}", "bold"))
        if change.key:
            out.append_text(plain(f" ({change.key})", "dim"))
        out.append("\n")
        for column, before, after in change.values:
            out.append_text(plain(f"  {column}: ", "dim"))
            if change.op == "update":
                out.append_text(plain(before))
                out.append(" → ", style="bold")
            elif change.op == "delete":
                out.append_text(plain(before))
                out.append("\n")
                continue
            out.append_text(plain(after))
            out.append("\n")
    if not record.changes and not record.problem:
        out.append("\nIt changed no rows.\n", style="dim")
    return out


class AuditScreen(MeetingScreen):
    TITLE_TEXT = "Audit history"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i",
            "scope",
            "This initiative ±",
            id="labreview.audit.initiative",
            tooltip="Show only the records of the current initiative, or the whole portfolio again",
        ),
        Binding(
            "v",
            "verify",
            "Verify",
            id="labreview.audit.verify",
            tooltip="Check the audit log's hash chain and replay it against the tables",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.initiative: str | None = None
        """The initiative whose records are shown; None: the whole portfolio."""

    def body(self) -> ComposeResult:
        yield Static("", id="audit-scope")
        with Horizontal(id="audit-row"):
            table = VirtualTable(COLUMNS, id="audit-log")
            table.empty_text = "The audit log is empty."
            yield table
            with VerticalScroll(id="audit-detail"):
                yield Static("", id="audit-record")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(VirtualTable).focus()

    def refresh_view(self) -> None:
        if self.initiative is not None and self.initiative != self.lab.current_key:
            self.initiative = self.lab.current_key  # another item: follow it
        self._load(self.initiative, self.query_one(VirtualTable).cursor_key)

    @work(thread=True, exclusive=True, group="audit", exit_on_error=False)
    def _load(self, initiative: str | None, keep: str | None) -> None:
        """The records to show, and the first screenful, read off the UI thread."""
        portfolio = self.portfolio
        try:
            if initiative is None:
                newest = portfolio.newest_event_id()
                source: WholeLog | InitiativeLog = WholeLog(portfolio, portfolio.audit_total(), newest)
            else:
                source = InitiativeLog(portfolio, portfolio.audit_ids_of(initiative))
            source.warm(64)
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, error=True)
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, source, initiative, keep)

    def _show(self, source: WholeLog | InitiativeLog, initiative: str | None, keep: str | None) -> None:
        if initiative != self.initiative:
            return
        table = self.query_one(VirtualTable)
        table.empty_text = "No record touched this initiative." if initiative else "The audit log is empty."
        table.set_source(source, keep_key=keep)
        count = f"{len(source):,} record{'s' if len(source) != 1 else ''}"
        scope = Text(" ")
        if initiative is None:
            scope.append("The whole portfolio", style="bold")
            scope.append(f" · {count}, newest first · i: the current initiative only")
        else:
            scope.append_text(plain(initiative, "bold"))
            scope.append(f" only · {count}, newest first · i: the whole portfolio")
        self.query_one("#audit-scope", Static).update(scope)
        self._detail(table.cursor_key)

    @on(VirtualTable.Highlighted)
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._detail(event.key)

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        self.query_one("#audit-detail", VerticalScroll).focus()

    def _detail(self, key: str | None) -> None:
        shown = self.query_one("#audit-record", Static)
        if key is None:
            shown.update(Text("No record.", style="dim"))
            return
        try:
            record = self.portfolio.audit_record(int(key))
        except DomainError as exc:
            shown.update(plain(exc.message, "bold"))
            return
        shown.update(describe(record))
        self.query_one("#audit-detail", VerticalScroll).scroll_home(animate=False)

    def current_record(self) -> int | None:
        """The id of the record under the cursor."""
        key = self.query_one(VirtualTable).cursor_key
        return int(key) if key is not None else None

    # ----------------------------------------------------------------- actions

    def action_scope(self) -> None:
        if self.initiative is not None:
            self.initiative = None
        elif self.lab.current_key is None:
            self.say("No initiative is current: open one from the agenda or the backlog first.", error=True)
            return
        else:
            self.initiative = self.lab.current_key
        self.query_one("#audit-scope", Static).update(Text(" Reading the log…", style="dim"))
        self._load(self.initiative, None)

    def action_verify(self) -> None:
        self.say("Checking the audit log…")
        self._verify()

    @work(thread=True, exclusive=True, group="audit-verify", exit_on_error=False)
    def _verify(self) -> None:
        try:
            verdict = self.portfolio.verify_audit()
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, error=True)
            return
        message = verdict.message + (f" · head {verdict.head[:16]}…" if verdict.ok and verdict.head else "")
        self.app.call_from_thread(self.say, safe(message), error=not verdict.ok)

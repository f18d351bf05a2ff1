"""Opening the portfolio: the first frame, what is shown while the service layer loads, and what runs after.

The first frame is painted before SQLAlchemy is imported: the agenda preview the command line read with
the standard library (``portfolio.startup``), or "Opening the portfolio…". A worker opens the portfolio
and posts ``PortfolioOpened``; the app then shows the first screen. Keys typed meanwhile wait (see
``typeahead.TypeAhead``), except that the backlog's key shows the backlog's top rows at once, read with
sqlite3 (psycopg alone on PostgreSQL). Once open, two background jobs: the backlog's memory index, and the
integrity check of a file too large to have been checked page by page before the first frame.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.table import Table
from textual import events, work
from textual.containers import Vertical
from textual.widgets import Static

from labreview.domain.errors import DomainError
from labreview.ui.messages import BacklogIndexLoaded, PortfolioOpened
from labreview.ui.navigation import keys_of
from labreview.ui.widgets.meeting_header import MeetingState, clock
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.domain.vocabulary import Criterion
    from labreview.portfolio.backlog import Backlog
    from labreview.portfolio.backlog_index import BacklogIndex
    from labreview.portfolio.startup import BacklogLine, FirstScreen
    from labreview.portfolio.views import BacklogRow
    from labreview.ui.screens.backlog import BacklogSource


class Opening:
    """The app's opening and background loads (a mixin of ``LabReviewApp``, which owns the state named here)."""

    preview: FirstScreen | None
    target: str
    backlog: Backlog

    def __init__(self) -> None:
        super().__init__()
        self._peeking = False
        """The backlog's top rows have been asked for while opening (once is enough)."""

    def opening_area(self) -> Vertical:
        """What the first frame shows under the header, before the portfolio is open."""
        preview = self.preview
        if preview is None:
            return Vertical(Static("Opening the portfolio…", id="opening"), id="opening-area")
        summary = Static(
            f"{preview.quarter} review · {preview.status} · held on {preview.held_on} · "
            f"{len(preview.agenda)} items · opening…",
            id="opening-summary",
            classes="summary",
        )
        return Vertical(summary, Static(agenda_preview(preview), id="preview"), id="opening-area")

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        from labreview.portfolio.backlog import Backlog  # deferred, as the service: SQLAlchemy after the frame
        from labreview.portfolio.service import Portfolio, explain_failure

        # The audit log names the person set as the config's actor (--as) when they are in the portfolio,
        # else the facilitator of the session; scores are weighted with the portfolio's own weights.
        options = {"actor": None, "read_only": self.read_only}
        if self._clock is not None:
            options["clock"] = self._clock
        try:
            portfolio = Portfolio.open(self.target, checked=self.checked, **options)
            if not self.read_only:
                portfolio.ensure_defaults()
            if self.config.who:
                with contextlib.suppress(DomainError):  # not a person of this portfolio: the facilitator acts
                    portfolio.act_as(self.config.who)
            seen = portfolio.newest_event_id()  # before the session is read: a change in between is news
            session = portfolio.active_session()
        except DomainError as exc:  # a storage error carries its cause: say what the file lacks
            failure = exc.message if exc.__cause__ is None else explain_failure(self.target, exc.__cause__)
        except Exception as exc:  # whatever else stops the opening is said, never left at "Opening the portfolio…"
            failure = explain_failure(self.target, exc)
        else:
            self.post_message(PortfolioOpened(portfolio, session, Backlog(portfolio), seen))
            return
        self.call_from_thread(self.exit, None, 2, f"labreview: {failure}")

    # ------------------------------------------------------------------ keys typed while opening

    def _typed_while_opening(self, event: events.Key | events.Paste) -> None:
        """A key typed before the portfolio is open waits; the backlog's key also shows the backlog's top rows."""
        if isinstance(event, events.Key) and event.key in keys_of("backlog", self.config.keymap) and not self._peeking:
            self._peeking = True
            self._peek_backlog()

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False)
    def _peek_backlog(self) -> None:
        """The backlog key was pressed while opening: show the top of the backlog (read without SQLAlchemy)."""
        from labreview.portfolio.startup import backlog_peek

        found = backlog_peek(self.target, limit=max(1, self.size.height))
        if found is None:
            return
        # Everything but the mount happens here, in this thread: the event loop shares the interpreter
        # with the service layer importing in another thread, and its share is what the user waits on
        # (imported on the event loop, the row and screen modules alone took ~75 ms there).
        from labreview.portfolio.views import BacklogView
        from labreview.ui.screens.backlog import BacklogSource

        agenda = {line.key for line in self.preview.agenda} if self.preview else set()
        rows = [backlog_row(line, found.weights, agenda) for line in found.lines]
        view = BacklogView(found.total, found.total, [], lambda offset, count: rows[offset : offset + count])
        source = BacklogSource(view, found.currency)
        self.call_from_thread(self._show_backlog_preview, source)

    def _show_backlog_preview(self, source: BacklogSource) -> None:
        """Rows as the backlog screen will draw them (not interactive: keys wait for the real screen)."""
        if self.ready.is_set():
            return  # the backlog itself is on its way
        from labreview.ui.screens.backlog import COLUMNS
        from labreview.ui.widgets.virtual_table import VirtualTable

        area = self.screen.query_one("#opening-area", Vertical)
        area.remove_children()
        table = VirtualTable(COLUMNS, id="preview-backlog")
        table.sort_column = "key"
        table.set_source(source)
        area.mount(Static(f"Backlog · {len(source):,} initiatives · opening…", classes="summary"), table)

    # ------------------------------------------------------------------ once open, in the background

    @work(thread=True, exclusive=True, group="integrity", exit_on_error=False)
    def _check_integrity(self) -> None:
        """A large file is not read page by page before the first frame; read it now, in the background."""
        from labreview.portfolio.startup import damage

        verdict = damage(self.target)
        if verdict is not None:
            self.call_from_thread(self._damaged, verdict)

    def _damaged(self, verdict: str) -> None:
        """The background check found damage: nothing more is written to this file (it would spread)."""
        self.read_only = True
        self.portfolio.read_only = True
        self._update_header()
        self.notify(
            f"The database file is damaged ({verdict}); nothing more is written to it. "
            "Quit, copy it aside and restore a backup.",
            severity="error",
            timeout=3600,
        )

    @property
    def backlog_index(self) -> BacklogIndex | None:
        """The backlog's memory index once loaded (None until then: the backlog reads SQL); tests wait on it."""
        return None if self.backlog is None else self.backlog.index

    @work(thread=True, exclusive=True, group="backlog-index", exit_on_error=False)
    def _load_backlog_index(self) -> None:
        self.backlog.load()
        self.call_from_thread(self._backlog_index_loaded)

    def _backlog_index_loaded(self) -> None:
        # What is loaded now (the index's 100,000 keys, Textual, SQLAlchemy) stays until the app quits.
        # Out of the collector's sight, a full collection no longer walks it: at 100,000 initiatives
        # that walk was a 100-200 ms pause in the middle of a keystroke, every few dozen keys.
        gc.collect()
        gc.freeze()
        self.screen.post_message(BacklogIndexLoaded())  # the backlog, when on show, serves from the index now


def preview_state(preview: FirstScreen, banner: str) -> MeetingState:
    """The header of the first frame, from the preview."""
    current = next((line for line in preview.agenda if line.key == preview.current_key), None)
    current = current or (preview.agenda[0] if preview.agenda else None)
    return MeetingState(
        portfolio=preview.portfolio,
        quarter=preview.quarter,
        status=preview.status,
        position=current.position if current else None,
        total=len(preview.agenda),
        key=current.key if current else None,
        elapsed=current.spent_seconds if current else 0,
        timebox=current.timebox_seconds if current else 0,
        banner=banner,
    )


def agenda_preview(preview: FirstScreen) -> Table:
    """The agenda as the agenda screen will show it, while that screen loads (not interactive)."""
    table = Table(box=None, header_style="bold", padding=(0, 1))
    for label, width in (("#", 3), ("Key", 8), ("Initiative", None), ("Stage", 10), ("Time", 11), ("Decision", 11)):
        table.add_column(label, width=width, no_wrap=True, overflow="ellipsis")
    for line in preview.agenda:
        table.add_row(
            str(line.position), line.key, plain(line.title), line.stage,
            f"{clock(line.spent_seconds)}/{clock(line.timebox_seconds)}", line.outcome or "—",
        )  # fmt: skip
    return table


def backlog_row(line: BacklogLine, weights: Mapping[Criterion, object], agenda: set[str]) -> BacklogRow:
    """A stored backlog line as the service layer gives it, the score weighted with the configured weights."""
    from labreview.domain.scoring import weighted_total
    from labreview.domain.vocabulary import Criterion
    from labreview.portfolio.views import BacklogRow

    means = {c: mean for c, mean in zip(Criterion, line.score_means, strict=True) if mean is not None}
    return BacklogRow.from_codes(
        line.key, line.title, line.stage, line.category, line.owner, line.quarterly_cost, line.track,
        line.current_gate, line.access_tier, weighted_total(means, weights), line.spread, line.last_outcome,
        line.last_quarter, line.key in agenda,
    )  # fmt: skip

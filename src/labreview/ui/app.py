"""The Textual app: the meeting frame, navigation between screens, and the timebox clock.

``make_app`` builds it from explicit arguments for the command line, Pilot tests
and snapshot tests alike. The first frame is painted before the store is
imported: a worker opens the portfolio and then shows the first screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import importlib
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive, var
from textual.widgets import Static

from labreview.config import Config, save_theme
from labreview.domain.errors import DomainError
from labreview.ui.commands import LabReviewCommands
from labreview.ui.navigation import PLACES, keys_of, modes
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.typeahead import settle
from labreview.ui.widgets.footer import Footer
from labreview.ui.widgets.meeting_header import MeetingHeader, MeetingState, clock
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.domain.vocabulary import Criterion
    from labreview.portfolio.backlog_index import BacklogIndex
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.startup import BacklogLine, FirstScreen
    from labreview.portfolio.views import BacklogRow, SessionView
    from labreview.ui.screens.backlog import BacklogSource

FLUSH_EVERY = 15
"""Seconds between saves of the running timebox clock."""


class LabReviewApp(App[None]):
    """The facilitator's app for a quarterly Lab/Factory review."""

    CSS_PATH = "app.tcss"
    TITLE = "labreview"
    COMMANDS: ClassVar = App.COMMANDS | {LabReviewCommands}
    MODES: ClassVar = modes()  # each imported when first shown, not before the first frame
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(p.key, f"goto('{p.mode}')", p.label, id=p.binding_id, tooltip=p.tooltip, show=False) for p in PLACES),
        Binding(
            "n", "step(1)", "Next item", id="labreview.agenda.next", tooltip="Open the next agenda item", show=False
        ),
        Binding(
            "p",
            "step(-1)",
            "Previous item",
            id="labreview.agenda.previous",
            tooltip="Open the previous agenda item",
            show=False,
        ),
        Binding("d", "decide", "Decide", id="labreview.decide", tooltip="Record the board's decision"),
        Binding("ctrl+z", "undo", "Undo", id="labreview.undo", tooltip="Undo your last change (audited)"),
        Binding("question_mark", "keys", "Keys", id="labreview.keys", tooltip="The keys of this screen"),
        Binding("escape", "back", "Back", id="labreview.back", tooltip="Back to the previous screen", show=False),
        Binding("1,2,3,4,5", "digit_hint", show=False, system=True),
    ]

    meeting: reactive[MeetingState] = reactive(MeetingState)
    """What the header shows."""
    revision: reactive[int] = reactive(0)
    """Bumped after every change, so that the screen on show reloads."""
    current_key: reactive[str | None] = reactive(None)
    """The initiative the meeting is looking at (the current agenda item, or one opened from the backlog)."""
    reviewer_id: var[int | None] = var(None)
    """The reviewer whose scores digits enter."""

    def __init__(
        self,
        target: str | Path,
        *,
        config: Config | None = None,
        read_only: bool = False,
        demo: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        checked: bool = False,
        preview: FirstScreen | None = None,
    ) -> None:
        super().__init__()
        self.preview = preview
        """The first screen's rows read by the command line with the standard library (see ``portfolio.startup``)."""
        self.checked = checked
        """The command line has checked (and upgraded) the database: the worker need not do it again."""
        self.target = str(target)
        self.config = config or Config()
        self.read_only = read_only
        self.demo = demo
        self._clock = clock
        self._monotonic = monotonic
        self.portfolio: Portfolio = None  # type: ignore[assignment] - set by _ready before any screen shows
        self.session: SessionView | None = None
        self.backlog_index: BacklogIndex | None = None
        """The backlog's filter and sort columns in memory, loaded in the background after start-up."""
        self.portfolio_name = "labreview"
        self.ready = asyncio.Event()
        """Set once the portfolio is open and the first screen is shown (tests wait on it)."""
        self._history: list[str] = []
        self._typed: deque[events.Key | events.Paste] = deque()
        """Keys (and pastes) typed and not yet delivered: see ``on_event``."""
        self._delivering = False
        self._quitting = False
        self._peeking = False
        self._item_started: float | None = None
        self._item_base = 0
        self._unsaved = 0.0
        self._ticks = 0
        self._signals: list[tuple[asyncio.AbstractEventLoop, int]] = []
        """Signal handlers this app added to the event loop (taken away again when it ends)."""

    # ------------------------------------------------------------------ start-up

    def compose(self) -> ComposeResult:
        yield MeetingHeader()
        with Vertical(id="opening-area"):
            if self.preview is None:
                yield Static("Opening the portfolio…", id="opening")
            else:
                preview = self.preview
                yield Static(
                    f"{preview.quarter} review · {preview.status} · held on {preview.held_on} · "
                    f"{len(preview.agenda)} items · opening…",
                    id="opening-summary",
                    classes="summary",
                )
                yield Static(_agenda_preview(preview), id="preview")
        yield Footer()

    def on_mount(self) -> None:
        warnings: list[str] = []
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            warnings.append(f"theme {self.config.theme!r} is not one labreview has; using {self.theme}")
        if self.config.keymap:
            keymap, problems = checked_keymap(self.config.keymap)
            warnings.extend(problems)
            self.set_keymap(keymap)
        if warnings:
            self._warn_about_config(warnings)
        banner = "DEMO" if self.demo else ("READ-ONLY" if self.read_only else "")
        self.meeting = MeetingState(banner=banner)
        if self.preview is not None:
            self.meeting = _preview_state(self.preview, banner)
        self._quit_on_signals()
        self._open()

    def _warn_about_config(self, warnings: list[str]) -> None:
        """One line about what in config.toml was ignored (never markup: the text is the user's)."""
        where = self.config.path.name if self.config.path else "the config file"
        self.notify(f"{where}: {'; '.join(warnings)}.", severity="warning", timeout=30, markup=False)

    @work(thread=True, exclusive=True, group="keymap", exit_on_error=False)
    def _check_keymap_ids(self) -> None:
        """After the first screen: name keymap entries whose binding id no screen has (a typo does nothing)."""
        unknown = sorted(set(self.config.keymap or {}) - binding_ids())
        if unknown:
            names = ", ".join(repr(name) for name in unknown)
            problem = f"[keymap] {names}: no such binding id (see ? in the app); ignored"
            self.call_from_thread(self._warn_about_config, [problem])

    def _quit_on_signals(self) -> None:
        """A closed terminal (SIGHUP) or a polite kill (SIGTERM) quits as ctrl+q does, so that the portfolio is
        closed and SQLite moves the -wal file's changes into the database file (a plain copy then has them)."""
        import signal

        loop = asyncio.get_running_loop()
        for number in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(number, self._quit_on_signal)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no such signal here
                continue
            self._signals.append((loop, number))

    def _quit_on_signal(self) -> None:
        self.call_later(self.action_quit)  # exactly what ctrl+q does (a field being edited is saved too)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what was frozen when the backlog index loaded can be collected again
        for loop, number in self._signals:
            loop.remove_signal_handler(number)
        self._signals.clear()
        if self.portfolio is not None:
            # The last connection closed: SQLite checkpoints and removes the -wal file.
            self.portfolio.close()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        from labreview.portfolio.service import Portfolio, explain_failure  # deferred: SQLAlchemy after the frame

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
            session = portfolio.active_session()
        except DomainError as exc:  # a storage error carries its cause: say what the file lacks
            failure = exc.message if exc.__cause__ is None else explain_failure(self.target, exc.__cause__)
        except Exception as exc:  # whatever else stops the opening is said, never left at "Opening the portfolio…"
            failure = explain_failure(self.target, exc)
        else:
            self.call_from_thread(self._portfolio_ready, portfolio, session)
            return
        self.call_from_thread(self.exit, None, 2, f"labreview: {failure}")

    # ------------------------------------------------------------------ keys typed ahead

    async def on_event(self, event: events.Event) -> None:
        """Keys are delivered one at a time, each once the app has settled after the one before.

        A person types ahead of the screen. Textual hands a key to whatever has the focus when the key is
        read, so a key typed while a dialog is still being built, or before a focus change asked for by
        the previous key has happened, went to the wrong place (an outcome letter became rationale text,
        a rationale letter chose the outcome). Here every key waits until the screen it will reach is
        mounted and resumed and every message the previous key caused has been handled: it goes where it
        would have gone had the person waited. Order is kept and nothing is dropped, except after a
        refusal (``refuse``). Until the portfolio is open the keys wait for the first screen; only quit
        is taken at once then.
        """
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            if not self.ready.is_set() and isinstance(event, events.Key) and event.key in ("ctrl+q", "ctrl+c"):
                await super().on_event(event)
                return
            if isinstance(event, events.Key) and event.key == "ctrl+j":
                # Enter typed before the terminal was put in raw mode reaches us as a line feed (ICRNL).
                event = events.Key("enter", "\r")
            self._typed.append(event)
            if not self.ready.is_set():
                if isinstance(event, events.Key) and event.key in self._keys_of("backlog") and not self._peeking:
                    self._peeking = True
                    self._peek_backlog()
                return
            self._deliver_when_settled()
            return
        await super().on_event(event)

    def _deliver_when_settled(self) -> None:
        if not self._delivering and self._typed:
            self._delivering = True
            settle(self, self._deliver_next)

    async def _deliver_next(self) -> None:
        """Deliver the oldest typed key as Textual would have, then wait for the app to settle again."""
        if not self._typed or not self.is_running:
            self._delivering = False
            return
        event = self._typed.popleft()
        await super().on_event(event)
        if self._typed:
            settle(self, self._deliver_next)
        else:
            self._delivering = False

    def refuse(self) -> None:
        """Something typed was refused: ring, and drop the keys typed ahead of the refusal (they were typed
        blind, against a screen that has just said no)."""
        self.bell()
        self._typed.clear()

    def _keys_of(self, mode: str) -> set[str]:
        """The keys that open ``mode``'s screen, after the user's keymap."""
        return keys_of(mode, self.config.keymap)

    @work(thread=True, exclusive=True, group="peek", exit_on_error=False)
    def _peek_backlog(self) -> None:
        """The backlog key was pressed while opening: show the top of the backlog, read with sqlite3, meanwhile."""
        from labreview.portfolio.startup import backlog_peek

        found = backlog_peek(self.target, limit=max(1, self.size.height))
        if found is None:
            return
        # Everything but the mount happens here, in this thread: the event loop shares the interpreter
        # with the service layer importing in another thread, and its share is what the user waits on
        # (imported on the event loop, the row and screen modules alone took ~75 ms there).
        from labreview.ui.screens.backlog import BacklogSource

        agenda = {line.key for line in self.preview.agenda} if self.preview else set()
        rows = [_backlog_row(line, found.weights, agenda) for line in found.lines]
        source = BacklogSource(found.total, [], lambda offset, count: rows[offset : offset + count], found.currency)
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

    def _portfolio_ready(self, portfolio: Portfolio, session: SessionView | None) -> None:
        self.portfolio = portfolio
        self.portfolio_name = portfolio.name
        self.session = session
        if session is not None:
            self.current_key = session.current_key or (session.agenda[0].key if session.agenda else None)
        if self.current_key is None:
            self.current_key = portfolio.first_key()
        self._start_item_clock()
        self._update_header()
        self.set_interval(1, self._tick)
        self.switch_mode("agenda" if session is not None else "backlog")
        self.ready.set()
        self._deliver_when_settled()  # the keys typed while opening, once the first screen is up
        self._load_backlog_index()
        self._check_integrity()
        if self.config.keymap:
            self._check_keymap_ids()

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

    @work(thread=True, exclusive=True, group="backlog-index", exit_on_error=False)
    def _load_backlog_index(self) -> None:
        index = self.portfolio.backlog_memory_index()
        self.call_from_thread(self._backlog_index_loaded, index)

    def _backlog_index_loaded(self, index: BacklogIndex) -> None:
        self.backlog_index = index
        self.refresh_backlog_index()
        # What is loaded now (the index's 100,000 keys, Textual, SQLAlchemy) stays until the app quits.
        # Out of the collector's sight, a full collection no longer walks it: at 100,000 initiatives
        # that walk was a 100-200 ms pause in the middle of a keystroke, every few dozen keys.
        gc.collect()
        gc.freeze()
        screen = self.screen
        index_ready = getattr(screen, "index_ready", None)  # the backlog, when on show
        if index_ready is not None:
            index_ready()

    def refresh_backlog_index(self) -> None:
        """Patch the memory index with what changed since it was loaded (cheap: read from the audit log)."""
        if self.backlog_index is not None:
            try:
                self.backlog_index = self.portfolio.backlog_memory_refresh(self.backlog_index)
            except DomainError:
                self.backlog_index = None  # the SQL path serves; the index loads again next start

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted and theme != self.config.theme:
            save_theme(self.config, theme)

    # ------------------------------------------------------------------ state shared by screens

    def changed(self, *, redraw: bool = True) -> None:
        """Data changed: reload the session and let the visible screen redraw.

        Screens that are not on show redraw when they are shown again (``on_screen_resume``).
        """
        if redraw and self.session is not None:
            self.session = self.portfolio.session(self.session.quarter)
        self._update_header()
        if redraw:
            self.revision += 1

    def open_item(self, key: str, mode: str | None = "scorecard") -> None:
        """Look at ``key`` (and remember it as the meeting's current item when it is on the agenda)."""
        if key != self.current_key:
            self._stop_item_clock()
            self.current_key = key
            if self._on_agenda(key) and self.session is not None and not self.read_only:
                try:  # bookkeeping (where a restart resumes): a locked or full file must not end the meeting
                    self.portfolio.set_current_item(self.session.quarter, key)
                except DomainError as exc:
                    self.say(f"{exc.message} (The item is open; where the meeting is was not saved.)", error=True)
            self._start_item_clock()
            self._update_header()
        if mode is not None:
            self.action_goto(mode)

    def _on_agenda(self, key: str | None) -> bool:
        return self.session is not None and any(e.key == key for e in self.session.agenda)

    def say(self, message: str, *, error: bool = False) -> None:
        screen = self.screen
        if isinstance(screen, MeetingScreen):
            screen.say(message, error=error)
        else:
            self.notify(message, severity="error" if error else "information")

    # ------------------------------------------------------------------ actions

    def action_goto(self, mode: str) -> None:
        if mode not in self.MODES or self.portfolio is None or self._quitting:
            return
        if self.current_mode != mode:
            self._history.append(self.current_mode)
            del self._history[:-20]
            self.switch_mode(mode)

    def action_back(self) -> None:
        if self._history and not self._quitting:
            self.switch_mode(self._history.pop())

    def action_step(self, delta: int) -> None:
        """Move through the agenda; from the agenda or backlog, open the item's scorecard."""
        if self.session is None or not self.session.agenda:
            self.say("There is no agenda; put initiatives on it from the backlog with space.", error=True)
            return
        agenda = self.session.agenda
        position = self.session.position_of(self.current_key)
        if position is None:
            target = 0 if delta > 0 else len(agenda) - 1
        else:
            target = position + delta
        if not 0 <= target < len(agenda):
            self.say("That was the last agenda item." if delta > 0 else "This is the first agenda item.")
            return
        stay = self.current_mode in ("scorecard", "gates", "access")
        self.open_item(agenda[target].key, None if stay else "scorecard")

    def action_decide(self) -> None:
        if self.portfolio is None:
            return
        key = self.current_key
        chosen = getattr(self.screen, "highlighted_key", None)  # the backlog decides the row under the cursor
        if callable(chosen):
            key = chosen() or key
        if key is None:
            return
        if self.session is None:
            self.say("Decisions are recorded in a session; plan one first.", error=True)
            return
        if self.session.status.value != "open":  # said before anything is typed, not after the whole dialog
            if self.session.status.value == "planned":
                self.say(f"Start the {self.session.quarter} session (S on the agenda) before deciding.", error=True)
            else:
                self.say(f"The {self.session.quarter} session has ended; its decisions are final.", error=True)
            return
        try:
            initiative = self.portfolio.initiative(key)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        from labreview.ui.screens.decision import DecisionDialog

        self.push_screen(DecisionDialog(initiative, self.session), self._decided)

    def _decided(self, decision) -> None:
        if decision is None:
            return
        self.changed()
        arrow = ""
        if decision.stage_after is not decision.stage_before:
            arrow = f" ({decision.stage_before.label} → {decision.stage_after.label})"
        self.say(f"Recorded: {decision.outcome.label} for {decision.key}{arrow}. ctrl+z undoes it.")

    def action_undo(self) -> None:
        if self.portfolio is None:
            return
        try:
            summary = self.portfolio.undo()
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        self.changed()
        self.say(f"Undone: {summary}")

    def action_minutes(self) -> None:
        """Preview the minutes of the session, then write them to a file."""
        from labreview.ui.screens.minutes import MinutesScreen

        if self.session is None:
            self.say("There is no session to write minutes of.", error=True)
            return
        self._save_clock()  # the running item's time spent, to the second, in the draft
        self.push_screen(MinutesScreen(self.session.quarter))

    def action_digit_hint(self) -> None:
        """A digit where nothing is scored: say where scoring happens instead of doing nothing."""
        if isinstance(self.screen, MeetingScreen):
            self.say("Digits score on the scorecard: press s (or enter on an item) first.", error=True)

    def action_keys(self) -> None:
        from labreview.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        keep_typed = getattr(self.screen, "keep_typed", None)  # a field being edited is saved, not lost
        if callable(keep_typed):
            keep_typed()
        self._quitting = True  # a command still on its way (a palette's) must not open a screen while closing
        self._typed.clear()
        self._stop_item_clock()
        self.exit()

    # ------------------------------------------------------------------ session

    def start_session(self) -> None:
        if self.session is None:
            self.say("There is no session to start.", error=True)
            return
        if self.session.status.value == "planned" and not self.session.agenda:
            self.say(
                f"The {self.session.quarter} agenda is empty, so the session was not started: "
                "put items on it from the backlog (b, then space) first.",
                error=True,
            )
            return
        try:
            self.session = self.portfolio.start_session(self.session.quarter)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        if self.session.current_key:
            self.current_key = self.session.current_key
        self._start_item_clock()
        self.changed()
        self.say(f"The {self.session.quarter} session has started.")

    def end_session(self) -> None:
        if self.session is None:
            return
        self._stop_item_clock()
        try:
            self.session = self.portfolio.end_session(self.session.quarter)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        self.changed()
        self.say(f"The {self.session.quarter} session has ended; export the minutes from Outcomes.")

    def plan_next_session(self) -> None:
        """Plan the quarter after the latest session: a dialog for its date, facilitator and attendees.

        The service carries items over onto its agenda and proposes its budget from quarterly costs.
        """
        from labreview.domain.vocabulary import Quarter
        from labreview.ui.screens.plan_session import PlanSessionDialog

        sessions = self.portfolio.sessions()
        latest = sessions[-1] if sessions else None
        quarter = Quarter.parse(latest.quarter).next() if latest else Quarter.of(self.portfolio.today())
        people = self._people_choices()
        if not any(p.role for p in people):
            self.say("There is no review board in this portfolio yet, so there is nobody to attend.", error=True)
            return
        facilitator = latest.facilitator.id if latest else None
        attendees = [p.id for p in latest.attendees] if latest else []
        default = quarter.first_day + dt.timedelta(days=52)

        def create(plan) -> None:
            if plan is None:
                return
            try:
                view = self.portfolio.plan_session(
                    str(quarter),
                    held_on=plan.held_on,
                    facilitator=plan.facilitator_id,
                    attendees=plan.attendee_ids,
                    timebox_minutes=self.config.timebox_minutes,
                )
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.session = self.portfolio.active_session()
            self.changed()
            carried = sum(1 for e in view.agenda if e.carried_reason)
            self.say(
                f"Planned the {quarter} review on {plan.held_on.isoformat()}: {carried} items carried over "
                "(space on the agenda takes one off); add more from the backlog."
            )

        self.push_screen(
            PlanSessionDialog(str(quarter), people, held_on=default, facilitator=facilitator, attendees=attendees),
            create,
        )

    def edit_attendance(self) -> None:
        """Who attends the session (late arrivals): each toggle is one audited change."""
        from labreview.ui.screens.plan_session import AttendanceDialog

        if self.session is None:
            self.say("There is no session yet: plan one first (ctrl+p, session: plan next).", error=True)
            return
        quarter = self.session.quarter

        def toggle(person_id: int, present: bool) -> bool:
            try:
                self.session = self.portfolio.set_attendance(quarter, person_id, present)
            except DomainError as exc:
                self.say(exc.message, error=True)
                return False
            self.changed()
            return True

        attendees = [p.id for p in self.session.attendees]
        self.push_screen(AttendanceDialog(quarter, self._people_choices(), attendees, toggle))

    def edit_weights(self) -> None:
        """The board sets the portfolio's scoring weights (one audited change); the scorecard shows them."""
        from labreview.domain.scoring import format_weights
        from labreview.ui.screens.prompt import PromptDialog

        def save(answer: str | None) -> None:
            if answer is None:
                return
            try:
                weights = self.portfolio.set_weights(answer)
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.changed()
            self.say(f"Scoring weights: {format_weights(weights)}")

        self.push_screen(
            PromptDialog(
                "Scoring weights of the portfolio (criterion=number; criteria left out weigh 1):",
                value=format_weights(self.portfolio.weights),
                required="Write at least one criterion=number.",
            ),
            save,
        )

    def _people_choices(self):
        from labreview.ui.screens.plan_session import PersonChoice

        people = self.portfolio.people()
        people.sort(key=lambda p: (p.role is None, p.name))
        return [PersonChoice(p.id, p.name, p.role.label if p.role else "") for p in people]

    # ------------------------------------------------------------------ timebox clock

    def _clock_runs(self) -> bool:
        return (
            self.session is not None
            and self.session.status.value == "open"
            and self._on_agenda(self.current_key)
            and not self.read_only
        )

    def _start_item_clock(self) -> None:
        entry = self._entry()
        self._item_base = entry.spent_seconds if entry else 0
        self._unsaved = 0.0
        self._item_started = self._monotonic() if self._clock_runs() else None

    def _stop_item_clock(self) -> None:
        self._save_clock()
        self._item_started = None

    def _elapsed(self) -> float:
        if self._item_started is None:
            return self._item_base + self._unsaved
        return self._item_base + self._unsaved + (self._monotonic() - self._item_started)

    def _save_clock(self) -> None:
        if self._item_started is None or self.session is None or self.current_key is None:
            return
        now = self._monotonic()
        self._unsaved += now - self._item_started
        self._item_started = now
        whole = int(self._unsaved)
        if whole <= 0:
            return
        try:
            self.portfolio.add_time(self.session.quarter, self.current_key, whole)
        except DomainError:
            return  # keep counting; the next flush tries again
        self._unsaved -= whole
        self._item_base += whole

    def _tick(self) -> None:
        self._ticks += 1
        if self._item_started is not None and self._ticks % FLUSH_EVERY == 0:
            self._save_clock()
        self._update_header()

    def _entry(self):
        if self.session is None:
            return None
        return next((e for e in self.session.agenda if e.key == self.current_key), None)

    def _update_header(self) -> None:
        session = self.session
        entry = self._entry()
        banner = "DEMO" if self.demo else ("READ-ONLY" if self.read_only else "")
        self.meeting = MeetingState(
            portfolio=self.portfolio_name,
            quarter=session.quarter if session else None,
            status=session.status.value if session else None,
            position=(session.position_of(self.current_key) or 0) + 1 if entry else None,
            total=len(session.agenda) if session else 0,
            key=self.current_key,
            elapsed=int(self._elapsed()) if entry else 0,
            timebox=entry.timebox_seconds if entry else 0,
            running=self._item_started is not None,
            banner=banner,
        )


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
QUIT_KEY = "ctrl+q"


def _is_key(key: str) -> bool:
    """Whether ``key`` names a key Textual can bind (``m``, ``f5``, ``ctrl+x``, ``question_mark``)."""
    from textual.keys import Keys, key_to_character

    *modifiers, base = key.split("+")
    if not base or not set(modifiers) <= MODIFIERS:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    names = {k.value.split("+")[-1] for k in Keys} | {"enter", "space", "tab", "backspace", "delete"}
    return base in names or key_to_character(base) is not None


def checked_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap without what cannot work: keys that are not keys, and ctrl+q (which always quits)."""
    kept: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        usable = []
        for key in (k.strip() for k in keys.split(",")):
            if not _is_key(key):
                problems.append(f"[keymap] {binding_id!r}: {key!r} is not a key; ignored")
            elif key == QUIT_KEY:
                problems.append(f"[keymap] {binding_id!r}: ctrl+q always quits; ignored")
            else:
                usable.append(key)
        if usable:
            kept[binding_id] = ",".join(usable)
    return kept, problems


def binding_ids() -> set[str]:
    """Every binding id of the app and its screens and widgets (imports the screens: call after the first frame)."""
    import pkgutil

    import labreview.ui.screens
    import labreview.ui.widgets

    modules = [importlib.import_module(__name__)]
    for package in (labreview.ui.screens, labreview.ui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    found: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            for binding in getattr(value, "BINDINGS", None) or () if isinstance(value, type) else ():
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found


def make_app(
    target: str | Path,
    *,
    config: Config | None = None,
    read_only: bool = False,
    demo: bool = False,
    clock: Callable[[], dt.datetime] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    checked: bool = False,
    preview: FirstScreen | None = None,
) -> LabReviewApp:
    """Build the app on the portfolio database at ``target``; ``checked`` when the caller has run ``prepare``,
    ``preview`` to paint the agenda in the first frame, before the service layer has loaded."""
    return LabReviewApp(
        target,
        config=config,
        read_only=read_only,
        demo=demo,
        clock=clock,
        monotonic=monotonic,
        checked=checked,
        preview=preview,
    )


def _preview_state(preview: FirstScreen, banner: str) -> MeetingState:
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


def _agenda_preview(preview: FirstScreen) -> Table:
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


def _backlog_row(line: BacklogLine, weights: Mapping[Criterion, object], agenda: set[str]) -> BacklogRow:
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

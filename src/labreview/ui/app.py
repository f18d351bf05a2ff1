"""The Textual app: the meeting frame, app-wide actions and the session's course.

``make_app`` builds it from explicit arguments for the command line, Pilot tests
and snapshot tests alike. The first frame is painted before the store is
imported: a worker opens the portfolio and then shows the first screen (``opening``).
The screens are listed in ``navigation``, the item clock is ``timebox``, keys typed
ahead wait in ``typeahead``; what screens use of the app is written down in ``host``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import reactive, var

from labreview.config import Config, save_theme
from labreview.domain.errors import DomainError, StorageError
from labreview.ui.commands import LabReviewCommands
from labreview.ui.feed import FEED_EVERY, ChangeFeed
from labreview.ui.host import KeepsTyped, PicksItem
from labreview.ui.keymap import binding_ids, checked_keymap
from labreview.ui.messages import PortfolioOpened
from labreview.ui.navigation import PLACES, modes
from labreview.ui.opening import Opening, preview_state
from labreview.ui.planning import Planning
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.shared_clock import SharedClock
from labreview.ui.signals import on_hangup_or_term
from labreview.ui.timebox import Timebox
from labreview.ui.typeahead import TypeAhead
from labreview.ui.widgets.footer import Footer
from labreview.ui.widgets.meeting_header import MeetingHeader, MeetingState

if TYPE_CHECKING:
    from labreview.portfolio.backlog import Backlog
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.startup import FirstScreen
    from labreview.portfolio.views import SessionView


class LabReviewApp(TypeAhead, Opening, Planning, ChangeFeed, SharedClock, App[None]):
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
        self.portfolio: Portfolio = None  # type: ignore[assignment] - set by on_portfolio_opened before any screen shows
        self.session: SessionView | None = None
        self.backlog: Backlog = None  # type: ignore[assignment] - set with the portfolio, by on_portfolio_opened
        """The backlog's views: SQL until its memory index has loaded in the background after start-up."""
        self.portfolio_name = "labreview"
        self.ready = asyncio.Event()
        """Set once the portfolio is open and the first screen is shown (tests wait on it)."""
        self._history: list[str] = []
        self._quitting = False
        self.timebox = Timebox(monotonic, self._add_time)
        """The current agenda item's clock, saved through ``_add_time``."""
        self._forget_signals: Callable[[], None] = lambda: None
        """Takes away the signal handlers this app added to the event loop (when it ends)."""

    # ------------------------------------------------------------------ start-up

    def compose(self) -> ComposeResult:
        yield MeetingHeader()
        yield self.opening_area()
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
            self.meeting = preview_state(self.preview, banner)
        # A closed terminal or a polite kill quits as ctrl+q does, so that the portfolio is closed and SQLite
        # moves the -wal file's changes into the database file (a plain copy then has them).
        self._forget_signals = on_hangup_or_term(self._quit_on_signal)
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

    def _quit_on_signal(self) -> None:
        self.call_later(self.action_quit)  # exactly what ctrl+q does (a field being edited is saved too)

    def on_unmount(self) -> None:
        gc.unfreeze()  # what was frozen when the backlog index loaded can be collected again
        self._forget_signals()
        if self.portfolio is not None:
            self.release_clock()
            # The last connection closed: SQLite checkpoints and removes the -wal file.
            self.portfolio.close()

    def on_portfolio_opened(self, message: PortfolioOpened) -> None:
        portfolio, session = message.portfolio, message.session
        self.portfolio, self.backlog = portfolio, message.backlog
        self.portfolio_name = portfolio.name
        self.session = session
        self.seen_event = message.seen
        if session is not None:
            self.current_key = session.current_key or (session.agenda[0].key if session.agenda else None)
        if self.current_key is None:
            self.current_key = portfolio.first_key()
        self._start_item_clock()
        self._update_header()
        self.set_interval(1, self._tick)
        self.set_interval(FEED_EVERY, self.follow_feed)  # another process's changes, within a fraction of a second
        self.switch_mode("agenda" if session is not None else "backlog")
        self.ready.set()
        self._deliver_when_settled()  # the keys typed while opening, once the first screen is up
        self._load_backlog_index()
        self._check_integrity()
        if self.config.keymap:
            self._check_keymap_ids()

    def watch_theme(self, theme: str) -> None:
        if self.is_mounted and theme != self.config.theme:
            save_theme(self.config, theme)
        if self.is_mounted and self.portfolio is not None:  # text built in Python takes the theme's colours (tones.py)
            self.changed()

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
            self.timebox.stop()
            self.current_key = key
            if self._on_agenda(key) and self.session is not None and not self.read_only and self.holding is not False:
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

    async def _dispatch_action(self, namespace, action_name, params) -> bool:
        """Run an action; a database that went away while it read (a server restarted, a disk failed) is said on
        the message line, and the meeting goes on: the next key tries again."""
        try:
            return await super()._dispatch_action(namespace, action_name, params)
        except StorageError as exc:
            self.say(exc.message, error=True)
            return True

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
        if isinstance(self.screen, PicksItem):  # the backlog decides the row under the cursor
            key = self.screen.highlighted_key() or key
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
        from labreview.ui.dialogs.decision import DecisionDialog

        self.push_screen(DecisionDialog(initiative, self.session), self._decided)

    def _decided(self, decision) -> None:
        if decision is None:
            return
        self.changed()
        arrow = ""
        if decision.stage_after is not decision.stage_before:
            arrow = f" ({decision.stage_before.label} → {decision.stage_after.label})"
        into = f" into {decision.absorbed_by}" if decision.absorbed_by else ""
        signed = f", signed off by {decision.signed_off_by}" if decision.signed_off_by else ""
        self.say(f"Recorded: {decision.outcome.label} for {decision.key}{into}{arrow}{signed}. ctrl+z undoes it.")

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
        self.timebox.flush()  # the running item's time spent, to the second, in the draft
        self.push_screen(MinutesScreen(self.session.quarter))

    def action_digit_hint(self) -> None:
        """A digit where nothing is scored: say where scoring happens instead of doing nothing."""
        if isinstance(self.screen, MeetingScreen):
            self.say("Digits score on the scorecard: press s (or enter on an item) first.", error=True)

    def action_keys(self) -> None:
        from labreview.ui.dialogs.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        if isinstance(self.screen, KeepsTyped):  # a field being edited is saved, not lost
            self.screen.keep_typed()
        self._quitting = True  # a command still on its way (a palette's) must not open a screen while closing
        self._typed.clear()
        self.timebox.stop()
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
        self.timebox.stop()
        try:
            self.session = self.portfolio.end_session(self.session.quarter)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        self.changed()
        self.say(f"The {self.session.quarter} session has ended; export the minutes from Outcomes.")

    # ------------------------------------------------------------------ timebox clock

    def _clock_runs(self) -> bool:
        return (
            self.session is not None
            and self.session.status.value == "open"
            and self._on_agenda(self.current_key)
            and not self.read_only
            and self.holding is not False  # another app holds the meeting's clock: it counts
        )

    def _start_item_clock(self) -> None:
        entry = self._entry()
        self.timebox.start(entry.spent_seconds if entry else 0, running=self._clock_runs())

    def _add_time(self, seconds: int) -> bool:
        """The timebox's save: ``seconds`` more spent on the current item (False when it could not be stored)."""
        if self.session is None or self.current_key is None:
            return False
        if self.holding is False:
            return True  # the app holding the clock counts this time; saved here too it would count twice
        try:
            self.portfolio.add_time(self.session.quarter, self.current_key, seconds)
        except DomainError:
            return False
        return True

    def _tick(self) -> None:
        self.timebox.tick()
        self.beat_clock()
        self._update_header()
        self.follow_feed()  # also asked every FEED_EVERY seconds; one question at a time

    def clock_changed_hands(self) -> None:
        """This app took the meeting's clock over, or found another app holding it: start again from what is stored."""
        self.timebox.stop()
        if self.session is not None:
            self.changed()
        self._start_item_clock()

    def _entry(self):
        if self.session is None:
            return None
        return next((e for e in self.session.agenda if e.key == self.current_key), None)

    def _update_header(self) -> None:
        session = self.session
        entry = self._entry()
        banner = "DEMO" if self.demo else ("READ-ONLY" if self.read_only else "")
        followed = self.followed_clock(self.current_key) if entry else None
        self.meeting = MeetingState(
            portfolio=self.portfolio_name,
            quarter=session.quarter if session else None,
            status=session.status.value if session else None,
            position=(session.position_of(self.current_key) or 0) + 1 if entry else None,
            total=len(session.agenda) if session else 0,
            key=self.current_key,
            elapsed=int(followed[0] if followed else self.timebox.elapsed()) if entry else 0,
            timebox=entry.timebox_seconds if entry else 0,
            running=followed[1] if followed else self.timebox.running,
            banner=banner,
        )


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

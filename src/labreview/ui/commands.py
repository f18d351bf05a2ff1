"""The command palette (ctrl+p): "verb: object" entries for everything that has no key of its own."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from labreview.domain.errors import DomainError
from labreview.ui.host import Host, TakesView, host
from labreview.ui.navigation import PLACES
from labreview.ui.typeahead import settle
from labreview.ui.widgets.text import safe

if TYPE_CHECKING:
    from labreview.portfolio.saved_views import SavedView

_SAID: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()
"""Per open portfolio, what was said about its stored saved views (a malformed value is said once)."""


class LabReviewCommands(Provider):
    """Screens, session, agenda and initiative jumps; initiatives are searched in the database."""

    @property
    def lab(self) -> Host:
        return host(self.app)

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        lab = self.lab
        commands: list[tuple[str, Callable[[], object], str]] = [
            (f"open: {p.label.lower()}", partial(lab.action_goto, p.mode), f"{p.tooltip} (key {p.key})") for p in PLACES
        ]
        session = lab.session
        if session is not None:
            if session.status.value == "planned":
                commands.append(
                    (
                        f"session: start {session.quarter}",
                        lab.start_session,
                        "Open the session: scores and decisions are recorded in it",
                    )
                )
            if session.status.value == "open":
                commands.append((f"session: end {session.quarter}", lab.end_session, "Close the session's record"))
                item = lab.current_key or "the current item"
                commands.extend(
                    [
                        (
                            f"score: in secret ({item})",
                            partial(self._on_scorecard, "secret"),
                            "Scores stay hidden until the reveal; members score from their seats (key V on Scorecard)",
                        ),
                        (
                            f"score: reveal ({item})",
                            partial(self._on_scorecard, "reveal"),
                            "Show the secret scores, spread and contested criteria at once (key U on Scorecard)",
                        ),
                    ]
                )
        commands.extend(
            [
                ("session: plan next", lab.plan_next_session, "Plan the next quarterly review"),
                ("session: attendance", lab.edit_attendance, "Who attends the session (late arrivals)"),
                ("weights: set", lab.edit_weights, "The board sets the portfolio's scoring weights (audited)"),
                (
                    "edit: stabilisation plan",
                    partial(self._on_screen, "gates", "edit_plan"),
                    "The 90-day plan a tool gets when it enters the factory (key P on Gates)",
                ),
                ("agenda: next item", partial(lab.action_step, 1), "Open the next agenda item (key n)"),
                ("agenda: previous item", partial(lab.action_step, -1), "Open the previous agenda item (key p)"),
                ("decide: current initiative", lab.action_decide, "Record the board's decision (key d)"),
                (
                    "export: minutes",
                    lab.action_minutes,
                    "Preview the session's minutes and write them (key e on Outcomes)",
                ),
                ("undo: last change", lab.action_undo, "Undo your last change (ctrl+z)"),
                ("theme: change", lab.search_themes, "Pick another colour theme (remembered)"),
                ("keys: show", lab.action_keys, "The keys of this screen (?)"),
            ]
        )
        commands.extend(self._view_commands())
        return commands

    def _on_scorecard(self, action: str) -> None:
        self._on_screen("scorecard", action)

    def _on_screen(self, mode: str, action: str) -> None:
        """Show the screen of ``mode``, then run ``action`` there once it is up (a screen shown for the first time
        mounts after this call returns)."""
        app = self.app
        self.lab.action_goto(mode)

        async def then() -> None:
            if app.current_mode == mode:
                await app.screen.run_action(action)

        settle(app, then)

    def _view_commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """The backlog's saved views (shared through the portfolio): apply one, or delete it."""
        lab = self.lab
        try:
            saved = lab.portfolio.saved_views()
        except DomainError:
            return []
        said = _SAID.setdefault(lab.portfolio, set())
        if saved.problem and saved.problem not in said:
            said.add(saved.problem)
            lab.say(saved.problem, error=True)
        commands: list[tuple[str, Callable[[], object], str]] = []
        for view in saved.views:
            name = safe(view.name)  # a stored name is text: no markup, no escapes reach the terminal
            shown = safe(view.filter) or "no filter"
            order = f"{view.column}{' descending' if view.descending else ''}{', grouped' if view.group else ''}"
            commands.append((f"view: {name}", partial(self._apply_view, view), f"Backlog: {shown} · by {order}"))
            commands.append((f"delete view: {name}", partial(self._delete_view, view), "Delete this saved view"))
        return commands

    def _apply_view(self, view: SavedView) -> None:
        self.lab.action_goto("backlog")
        screen = self.app.screen
        if isinstance(screen, TakesView):
            screen.apply_view(view)

    def _delete_view(self, view: SavedView) -> None:
        try:
            self.lab.portfolio.delete_view(view.name)
        except DomainError as exc:
            self.lab.say(exc.message, error=True)
            return
        self.lab.changed(redraw=False)
        self.lab.say(f"Deleted the view “{view.name}”.")

    async def discover(self) -> Hits:
        if self.lab.portfolio is None:
            return
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        if self.lab.portfolio is None:
            return
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlighted(matcher, title), callback, text=title, help=Content(help_text))
        words = query.strip()
        if len(words) < 2:
            return
        found = await asyncio.to_thread(self.lab.portfolio.find_initiatives, words, 12)
        for rank, (key, title, stage) in enumerate(found):
            text = f"jump: {key} {safe(title)}"  # a stored title is text: no markup, no escapes reach the terminal
            yield Hit(
                max(0.1, 0.9 - rank * 0.05),
                _highlighted(matcher, text),
                partial(self.lab.open_item, key),
                text=text,
                help=f"{safe(stage)} · open its scorecard",
            )


def _highlighted(matcher: Matcher, text: str) -> Content:
    """``text`` as plain content with the query's letters highlighted (``Matcher.highlight`` reads markup)."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content

"""The command palette (ctrl+p): "verb: object" entries for everything that has no key of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from labreview.ui.host import Host, host
from labreview.ui.navigation import PLACES
from labreview.ui.typeahead import settle
from labreview.ui.widgets.text import safe


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

    async def discover(self) -> Hits:
        if self.lab.portfolio is None:
            return
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        if self.lab.portfolio is None:
            return
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
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

"""Waiting until the app has settled, so that the next key typed ahead reaches what a person would see.

Textual handles a key by forwarding it to whatever has the focus at that moment; what a key causes (a
dialog pushed, the focus moved, a screen resumed, a search run) happens later, in messages and callbacks
queued on the app and its widgets. ``settle`` waits for all of that, with the same public means Textual's
own Pilot uses between two key presses (``call_later`` on every node: each runs after what was queued
before it), and for the screen's workers (the command palette searches in one), then calls back.

One round of callbacks is not enough: a key the focused widget does not handle bubbles to its parent as
a new message, queued behind the parent's callback. So there are at least as many rounds as the focused
widget has ancestors (each round lets the key climb one level), two more for what the handler asked for
(a focus change is a callback on the app, whose blur and focus events are messages again), and rounds go
on until one changes neither the screen, nor the focus, nor the number of widgets.

``TypeAhead`` (a mixin of the app) holds the keys typed and not yet delivered and hands them on one at a
time, each once the app has settled after the one before.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App
from textual.worker import WorkerState

LIMIT = 3.0
"""Seconds after which the next key goes ahead anyway (a widget stuck in a long task must not swallow typing)."""
POLL = 0.01
"""Seconds between looks at a screen whose workers are still running."""
ROUNDS = 50


def settle(app: App, then: Callable[[], Awaitable[None] | None], *, limit: float = LIMIT) -> None:
    """Call ``then`` on the app's loop once the app and its current screen have handled everything queued."""
    deadline = time.monotonic() + limit
    focused = app.focused
    least = (len(focused.ancestors_with_self) if focused is not None else 1) + 2
    _round(app, then, deadline, 0, least)


def _shape(app: App) -> tuple[object, ...]:
    screen = app.screen
    return (id(screen), id(app.focused), sum(1 for _ in screen.walk_children(with_self=True)))


def _busy(app: App) -> bool:
    """A worker of the screen on show is still running (a search, a load the screen waits on)."""
    nodes = set(app.screen.walk_children(with_self=True))
    return any(
        worker.state in (WorkerState.PENDING, WorkerState.RUNNING) and worker.node in nodes for worker in app.workers
    )


def _round(app: App, then: Callable[[], Awaitable[None] | None], deadline: float, rounds: int, least: int) -> None:
    before = _shape(app)
    nodes = [app, *app.screen.walk_children(with_self=True)]
    pending = 0

    async def check() -> None:
        if time.monotonic() < deadline and rounds < ROUNDS:
            if _busy(app):
                app.set_timer(POLL, lambda: _round(app, then, deadline, rounds + 1, least))
                return
            if rounds + 1 < least or _shape(app) != before:  # not yet quiet: another round
                _round(app, then, deadline, rounds + 1, least)
                return
        result = then()
        if result is not None:
            await result

    def one_done() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            app.call_later(check)

    for node in nodes:
        if node.call_later(one_done):
            pending += 1
    if pending == 0:
        app.call_later(check)


class TypeAhead:
    """Keys are delivered one at a time, each once the app has settled after the one before (a mixin of the app)."""

    def __init__(self) -> None:
        super().__init__()
        self._typed: deque[events.Key | events.Paste] = deque()
        """Keys (and pastes) typed and not yet delivered: see ``on_event``."""
        self._delivering = False

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
                self._typed_while_opening(event)
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

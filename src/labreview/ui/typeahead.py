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
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

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

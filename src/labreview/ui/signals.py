"""A closed terminal (SIGHUP) or a polite kill (SIGTERM) handled on the app's event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def on_hangup_or_term(callback: Callable[[], object]) -> Callable[[], None]:
    """Call ``callback`` on the running loop when SIGHUP or SIGTERM arrives; returns what takes the handlers away.

    Where signals cannot be handled (not the main thread, no such signal here) nothing is added.
    """
    import signal

    loop = asyncio.get_running_loop()
    added: list[int] = []
    for number in (signal.SIGHUP, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, callback)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no such signal here
            continue
        added.append(number)

    def remove() -> None:
        for number in added:
            loop.remove_signal_handler(number)
        added.clear()

    return remove

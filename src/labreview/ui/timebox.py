"""The item clock: how long the meeting has spent on the current agenda item, saved as it runs.

Plain Python (no Textual): monotonic time comes in through a callable, whole seconds go out through
``save``. The app starts it on an item, ticks it once a second and stops it when the item changes; a
save that fails (a locked file) keeps the seconds and tries again at the next flush.
"""

from __future__ import annotations

from collections.abc import Callable

FLUSH_EVERY = 15
"""Ticks (seconds) between saves of the running clock."""


class Timebox:
    """One agenda item's clock: the seconds stored before it started plus what has run since."""

    def __init__(self, monotonic: Callable[[], float], save: Callable[[int], bool]) -> None:
        """``save(seconds)`` adds whole seconds to the item's stored time; it returns False when it could not."""
        self._monotonic = monotonic
        self._save = save
        self._started: float | None = None
        self._base = 0
        self._unsaved = 0.0
        self._ticks = 0

    @property
    def running(self) -> bool:
        return self._started is not None

    def start(self, spent: int, *, running: bool) -> None:
        """Show ``spent`` seconds (what is stored for the item); count on from now when ``running``."""
        self._base = spent
        self._unsaved = 0.0
        self._started = self._monotonic() if running else None

    def stop(self) -> None:
        """Save what has run and stop counting."""
        self.flush()
        self._started = None

    def elapsed(self) -> float:
        """Seconds spent on the item: stored, counted but not yet stored, and running."""
        if self._started is None:
            return self._base + self._unsaved
        return self._base + self._unsaved + (self._monotonic() - self._started)

    def flush(self) -> None:
        """Save the whole seconds counted so far (the fraction waits for the next flush)."""
        if self._started is None:
            return
        now = self._monotonic()
        self._unsaved += now - self._started
        self._started = now
        whole = int(self._unsaved)
        if whole <= 0:
            return
        if not self._save(whole):
            return  # keep counting; the next flush tries again
        self._unsaved -= whole
        self._base += whole

    def tick(self) -> None:
        """Once a second: every ``FLUSH_EVERY`` ticks the running clock is saved."""
        self._ticks += 1
        if self._started is not None and self._ticks % FLUSH_EVERY == 0:
            self.flush()

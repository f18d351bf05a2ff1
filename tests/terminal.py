"""Drive the real ``labreview`` command in a pseudo-terminal and read its screen (pexpect + pyte).

Used by the crash-safety soak and the read-only end-to-end test. The screen is
read only when the app has been quiet for a moment, so that a half-drawn frame
is never taken for what a person saw.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pexpect
import pyte

ROWS, COLS = 40, 150
KEYS = {"enter": "\r", "escape": "\x1b", "ctrl+z": "\x1a", "ctrl+q": "\x11"}
CLOCK = re.compile(r"\d\d:\d\d")
"""The meeting header's item clock (``mm:ss``), which redraws every second while a session runs."""


class Terminal:
    """One run of ``python -m labreview ARGS`` on a virtual 150×40 screen."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: dict[str, str],
        prefix: Sequence[str] = (),
        rows: int = ROWS,
        cols: int = COLS,
    ) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        command = [*prefix, sys.executable, "-m", "labreview", *args]
        environment = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **env}
        environment.pop("TEXTUAL", None)
        # The pty's size is the screen's: an inherited COLUMNS/LINES (pytest-xdist's workers have 80 and 24)
        # would override it in Textual, and the app would draw for a smaller screen than the one read here.
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        self.child = pexpect.spawn(command[0], command[1:], env=environment, dimensions=(rows, cols))
        self.started = time.monotonic()
        self.exited = False

    # ----------------------------------------------------------------- reading

    def pump(self, seconds: float = 0.05) -> bool:
        """Read what the app wrote for up to ``seconds``; False once nothing came in that time."""
        try:
            data = self.child.read_nonblocking(1 << 16, timeout=seconds)
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            self.exited = True
            return False
        self.raw.extend(data)
        self.stream.feed(data)
        return True

    def settle(self, quiet: float = 0.25, limit: float = 10.0) -> str:
        """Read until the app has written nothing for ``quiet`` seconds; return the screen."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.exited:
            if not self.pump(quiet):
                break
        return self.text()

    def settle_screen(self, quiet: float = 1.5, limit: float = 60.0, ignore: re.Pattern[str] = CLOCK) -> str:
        """Read until the screen, less what matches ``ignore`` (the ticking item clock), has not changed for
        ``quiet`` seconds; return the screen. (``settle`` waits for silence, which a running clock that
        redraws every second never gives: it would always wait its whole ``limit``.)"""
        deadline = time.monotonic() + limit
        seen = ignore.sub("", self.text())
        changed = time.monotonic()
        while time.monotonic() < deadline and not self.exited:
            self.pump(0.05)
            now = ignore.sub("", self.text())
            if now != seen:
                seen, changed = now, time.monotonic()
            elif time.monotonic() - changed >= quiet:
                break
        return self.text()

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def wait_for(self, wanted: str | re.Pattern[str] | Callable[[str], object], timeout: float = 20.0):
        """Pump until the screen shows ``wanted`` (text, regex or predicate); the match, or None on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.exited:
            found = self._find(wanted)
            if found:
                return found
            self.pump(0.05)
        return self._find(wanted)

    def _find(self, wanted):
        screen = self.text()
        if isinstance(wanted, str):
            return wanted if wanted in screen else None
        if isinstance(wanted, re.Pattern):
            return wanted.search(screen)
        return wanted(screen)

    # ----------------------------------------------------------------- writing

    def press(self, *keys: str) -> None:
        for key in keys:
            self.child.send(KEYS.get(key, key))

    # ----------------------------------------------------------------- ending

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        if self.child.isalive():
            os.kill(self.child.pid, signal.SIGKILL)
        self.child.close(force=True)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)


def config_file(folder: Path, actor: str = "Kim Novak") -> Path:
    path = folder / "config.toml"
    path.write_text(f'actor = "{actor}"\n', encoding="utf-8")
    return path

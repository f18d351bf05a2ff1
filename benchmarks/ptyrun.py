"""Launch a terminal app in a pseudo-terminal and time when given text first appears on its screen.

The clock starts just before the process is spawned and stops when the text is
read back from the terminal, so a time includes interpreter start-up, imports,
the app's work and Textual writing the frame. The output is read as the
terminal would receive it; escape sequences are dropped and the remaining text
searched (Textual writes a cell's text contiguously, so a word on screen is a
substring of the stream).
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # two-byte sequences
    r"|\x1b[()][0-9A-Za-z]"  # charset selection
)
QUIT = b"\x11"  # ctrl+q


@dataclass(frozen=True)
class Step:
    """Wait until any of ``needles`` is on screen; then write ``send`` (keys) to the terminal."""

    name: str
    needles: tuple[str, ...]
    send: bytes | None = None


@dataclass
class Launch:
    times: dict[str, float] = field(default_factory=dict)
    """Seconds from spawn to each step that was reached."""
    peak_rss_kib: int | None = None
    """VmHWM of the process, read after the last step (before quitting)."""
    exit_code: int | None = None
    tail: str = ""
    """The last screen text, for diagnosing a step that was never reached."""


def run(
    argv: Sequence[str],
    steps: Sequence[Step],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    size: tuple[int, int] = (120, 40),
    timeout: float = 60.0,
) -> Launch:
    columns, rows = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    launch = Launch()
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = ""
    plain: list[str] = []
    screen = ""
    index = 0
    deadline = started + timeout
    try:
        while index < len(steps) and time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            now = time.perf_counter()
            pending += decoder.decode(chunk)
            cut = pending.rfind("\x1b")
            if cut != -1 and len(pending) - cut < 256:
                done, pending = pending[:cut], pending[cut:]
            else:
                done, pending = pending, ""
            plain.append(ANSI.sub("", done))
            screen = "".join(plain)
            while index < len(steps) and any(n in screen for n in steps[index].needles):
                step = steps[index]
                launch.times[step.name] = now - started
                if step.send:
                    os.write(master, step.send)
                index += 1
        launch.peak_rss_kib = _peak_rss(process.pid)
        launch.tail = screen[-2000:]
    finally:
        launch.exit_code = _quit(process, master)
        os.close(master)
    return launch


def _peak_rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _quit(process: subprocess.Popen, master: int) -> int | None:
    """Ask the app to quit (ctrl+q), draining its output meanwhile; kill it if it does not."""
    if process.poll() is None:
        with contextlib.suppress(OSError):
            os.write(master, QUIT)
    end = time.perf_counter() + 5
    while process.poll() is None and time.perf_counter() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 1 << 16)
            except OSError:
                break
    if process.poll() is None:
        process.kill()
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        return None

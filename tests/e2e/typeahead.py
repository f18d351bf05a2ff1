"""Type-ahead equivalence: the same keys typed slowly and written in one burst must leave the same portfolio.

A flow is a list of keys (names from ``KEYS`` or plain text). ``run_slowly`` waits for the app's first
screen, then presses one key at a time and waits until the screen is quiet after each; ``run_in_a_burst``
writes the whole sequence into the terminal at once, right after launch (before the first frame, so some
keys even pass the terminal's cooked mode). ``state`` reads what a meeting decides from the database file:
every table but the audit log, without the columns that hold clock times.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from tests.terminal import Terminal, config_file

KEYS = {
    "enter": "\r",
    "escape": "\x1b",
    "ctrl+p": "\x10",
    "ctrl+q": "\x11",
    "ctrl+z": "\x1a",
    "space": " ",
    "tab": "\t",
    "backspace": "\x7f",
    "down": "\x1b[B",
    "up": "\x1b[A",
}
CLOCK_COLUMNS = {
    "recorded_at", "decided_at", "signed_at", "updated_at", "changed_at", "started_at", "ended_at",
    "created_at", "spent_seconds",
}  # fmt: skip
SKIP_TABLES = {"audit_event", "audit_head", "alembic_version"}
FIRST_SCREEN = ("Attending (", "initiatives")


def encode(keys: Sequence[str]) -> list[str]:
    return [KEYS.get(key, key) for key in keys]


def state(path: Path) -> dict[str, list[tuple]]:
    """The portfolio's tables as sorted rows, without the audit log and clock times."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if name not in SKIP_TABLES and not name.startswith("sqlite_")
        ]
        out = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            kept = [c for c in columns if c not in CLOCK_COLUMNS]
            rows = connection.execute(f'SELECT {", ".join(kept)} FROM "{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        connection.close()


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> list[str]:
    found = []
    for table in sorted(set(a) | set(b)):
        left, right = set(a.get(table, [])), set(b.get(table, []))
        for row in sorted(left - right, key=repr)[:5]:
            found.append(f"{table}: only typed slowly: {row}")
        for row in sorted(right - left, key=repr)[:5]:
            found.append(f"{table}: only in the burst: {row}")
    return found


def _launch(source: Path, folder: Path, name: str, size: tuple[int, int]) -> tuple[Terminal, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.db"
    shutil.copyfile(source, path)
    env = {"LABREVIEW_CONFIG": str(config_file(folder))}
    rows, cols = size
    return Terminal(["--db", str(path)], env=env, rows=rows, cols=cols), path


def _finish(terminal: Terminal, quiet: float) -> str:
    terminal.settle_screen(quiet=quiet, limit=60)
    screen = terminal.text()
    terminal.press("ctrl+q")
    deadline = time.monotonic() + 20
    while not terminal.exited and time.monotonic() < deadline:
        terminal.pump(0.1)
    terminal.close()
    return screen


def run_slowly(source: Path, folder: Path, keys: Sequence[str], size=(40, 150)) -> tuple[Path, str]:
    terminal, path = _launch(source, folder, "slow", size)
    try:
        assert terminal.wait_for(lambda s: any(t in s for t in FIRST_SCREEN), timeout=30), terminal.text()
        terminal.settle(quiet=0.5)
        for key in encode(keys):
            for part in [key] if len(key) == 1 or key.startswith("\x1b") else list(key):
                terminal.child.send(part)
                terminal.settle(quiet=0.3, limit=15)
        screen = _finish(terminal, quiet=0.5)
    finally:
        terminal.close()
    raw = bytes(terminal.raw).decode("utf-8", "replace")
    assert "Traceback" not in raw, raw[-3000:]
    return path, screen


def run_in_a_burst(source: Path, folder: Path, keys: Sequence[str], size=(40, 150)) -> tuple[Path, str]:
    terminal, path = _launch(source, folder, "burst", size)
    try:
        terminal.child.send("".join(encode(keys)))
        assert terminal.wait_for(lambda s: any(t in s for t in FIRST_SCREEN), timeout=30), terminal.text()
        screen = _finish(terminal, quiet=3.0)
    finally:
        terminal.close()
    raw = bytes(terminal.raw).decode("utf-8", "replace")
    assert "Traceback" not in raw, raw[-3000:]
    return path, screen

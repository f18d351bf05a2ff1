"""Type-ahead equivalence: the same keys typed slowly and written in one burst must leave the same portfolio.

A flow is a list of keys (names from ``KEYS`` or plain text). ``run_slowly`` waits for the app's first
screen, then presses one key at a time and waits until the screen is quiet after each; ``run_in_a_burst``
writes the whole sequence into the terminal at once, right after launch (before the first frame, so some
keys even pass the terminal's cooked mode). ``state`` reads what a meeting decides from the database file:
every table but the audit log, without the columns that hold clock times.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from tests import backends
from tests.conftest import SAMPLE
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
    "created_at", "spent_seconds", "opened_at", "revealed_at", "cast_at", "issued_at", "revoked_at", "beat_at",
}  # fmt: skip
SKIP_TABLES = {"audit_event", "audit_head", "alembic_version", "presence", "service_state"}  # not audited: clocks
FOOTER = "^p palette"  # the footer of every screen of the meeting (the preview has it too, with OPENING)
OPENING = ("opening…", "Opening the portfolio…")  # the first frame's preview, shown until the portfolio is open


def opened(screen: str) -> bool:
    """The app's own screen is up (not the preview painted while the portfolio opens: keys typed then wait, so a
    quiet screen during the opening does not mean they have been handled). Any screen of the meeting: in a burst
    the first one may be gone before it is read (seen: the scorecard already up when the harness looked)."""
    return FOOTER in screen and not any(text in screen for text in OPENING)


def encode(keys: Sequence[str]) -> list[str]:
    return [KEYS.get(key, key) for key in keys]


def state(target: Path | str) -> dict[str, list[tuple]]:
    """The portfolio's tables as sorted rows, without the audit log and clock times (either backend)."""
    from sqlalchemy import inspect, text

    from labreview.store.engine import make_engine

    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            out = {}
            for table in sorted(inspector.get_table_names()):
                if table in SKIP_TABLES or table.startswith("sqlite_"):
                    continue
                kept = [c["name"] for c in inspector.get_columns(table) if c["name"] not in CLOCK_COLUMNS]
                rows = connection.execute(text(f'SELECT {", ".join(kept)} FROM "{table}"')).all()
                out[table] = sorted((tuple(row) for row in rows), key=repr)
            return out
    finally:
        engine.dispose()


def query(target: Path | str, sql: str) -> list[tuple]:
    """Rows of ``sql`` read from the portfolio at ``target`` (either backend)."""
    from sqlalchemy import text

    from labreview.store.engine import make_engine

    engine = make_engine(target, read_only=True)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> list[str]:
    found = []
    for table in sorted(set(a) | set(b)):
        left, right = set(a.get(table, [])), set(b.get(table, []))
        for row in sorted(left - right, key=repr)[:5]:
            found.append(f"{table}: only typed slowly: {row}")
        for row in sorted(right - left, key=repr)[:5]:
            found.append(f"{table}: only in the burst: {row}")
    return found


def _launch(source: Path, folder: Path, name: str, size: tuple[int, int]) -> tuple[Terminal, Path | str]:
    """The app on a copy of ``source``: a file beside the test, or, on the PostgreSQL backend, a server
    database holding the sample (``source`` must then be the sample)."""
    folder.mkdir(parents=True, exist_ok=True)
    if backends.BACKEND == "postgres":
        assert source == SAMPLE, "on PostgreSQL the flows start from the sample"
        target: Path | str = backends.server().sample()
    else:
        target = folder / f"{name}.db"
        shutil.copyfile(source, target)
    env = {"LABREVIEW_CONFIG": str(config_file(folder))}
    rows, cols = size
    return Terminal(["--db", str(target)], env=env, rows=rows, cols=cols), target


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
        assert terminal.wait_for(opened, timeout=60), terminal.text()
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
        assert terminal.wait_for(opened, timeout=60), terminal.text()
        screen = _finish(terminal, quiet=3.0)
    finally:
        terminal.close()
    raw = bytes(terminal.raw).decode("utf-8", "replace")
    assert "Traceback" not in raw, raw[-3000:]
    return path, screen

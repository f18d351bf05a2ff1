"""What the first frame needs before the service layer has loaded: the UI's only way to the file until then.

Standard library only, on purpose, and nothing of SQLAlchemy at module level: SQLAlchemy takes longer to
import than Textual itself, and the first frame (the agenda preview, the backlog's first rows, the
background integrity check of a large file) is painted while it loads. Everything here reads the file
with ``sqlite3`` (a PostgreSQL database with ``psycopg`` alone), read-only; anything unexpected means no
preview (None), never an error.

The screens reach the database through ``labreview.portfolio`` (``service.Portfolio``) once it is open.
"""

from __future__ import annotations

from pathlib import Path

from labreview.store.database import QUICK_CHECK_LIMIT, integrity
from labreview.store.location import sqlite_path
from labreview.store.peek import (
    AgendaLine,
    BacklogLine,
    FirstBacklog,
    FirstScreen,
    first_backlog,
    first_screen,
    postgres_url,
)

__all__ = [
    "QUICK_CHECK_LIMIT",
    "AgendaLine",
    "BacklogLine",
    "FirstBacklog",
    "FirstScreen",
    "backlog_peek",
    "damage",
    "first_backlog",
    "first_screen",
    "screen_peek",
    "sqlite_path",
]


def _file(target: str | Path) -> Path | None:
    """The SQLite file behind ``target`` when there is one on disk (None for a server or a missing file)."""
    path = sqlite_path(target)
    if path is None or not path.is_file():
        return None
    return path


def backlog_peek(target: str | Path, limit: int) -> FirstBacklog | None:
    """How many initiatives the portfolio at ``target`` has and the first ``limit`` by key, read with sqlite3
    (a file) or psycopg alone (a PostgreSQL URL)."""
    if postgres_url(target) is not None:
        return first_backlog(target, limit=limit)
    path = _file(target)
    if path is None:
        return None
    return first_backlog(path, limit=limit)


def screen_peek(target: str | Path) -> FirstScreen | None:
    """The session the app opens on and its agenda (``peek.first_screen``) for a file or a PostgreSQL URL;
    None for anything else (a missing file, an unknown kind of database)."""
    if postgres_url(target) is not None:
        return first_screen(target)
    path = _file(target)
    return None if path is None else first_screen(path)


def damage(target: str | Path) -> str | None:
    """What SQLite's ``quick_check`` finds wrong with a large file (reads every page: call it in the background).

    None when the file is fine, or when it is small enough to have been checked before it was opened.
    """
    path = _file(target)
    if path is None or path.stat().st_size <= QUICK_CHECK_LIMIT:
        return None
    verdict = integrity(path)
    return None if verdict == "ok" else verdict

"""Engine factory: a path or an SQLAlchemy URL in, an engine with the right SQLite settings out.

On SQLite every connection gets WAL, ``foreign_keys=ON``, a busy timeout and
``synchronous=FULL``; pysqlite's own transaction handling is switched off so
that SQLAlchemy's BEGIN is real (writes use ``BEGIN IMMEDIATE`` to take the
write lock up front instead of failing on upgrade under contention).

A read-only engine on a file connects through ``store.database.readonly_uri``:
``mode=ro``, or ``immutable=1`` when the folder cannot be written (SQLite's WAL
mode needs a ``-shm`` file it could not create there).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from labreview.store.location import is_url, sqlite_path

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer before giving up."""


def database_url(target: str | Path, *, read_only: bool = False) -> str:
    """An SQLAlchemy URL for a path (SQLite) or the URL itself."""
    if is_url(target):
        return str(target)
    path = Path(target).expanduser().resolve()
    if read_only:
        return f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    return f"sqlite:///{path.as_posix()}"


def make_engine(target: str | Path, *, read_only: bool = False) -> Engine:
    """Create the engine. Read-only on a file checks once how the file can be opened; nothing else is opened."""
    url = database_url(target, read_only=read_only)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = sqlite_path(target) if read_only else None
    if path is not None:
        from labreview.store.database import readonly_uri

        uri = readonly_uri(path)

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)

        engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    else:
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            poolclass=NullPool if read_only else None,
        )
    _configure_sqlite(engine, read_only=read_only)
    return engine


def _configure_sqlite(engine: Engine, *, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if read_only:
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, beginning each transaction with ``BEGIN IMMEDIATE`` on SQLite."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(sqlite_begin="IMMEDIATE")

"""Engine factory: a path or an SQLAlchemy URL in, an engine with the right SQLite settings out.

On SQLite every connection gets WAL, ``foreign_keys=ON``, a busy timeout and
``synchronous=FULL``; pysqlite's own transaction handling is switched off so
that SQLAlchemy's BEGIN is real (writes use ``BEGIN IMMEDIATE`` to take the
write lock up front instead of failing on upgrade under contention).

A read-only engine on a file connects through ``store.location.readonly_uri``:
``mode=ro``, or ``immutable=1`` when the folder cannot be written (SQLite's WAL
mode needs a ``-shm`` file it could not create there).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from labreview.domain.errors import StorageError
from labreview.store.location import is_url, readonly_uri, sqlite_path

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer before giving up."""


def database_url(target: str | Path, *, read_only: bool = False) -> URL:
    """An SQLAlchemy URL for a path (SQLite) or the URL itself.

    A path is put into the URL as it is (``URL.create``), never pasted into URL text, where
    ``%41`` would be read as ``A`` and ``?`` would start the query: ``budget%41.db`` is that file.
    Raises ``StorageError`` for text that is not a URL labreview can use.
    """
    if not is_url(target):
        path = Path(target).expanduser().resolve()
        if read_only:
            return URL.create("sqlite", database=f"file:{quote(path.as_posix())}", query={"mode": "ro", "uri": "true"})
        return URL.create("sqlite", database=str(path))
    try:
        url = make_url(str(target))
    except ArgumentError as exc:
        raise StorageError(f"{target} is not a database URL labreview can read ({exc}).") from exc
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and sqlite_path(target) is None:
        raise StorageError(
            f"{shown} could not be read: it names an in-memory database, which starts empty and is gone "
            "when labreview ends; give a file path instead."
        )
    try:
        url.get_dialect()
    except NoSuchModuleError as exc:
        raise StorageError(
            f"labreview cannot open {shown}: '{url.drivername}' is not a kind of database it knows; "
            "give a file path or an sqlite:/// URL."
        ) from exc
    return url


def make_engine(target: str | Path, *, read_only: bool = False) -> Engine:
    """Create the engine. Read-only on a file checks once how the file can be opened; nothing else is opened.

    Raises ``StorageError`` for a URL that names no usable database (in-memory, an unknown kind, a driver
    that is not installed)."""
    url = database_url(target, read_only=read_only)
    if url.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ImportError as exc:
            raise StorageError(
                f"labreview cannot open {url.render_as_string(hide_password=True)}: its driver "
                f"({exc.name or exc}) is not installed, and labreview is built and tested on SQLite files only."
            ) from exc
    path = sqlite_path(target) if read_only else None
    if path is not None:
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

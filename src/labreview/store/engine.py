"""Engine factory: a path or an SQLAlchemy URL in, an engine with the right SQLite settings out.

On SQLite every connection gets WAL, ``foreign_keys=ON``, a busy timeout and
``synchronous=FULL``; pysqlite's own transaction handling is switched off so
that SQLAlchemy's BEGIN is real (writes use ``BEGIN IMMEDIATE`` to take the
write lock up front instead of failing on upgrade under contention).

A read-only engine on a file connects through ``store.location.readonly_uri``:
``mode=ro``, or ``immutable=1`` when the folder cannot be written (SQLite's WAL
mode needs a ``-shm`` file it could not create there).

On PostgreSQL (psycopg 3, the ``postgres`` extra) transactions are READ COMMITTED, and a write
transaction's first statement takes a transaction-level advisory lock (``WRITE_LOCK``): the server's
counterpart of ``BEGIN IMMEDIATE``, one writer at a time for the whole transaction, so the service's
read-check-write use cases (the version check, the audit append's "newest id + 1") stay correct with
several facilitators. Readers never wait for it. A read-only engine's sessions are read-only transactions
(``default_transaction_read_only``), so the server itself refuses a write.
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
from labreview.store.location import MISSING_DRIVER, is_url, readonly_uri, sqlite_path

BUSY_TIMEOUT_MS = 10_000
"""How long a connection waits for another writer before giving up."""
WRITE_LOCK = 0x6C6162726576  # "labrev"
"""The advisory lock key every PostgreSQL write transaction takes first (advisory locks are per database)."""
CONNECT_TIMEOUT_S = 10
"""How long a connection to a server may take before labreview says it cannot reach it."""


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
            "give a file path, an sqlite:/// URL or a postgresql:// URL."
        ) from exc
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver labreview ships with
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(
            f"labreview cannot open {shown}: it works with SQLite files and PostgreSQL servers "
            f"(postgresql://user@host/database), not {url.get_backend_name()}."
        )
    if url.get_backend_name() == "postgresql" and url.drivername != "postgresql+psycopg":
        raise StorageError(
            f"labreview cannot open {shown}: it talks to PostgreSQL through psycopg 3; "
            "write the URL as postgresql://… or postgresql+psycopg://…."
        )
    return url


def make_engine(target: str | Path, *, read_only: bool = False) -> Engine:
    """Create the engine. Read-only on a file checks once how the file can be opened; nothing else is opened.

    Raises ``StorageError`` for a URL that names no usable database (in-memory, an unknown kind, a driver
    that is not installed)."""
    url = database_url(target, read_only=read_only)
    if url.get_backend_name() == "postgresql":
        return _server_engine(url, read_only=read_only)
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


def _server_engine(url: URL, *, read_only: bool) -> Engine:
    shown = url.render_as_string(hide_password=True)
    try:
        import psycopg  # noqa: F401  (the driver: refused in words when missing, not at the first query)
    except ImportError as exc:
        raise StorageError(MISSING_DRIVER.format(shown=shown)) from exc
    options = [f"-c lock_timeout={BUSY_TIMEOUT_MS}"]
    if read_only:
        options.append("-c default_transaction_read_only=on")
    engine = create_engine(
        url,
        pool_pre_ping=True,  # a connection the server dropped (restart, idle timeout) is replaced before use
        isolation_level="READ COMMITTED",
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "labreview",
            "options": " ".join(options),
        },
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get("labreview_writer"):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine for writing: each transaction begins with ``BEGIN IMMEDIATE`` on SQLite, and with the
    write lock (``WRITE_LOCK``) on PostgreSQL; one writer at a time either way."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine.execution_options(labreview_writer=True)

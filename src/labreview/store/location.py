"""Where a portfolio lives: a file path or a database URL. Standard library only (no SQLAlchemy),
so that the command line can check a file before the first frame without paying for that import."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from labreview.domain.errors import StorageError

MISSING_DRIVER = (
    "labreview cannot open {shown}: the PostgreSQL driver (psycopg 3) is not installed; "
    "install labreview with its postgres extra: pip install 'labreview[postgres]' (uv sync --extra postgres)."
)


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


POSTGRES_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")
"""The URL schemes read with psycopg alone (``store.server.conninfo``), without SQLAlchemy."""


def is_postgres_url(target: str | Path) -> bool:
    scheme, separator, _rest = str(target).partition("://")
    return bool(separator) and scheme.lower() in POSTGRES_SCHEMES


def sqlite_path(target: str | Path) -> Path | None:
    """The file behind a path or an ``sqlite:///`` URL; None for other databases and in-memory ones."""
    if not is_url(target):
        return Path(target).expanduser().resolve()
    text = str(target)
    scheme, _, rest = text.partition("://")
    if scheme.split("+", 1)[0].lower() != "sqlite":
        return None
    # sqlite:///relative.db, sqlite:////absolute.db, sqlite:///file:path?mode=ro&uri=true
    database = unquote(urlsplit("x://" + rest).path.removeprefix("/"))
    database = database.removeprefix("file:")
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve()


def readonly_uri(path: str | Path) -> str:
    """An SQLite URI that reads ``path`` without writing anything, even in a folder this user cannot write.

    ``mode=ro`` when that works. A WAL database needs its ``-shm`` file, which
    SQLite cannot create in a read-only folder: then, if no ``-wal`` file holds
    changes not yet in the database, ``immutable=1`` reads the file as it is.
    With such changes pending, reading the file alone would show stale data, so
    this refuses with ``StorageError``. A damaged file is left for the caller to find.
    """
    path = Path(path)
    base = f"file:{quote(path.as_posix())}"
    plain = f"{base}?mode=ro"
    try:
        connection = sqlite3.connect(plain, uri=True, timeout=5)
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            connection.close()
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_CANTOPEN" or not path.is_file():
            return plain
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise StorageError(
                f"{path} has recent changes in {wal.name} that can only be read with write access to "
                f"{path.parent}; open it once where it can be written."
            ) from exc
        return f"{base}?mode=ro&immutable=1"
    except sqlite3.DatabaseError:
        return plain
    return plain

"""Copying a whole portfolio from one database to another (``labreview db copy``): SQLite or PostgreSQL on
either side.

The source is read in one transaction (one consistent moment; read-only on a server). The target must hold
nothing: a missing or empty SQLite file, a server database without tables, or one migrated to the schema's head
with every table empty. Its schema is made by the migrations (``database.prepare``), then every table is copied
in foreign-key order in one transaction, ids, versions, timestamps and the audit log as they are; on PostgreSQL
each serial sequence is then set past the largest id. Values go through the models' column types on both sides
(timestamps in UTC, booleans, dates), so a copy there and back gives the same rows, byte for byte on SQLite, and
the audit log the same head. A copy that fails leaves the target as it was (the transaction is rolled back; a
new SQLite file is removed).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from labreview.domain.errors import StorageError
from labreview.store.schema import HEAD, TABLES

BATCH = 5_000
"""Rows read from the source and written to the target at a time."""

Progress = Callable[[str, int], None]
"""Told the table and the rows copied of it so far."""


@dataclass(frozen=True)
class Copied:
    """What a copy did."""

    rows: dict[str, int]
    """Rows copied per table, in the order they were copied."""
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def shown(target: str | Path) -> str:
    """``target`` for a message: a path as it is, a URL without its password."""
    from labreview.store.location import is_url

    if not is_url(target):
        return str(target)
    from sqlalchemy.engine import make_url

    try:
        return make_url(str(target)).render_as_string(hide_password=True)
    except Exception:  # an unreadable URL is refused later, in words
        return str(target)


def copy_portfolio(source: str | Path, target: str | Path, *, progress: Progress | None = None) -> Copied:
    """Copy the portfolio at ``source`` into the empty ``target`` (see the module docstring).

    Raises ``StorageError`` in one line for everything a person has to fix: a source that is not a current
    portfolio, a target that holds something, a server that cannot be reached, a missing driver."""
    from labreview.store.engine import make_engine

    started = time.perf_counter()
    _check_source(source)
    created = _check_target(source, target)
    try:
        source_engine = make_engine(source, read_only=True)
        try:
            with _reading(source_engine) as reader:
                _require_portfolio(reader, source)
                _prepare_target(target)
                target_engine = make_engine(target)
                try:
                    with target_engine.connect() as writer:
                        _require_empty(writer, target)
                        with writer.begin():
                            counts = _copy_tables(reader, writer, progress)
                            _reset_sequences(writer)
                finally:
                    target_engine.dispose()
        finally:
            source_engine.dispose()
    except BaseException as exc:
        if created is not None:
            _remove(created)
        if isinstance(exc, SQLAlchemyError):
            raise StorageError(f"Copying {shown(source)} to {shown(target)} failed: {_reason(exc)}.") from exc
        raise
    return Copied(counts, time.perf_counter() - started)


# ---------------------------------------------------------------------- checks


def _check_source(source: str | Path) -> None:
    """A file source must be a portfolio of the current schema (``probe``); a server is checked once open."""
    from labreview.store.database import State, probe
    from labreview.store.engine import database_url
    from labreview.store.location import sqlite_path

    path = sqlite_path(source)
    if path is None:
        database_url(source)  # an unknown kind of database or a missing driver is refused here
        return
    found = probe(path)
    if found.state is State.OLDER:
        raise StorageError(
            f"{path} has an older schema ({found.revision}); open it once with labreview to upgrade it, then copy it."
        )
    if found.state is not State.CURRENT:
        raise StorageError(found.message)


def _check_target(source: str | Path, target: str | Path) -> Path | None:
    """Refuse a target that holds anything (a file target is checked here, a server once open); returns the
    path of a new SQLite file that the copy creates, which a failure removes."""
    from labreview.store.database import State, probe
    from labreview.store.engine import database_url
    from labreview.store.location import sqlite_path

    path = sqlite_path(target)
    if path is None:
        database_url(target)
        if str(target) == str(source):
            raise StorageError(f"{shown(target)} is the source itself; give another database to copy to.")
        return None
    source_path = sqlite_path(source)
    if source_path is not None and source_path == path:
        raise StorageError(f"{path} is the source itself; give another file to copy to.")
    found = probe(path)
    if found.state is State.MISSING:
        return path
    if found.state is State.EMPTY:
        return None
    if found.state is State.CURRENT:  # a portfolio whose tables are all empty is accepted: read it to see
        from labreview.store.engine import make_engine

        engine = make_engine(path, read_only=True)
        try:
            with engine.connect() as connection:
                _require_empty(connection, path)
        finally:
            engine.dispose()
        return None
    if found.state in (State.CORRUPT, State.UNREADABLE):
        raise StorageError(found.message)
    raise StorageError(f"{path} already holds a database; labreview db copy only writes to a new or empty one.")


def _require_portfolio(connection: Connection, source: str | Path) -> None:
    """A server source must hold a portfolio of the current schema, every table there."""
    tables = set(inspect(connection).get_table_names())
    where = shown(source)
    if "alembic_version" not in tables:
        what = "an empty database" if not tables else "a database that is not a labreview portfolio"
        raise StorageError(f"{where} is {what}; there is no portfolio to copy.")
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != HEAD:
        raise StorageError(
            f"{where} has schema {revision}, this labreview {HEAD}; upgrade it (or labreview) first, then copy it."
        )
    missing = sorted(TABLES[HEAD] - tables)
    if missing:
        raise StorageError(f"{where} is a labreview portfolio without the tables {', '.join(missing)}; it is damaged.")


def _require_empty(connection: Connection, target: str | Path) -> None:
    """The target (after its migrations) must have every table of a portfolio, and no row in any."""
    from labreview.store.models import metadata

    tables = set(inspect(connection).get_table_names())
    where = shown(target)
    others = sorted(tables - TABLES[HEAD] - {"alembic_version", "sqlite_sequence"})
    if others:
        raise StorageError(
            f"{where} holds tables that are not a labreview portfolio's ({', '.join(others[:3])}); "
            "labreview db copy only writes to a new or empty database."
        )
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision != HEAD:
        raise StorageError(f"{where} has schema {revision}, not {HEAD}; copy into a new or empty database.")
    for table in metadata.sorted_tables:
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise StorageError(
                f"{where} already holds a portfolio (its {table.name} table has rows); "
                "labreview db copy never overwrites: give a new or empty database."
            )
    connection.rollback()


def _prepare_target(target: str | Path) -> None:
    """Make the target's schema with the migrations; a server database that holds tables not a portfolio's is
    refused first (the migrations would add ours beside them)."""
    from labreview.store.database import prepare
    from labreview.store.engine import make_engine
    from labreview.store.location import sqlite_path

    if sqlite_path(target) is None:
        engine = make_engine(target)
        try:
            with engine.connect() as connection:
                tables = set(inspect(connection).get_table_names())
        finally:
            engine.dispose()
        if tables and "alembic_version" not in tables:
            raise StorageError(
                f"{shown(target)} holds tables that are not a labreview portfolio's "
                f"({', '.join(sorted(tables)[:3])}); labreview db copy only writes to a new or empty database."
            )
        if tables:
            return  # a migrated database: checked by _require_empty, never upgraded behind anyone's back
    prepare(target, create=True)


# ---------------------------------------------------------------------- copying


@contextlib.contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one moment of the source and changes nothing."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _copy_tables(reader: Connection, writer: Connection, progress: Progress | None) -> dict[str, int]:
    from labreview.store.bulk import insert_rows
    from labreview.store.models import metadata

    counts: dict[str, int] = {}
    for table in metadata.sorted_tables:
        columns = [column.name for column in table.columns]
        order = list(table.primary_key.columns) or list(table.columns)
        result = reader.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
        copied = 0
        for batch in result.partitions():
            rows: list[Any] = [tuple(row) for row in batch]
            insert_rows(writer, table, columns, rows)
            copied += len(rows)
            if progress:
                progress(table.name, copied)
        counts[table.name] = copied
    return counts


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, set every serial (or identity) sequence past the largest id copied, so that the next row
    inserted gets a new id."""
    if connection.dialect.name != "postgresql":
        return
    from labreview.store.models import metadata

    quote = connection.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX({quote(column.name)}), 0) + 1, false) "
                    f"FROM {quote(table.name)}"
                ),
                {"sequence": sequence},
            )


def _remove(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(OSError):
            (path.parent / name).unlink()


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return " ".join(str(original).split()) or type(original).__name__

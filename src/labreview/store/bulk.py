"""Bulk writes for the use cases that insert many rows at once (the import, ``db copy``): on SQLite an
``executemany`` of values bound through SQLAlchemy's own bind processors, and secondary indexes dropped and
built again around a large insert; on PostgreSQL (psycopg) ``COPY … FROM STDIN``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from labreview.domain.errors import StorageError


class Binder:
    """Rows of Python values for ``columns`` of ``table`` into what the driver is given, and the INSERT.

    On SQLite and on PostgreSQL through psycopg each value goes through SQLAlchemy's own bind processor for
    its column type, as Core would (on SQLite dates and timestamps become text; timestamps are put in UTC),
    once per distinct value: a column repeats the same few values (one timestamp for every row, no renewal
    date on most). SQLite is given the rows by ``executemany``, PostgreSQL by ``COPY``. Elsewhere rows go
    through Core.
    """

    def __init__(self, session: Session | Connection, table: Any, columns: Sequence[str]) -> None:
        self.connection = session if isinstance(session, Connection) else session.connection()
        self.table = table
        self.columns = tuple(columns)
        dialect = self.connection.dialect
        self.sqlite = dialect.name == "sqlite"
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        fast = self.sqlite or self.copy
        self.processors: list[Callable[[Any], Any] | None] = [
            _remembering(process)
            if fast and (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            else None
            for name in self.columns
        ]
        self._whole = self.part(0, len(self.columns))

    def part(self, start: int, stop: int) -> Callable[[tuple[Any, ...]], Sequence[Any]]:
        """A function binding the values of ``columns[start:stop]`` (a tuple of exactly those)."""
        processed = [(i - start, p) for i, p in enumerate(self.processors[start:stop], start) if p is not None]
        if not processed:
            return lambda values: values

        def bound(values: tuple[Any, ...]) -> list[Any]:
            result = list(values)
            for index, process in processed:
                result[index] = process(result[index])
            return result

        return bound

    def column(self, index: int, values: Sequence[Any]) -> Sequence[Any]:
        """The values of ``columns[index]`` in many rows, bound."""
        process = self.processors[index]
        if process is None:
            return values
        if isinstance(values, list) and values:
            first = values[0]
            if all(map(operator.is_, values, itertools.repeat(first))):  # as "no renewal date" on every row
                return [process(first)] * len(values)
        return list(map(process, values))

    def constant(self, start: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (the same on every row) of the columns from ``start`` on, bound once."""
        return tuple(self.part(start, start + len(values))(values))

    def bind(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A whole row bound."""
        return tuple(self._whole(row))

    def insert_columns(self, values: Sequence[Iterable[Any]]) -> None:
        """One ``executemany`` of rows given column by column, each bound (``column``) or an ``itertools.repeat``
        of a bound value (``constant``).

        A nullable column that is NULL in every row is left out of the INSERT, as the columns whose default is
        NULL already are (none has a DEFAULT clause, so SQLite and PostgreSQL store NULL): pysqlite binds each
        None through a lookup of adapters that fails (two attribute lookups), about 6 % of the instructions of
        inserting 100,000 initiatives with neither a sponsor nor a renewal date.
        """
        kept = [
            index
            for index, (name, column) in enumerate(zip(self.columns, values, strict=True))
            if not (
                (self.sqlite or self.copy)
                and self.table.c[name].nullable
                and isinstance(column, list)
                and column.count(None) == len(column)
            )
        ]
        rows = zip(*(values[index] for index in kept), strict=True)
        self.insert(rows, [self.columns[index] for index in kept])

    def insert(self, rows: Iterable[tuple[Any, ...]], columns: Sequence[str] | None = None) -> None:
        """One ``executemany`` of ``rows``, already bound (see ``part``), of ``columns`` (default: all).

        On SQLite through the DB-API connection under the session's (same transaction, raw ``executemany``):
        pysqlite takes the rows from an iterator as it inserts them, where SQLAlchemy's ``exec_driver_sql``
        wants a list of them built first (measured: 0.1–0.2 s and ~25 MiB more for 100,000 initiatives). Its
        errors are raised as SQLAlchemy's, as ``exec_driver_sql`` raises them.
        """
        columns = self.columns if columns is None else columns
        if self.copy:
            self._copy(rows, columns)
            return
        if not self.sqlite:
            rows = list(rows)
            if rows:
                self.connection.execute(self.table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
            return
        quote = self.connection.dialect.identifier_preparer.quote
        statement = (
            f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        dbapi = self.connection.dialect.loaded_dbapi
        try:
            self.connection.connection.driver_connection.executemany(statement, rows)
        except dbapi.Error as exc:
            raise DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=self.connection.dialect) from exc

    def _copy(self, rows: Iterable[tuple[Any, ...]], columns: Sequence[str]) -> None:
        """``rows`` by ``COPY … FROM STDIN`` on the psycopg connection under the session's (same transaction);
        errors raised as SQLAlchemy's.

        In binary format, each value dumped for its column's type as the server has it (read from
        ``pg_attribute``), and sent by psycopg's writer thread while the next rows are dumped here.
        """
        from psycopg.copy import QueuedLibpqWriter  # deferred: psycopg is the postgres extra's

        quote = self.connection.dialect.identifier_preparer.quote
        name = quote(self.table.name)
        statement = f"COPY {name} ({', '.join(quote(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
        dbapi = self.connection.dialect.loaded_dbapi
        try:
            with self.connection.connection.driver_connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                    (name,),
                )
                oids = dict(cursor.fetchall())
                with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                    copy.set_types([oids[c] for c in columns])
                    write = copy.write_row
                    for row in rows:
                        write(row)
        except dbapi.Error as exc:
            raise DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=self.connection.dialect) from exc
        except (TypeError, ValueError, OverflowError) as exc:  # a value psycopg cannot send as its column's type
            raise StorageError(
                f"A value for the table {self.table.name} does not fit its column's type ({exc}); nothing was written."
            ) from exc


@contextmanager
def indexes_rebuilt_after(session: Session, table: str) -> Iterator[None]:
    """Drop the non-unique indexes made by CREATE INDEX on ``table`` (SQLite; on PostgreSQL the non-unique ones
    not backing a constraint, made again from ``pg_get_indexdef``), and make them again, with their own SQL,
    when the block succeeds.

    Inside the import's transaction: on failure the rollback brings them back with everything else,
    and other connections never see the table without them. (Keeping the few-valued ones — stage,
    track, category — up to date row by row was measured too: it costs more instructions than
    building them again.) On PostgreSQL, DROP INDEX locks the table until the import commits: other
    connections reading ``initiative`` wait for it. Measured there, 100,000 initiatives inserted into an empty
    table (server side, INSERT … SELECT): 2.2 s with every index kept row by row, 1.5 s with the nine
    secondary ones built afterwards.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        found = connection.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %(table)s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY 1",
            {"table": connection.dialect.identifier_preparer.quote(table)},
        ).all()
        for name, _sql in found:
            connection.exec_driver_sql(f"DROP INDEX {name}")
        yield
        for _name, sql in found:
            connection.exec_driver_sql(sql)
        return
    if connection.dialect.name != "sqlite":
        yield
        return
    quote = connection.dialect.identifier_preparer.quote
    names = [
        name
        for _seq, name, unique, origin, _partial in connection.exec_driver_sql(f"PRAGMA index_list({quote(table)})")
        if origin == "c" and not unique
    ]
    statements = []
    for name in names:
        sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,))
        statements.append(sql.scalar_one())
    for name in names:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for statement in statements:
        connection.exec_driver_sql(statement)


def insert_rows(
    session: Session | Connection, table: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples of Python values for ``columns``) in one ``executemany`` or ``COPY`` (see
    ``Binder``)."""
    if not rows:
        return
    binder = Binder(session, table, columns)
    if (binder.sqlite or binder.copy) and any(binder.processors):
        rows = [binder.bind(row) for row in rows]
    binder.insert(list(rows))


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, computed once per distinct value (by type and value; a timestamp once per object,
    since equal instants in different time zones are equal but need not be written alike)."""
    seen: dict[Any, Any] = {}
    last: list[Any] = [object(), None]

    def remembered(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        if isinstance(value, dt.datetime):
            result = process(value)
        else:
            key = (type(value), value)
            try:
                result = seen[key]
            except KeyError:
                result = seen[key] = process(value)
            except TypeError:  # unhashable
                result = process(value)
        last[0], last[1] = value, result
        return result

    return remembered


def insert_many(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts, all with the same keys) in one ``executemany`` (see ``insert_rows``)."""
    if rows:
        names = tuple(rows[0])
        insert_rows(session, table, names, [tuple(row[name] for name in names) for row in rows])

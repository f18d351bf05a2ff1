"""SQL that each backend spells its own way, as SQLAlchemy constructs compiled per dialect.

``position_of(haystack, needle)``: the 1-based place of ``needle`` in ``haystack``, 0 when it is not
there (SQLite's ``instr``, PostgreSQL's ``strpos``); what the free-text filters match with (no LIKE,
so no escaping of ``%`` and ``_``).

``snapshot(connection)``: the connection set so that its next transaction reads one moment of the database
throughout (SQLite's read transaction does; PostgreSQL's default, READ COMMITTED, does not).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, false
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class position_of(FunctionElement):
    """``position_of(haystack, needle)``: where ``needle`` starts in ``haystack`` (1-based), 0 if nowhere."""

    type = Integer()
    inherit_cache = True
    name = "position_of"


@compiles(position_of)
def _position_of_default(element: position_of, compiler: Any, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(position_of, "postgresql")
def _position_of_postgresql(element: position_of, compiler: Any, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def contains(haystack: ColumnElement, needle: str | ColumnElement) -> ColumnElement[bool]:
    """``needle`` occurs in ``haystack`` (case as given: lower both sides for a case-blind match).

    A needle with a NUL character occurs nowhere: no stored text holds one (the service refuses it), and
    PostgreSQL cannot even be sent one."""
    if isinstance(needle, str) and not matchable(needle):
        return false()
    return position_of(haystack, needle) > 0


def matchable(text: str) -> bool:
    """Whether ``text`` could be part of a stored text at all (it holds no NUL)."""
    return "\x00" not in text


def snapshot(connection: Connection) -> Connection:
    """``connection``, its next transaction seeing one snapshot for all its statements (call before ``begin``)."""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


__all__ = ["contains", "matchable", "position_of", "snapshot"]

"""A first look at a portfolio without SQLAlchemy, for the app's very first frame.

SQLAlchemy takes longer to import than Textual itself; the first screen's rows
need two small queries. So the command line reads them here, before the app
starts, and the first frame already shows the agenda while the service layer
loads in the background. Read-only; anything unexpected just means no preview.

An SQLite file is read with ``sqlite3`` (the standard library); a PostgreSQL URL
(``postgresql://`` or ``postgresql+psycopg://``) with ``psycopg`` alone, imported
only then, in a read-only transaction that gives up after a second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labreview.store.database import connect_read_only
from labreview.store.location import is_url, sqlite_path

TIMEOUT_SECONDS = 1
"""How long the preview waits for the database (a lock on SQLite, connecting on PostgreSQL)."""


class _Unreadable(Exception):
    """Anything that stops a preview: there is none."""


def postgres_url(target: str | Path) -> str | None:
    """The libpq connection string of a PostgreSQL URL (SQLAlchemy's ``+driver`` dropped), else None."""
    if not is_url(target):
        return None
    scheme, _, rest = str(target).partition("://")
    if scheme.split("+", 1)[0].lower() not in ("postgresql", "postgres"):
        return None
    return f"postgresql://{rest}"


class _Reader:
    """``rows(sql, *parameters)`` with ``?`` placeholders, on sqlite3 or psycopg."""

    def __init__(self, connection: Any, *, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres

    def rows(self, sql: str, *parameters: Any) -> list[tuple]:
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), parameters)
                return cursor.fetchall()
        return self.connection.execute(sql, parameters).fetchall()


@contextmanager
def _reading(target: str | Path) -> Iterator[_Reader]:
    """A read-only reader of the portfolio at ``target`` (a file path, an SQLite or a PostgreSQL URL);
    ``_Unreadable`` for anything that goes wrong, opening or reading."""
    conninfo = postgres_url(target)
    if conninfo is not None:
        yield from _reading_postgres(conninfo)
        return
    path = sqlite_path(target)
    if path is None:  # an in-memory database, or a kind of server this preview does not read
        raise _Unreadable(target)
    try:
        connection = connect_read_only(path, timeout=TIMEOUT_SECONDS)
    except Exception as exc:
        raise _Unreadable from exc
    try:
        yield _Reader(connection, postgres=False)
    except sqlite3.Error as exc:
        raise _Unreadable from exc
    finally:
        connection.close()


def _reading_postgres(conninfo: str) -> Iterator[_Reader]:
    try:
        import psycopg

        connection = psycopg.connect(conninfo, connect_timeout=TIMEOUT_SECONDS)
    except Exception as exc:  # no driver, no server, refused
        raise _Unreadable from exc
    try:
        connection.read_only = True
        connection.execute(f"SET statement_timeout = {TIMEOUT_SECONDS * 1000}")
        yield _Reader(connection, postgres=True)
    except psycopg.Error as exc:
        raise _Unreadable from exc
    finally:
        connection.close()


@dataclass(frozen=True)
class AgendaLine:
    position: int
    key: str
    title: str
    stage: str
    timebox_seconds: int
    spent_seconds: int
    outcome: str | None


@dataclass(frozen=True)
class FirstScreen:
    """What the agenda screen will show, read without the service layer."""

    portfolio: str
    quarter: str
    status: str
    held_on: str
    facilitator: str
    agenda: tuple[AgendaLine, ...]
    current_key: str | None


def first_screen(target: str | Path) -> FirstScreen | None:
    """The session the app opens on (open, else the next planned, else the latest) and its agenda.

    ``target``: an SQLite file (path or URL) or a PostgreSQL URL."""
    try:
        with _reading(target) as reader:
            sessions = reader.rows(
                "SELECT s.id, s.quarter, s.status, s.held_on, p.name, s.current_item_id FROM review_session s "
                "JOIN person p ON p.id = s.facilitator_id ORDER BY s.quarter"
            )
            chosen = _active(sessions)
            if chosen is None:
                return None
            session_id, quarter, status, held_on, facilitator, current_item = chosen
            name = reader.rows("SELECT value FROM setting WHERE key = 'name'")
            agenda = reader.rows(
                "SELECT a.position, i.key, i.title, i.stage, a.timebox_seconds, a.spent_seconds, d.outcome, a.id "
                "FROM agenda_item a JOIN initiative i ON i.id = a.initiative_id "
                "LEFT JOIN decision d ON d.session_id = a.session_id AND d.initiative_id = a.initiative_id "
                "WHERE a.session_id = ? ORDER BY a.position",
                session_id,
            )
    except _Unreadable:
        return None
    return FirstScreen(
        portfolio=name[0][0] if name else "Marketing technology portfolio",
        quarter=quarter,
        status=status,
        held_on=str(held_on),  # text on SQLite, a date on PostgreSQL: both print YYYY-MM-DD
        facilitator=facilitator,
        agenda=tuple(AgendaLine(*row[:7]) for row in agenda),
        current_key=next((row[1] for row in agenda if row[7] == current_item), None),
    )


def _active(sessions: list[tuple]) -> tuple | None:
    """The same choice as ``Portfolio.active_session``."""
    for status in ("open", "planned"):
        chosen = [s for s in sessions if s[2] == status]
        if chosen:
            return chosen[0]
    return sessions[-1] if sessions else None


@dataclass(frozen=True)
class BacklogLine:
    """One backlog row as stored (codes, not labels); the app turns it into what the backlog screen shows."""

    key: str
    title: str
    stage: str
    category: str
    owner: str
    quarterly_cost: int
    track: str
    current_gate: int | None
    access_tier: int | None
    score_means: tuple[float | None, ...]
    """The five criterion means, in the order of ``queries.CRITERIA_COLUMNS``."""
    spread: int | None
    last_outcome: str | None
    last_quarter: str | None


@dataclass(frozen=True)
class FirstBacklog:
    """The top of the backlog in key order, read without the service layer."""

    total: int
    currency: str
    lines: tuple[BacklogLine, ...]
    weights: dict = field(default_factory=dict)
    """The portfolio's criterion weights, for the weighted score column."""


def first_backlog(target: str | Path, limit: int) -> FirstBacklog | None:
    """How many initiatives there are and the first ``limit`` by key (the backlog's default order).

    ``target``: an SQLite file (path or URL) or a PostgreSQL URL."""
    try:
        with _reading(target) as reader:
            total = reader.rows("SELECT count(*) FROM initiative")[0][0]
            currency = reader.rows("SELECT value FROM setting WHERE key = 'currency'")
            weights = reader.rows("SELECT value FROM setting WHERE key = 'weights'")
            rows = reader.rows(
                "SELECT i.key, i.title, i.stage, i.category, p.name, i.quarterly_cost, i.track, i.current_gate, "
                "i.access_tier, i.score_outcome_impact, i.score_operational_fit, i.score_integration_burden, "
                "i.score_data_risk, i.score_economic_value, i.score_spread, i.last_outcome, i.last_quarter "
                "FROM initiative i JOIN person p ON p.id = i.owner_id ORDER BY i.key LIMIT ?",
                max(0, int(limit)),
            )
    except _Unreadable:
        return None
    lines = tuple(BacklogLine(*row[:9], tuple(row[9:14]), *row[14:]) for row in rows)
    return FirstBacklog(
        total=total,
        currency=currency[0][0] if currency else "EUR",
        lines=lines,
        weights=_weights(weights[0] if weights else None),
    )


def _weights(row: tuple[str] | None) -> dict:
    """The portfolio's stored criterion weights (equal weights when none are stored or they cannot be read)."""
    from labreview.domain.errors import InvalidInput
    from labreview.domain.scoring import DEFAULT_WEIGHTS, parse_weights

    try:
        return parse_weights(row[0]) if row else dict(DEFAULT_WEIGHTS)
    except InvalidInput:
        return dict(DEFAULT_WEIGHTS)

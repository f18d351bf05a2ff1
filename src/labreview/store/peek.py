"""A first look at a portfolio with the standard library alone, for the app's very first frame.

SQLAlchemy takes longer to import than Textual itself; the first screen's rows
need two small queries. So the command line reads them here, before the app
starts, and the first frame already shows the agenda while the service layer
loads in the background. Read-only; anything unexpected just means no preview.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from labreview.store.database import connect_read_only


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


def first_screen(path: str | Path) -> FirstScreen | None:
    """The session the app opens on (open, else the next planned, else the latest) and its agenda."""
    try:
        connection = connect_read_only(path, timeout=1)
    except Exception:
        return None
    try:
        sessions = connection.execute(
            "SELECT s.id, s.quarter, s.status, s.held_on, p.name, s.current_item_id FROM review_session s "
            "JOIN person p ON p.id = s.facilitator_id ORDER BY s.quarter"
        ).fetchall()
        chosen = _active(sessions)
        if chosen is None:
            return None
        session_id, quarter, status, held_on, facilitator, current_item = chosen
        name = connection.execute("SELECT value FROM setting WHERE key = 'name'").fetchone()
        agenda = connection.execute(
            "SELECT a.position, i.key, i.title, i.stage, a.timebox_seconds, a.spent_seconds, d.outcome, a.id "
            "FROM agenda_item a JOIN initiative i ON i.id = a.initiative_id "
            "LEFT JOIN decision d ON d.session_id = a.session_id AND d.initiative_id = a.initiative_id "
            "WHERE a.session_id = ? ORDER BY a.position",
            (session_id,),
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return FirstScreen(
        portfolio=name[0] if name else "Marketing technology portfolio",
        quarter=quarter,
        status=status,
        held_on=str(held_on),
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


def first_backlog(path: str | Path, limit: int) -> FirstBacklog | None:
    """How many initiatives there are and the first ``limit`` by key (the backlog's default order)."""
    try:
        connection = connect_read_only(path, timeout=1)
    except Exception:
        return None
    try:
        total = connection.execute("SELECT count(*) FROM initiative").fetchone()[0]
        currency = connection.execute("SELECT value FROM setting WHERE key = 'currency'").fetchone()
        weights = connection.execute("SELECT value FROM setting WHERE key = 'weights'").fetchone()
        rows = connection.execute(
            "SELECT i.key, i.title, i.stage, i.category, p.name, i.quarterly_cost, i.track, i.current_gate, "
            "i.access_tier, i.score_outcome_impact, i.score_operational_fit, i.score_integration_burden, "
            "i.score_data_risk, i.score_economic_value, i.score_spread, i.last_outcome, i.last_quarter "
            "FROM initiative i JOIN person p ON p.id = i.owner_id ORDER BY i.key LIMIT ?",
            (max(0, int(limit)),),
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    lines = tuple(BacklogLine(*row[:9], tuple(row[9:14]), *row[14:]) for row in rows)
    return FirstBacklog(
        total=total, currency=currency[0] if currency else "EUR", lines=lines, weights=_weights(weights)
    )


def _weights(row: tuple[str] | None) -> dict:
    """The portfolio's stored criterion weights (equal weights when none are stored or they cannot be read)."""
    from labreview.domain.errors import InvalidInput
    from labreview.domain.scoring import DEFAULT_WEIGHTS, parse_weights

    try:
        return parse_weights(row[0]) if row else dict(DEFAULT_WEIGHTS)
    except InvalidInput:
        return dict(DEFAULT_WEIGHTS)

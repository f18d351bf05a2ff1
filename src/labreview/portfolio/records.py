"""Bulk reads for the exchange layer: every initiative as import fields, and the minutes of a session.

``backlog_records`` is a plain Core query returning plain values (no ORM
objects) so that exporting 100,000 initiatives stays fast and light. The
minutes are read by ``portfolio.minutes_data`` in plain SQL (the command line
uses it without importing SQLAlchemy); ``minutes_records`` hands it the raw
connection of a ``Portfolio``'s engine (``sqlite3`` or ``psycopg``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from labreview.domain.fields import FIELDS, INTAKE_FIELDS
from labreview.domain.vocabulary import Quarter
from labreview.portfolio import minutes_data
from labreview.store.models import AccessRequest, AccessSignature, Initiative, Intake, Person, ReviewSession


def backlog_records(portfolio: Any) -> Iterator[dict[str, Any]]:
    """Every initiative by key, with the fields an import sets (stored forms; owner and sponsor by name).

    Exporting these and importing the file back changes nothing: both sides use ``domain.fields.FIELDS``.
    """
    owner = aliased(Person)
    sponsor = aliased(Person)
    columns = []
    for name in FIELDS:
        if name == "owner":
            columns.append(owner.name.label("owner"))
        elif name == "sponsor":
            columns.append(sponsor.name.label("sponsor"))
        elif name in INTAKE_FIELDS:
            columns.append(getattr(Intake, name))
        else:
            columns.append(getattr(Initiative, name))
    statement = (
        select(*columns)
        .join(owner, owner.id == Initiative.owner_id)
        .outerjoin(sponsor, sponsor.id == Initiative.sponsor_id)
        .outerjoin(Intake, Intake.initiative_id == Initiative.id)
        .order_by(Initiative.key)
    )
    with portfolio.engine.connect() as connection:
        for row in connection.execute(statement).mappings():
            yield dict(row)


def session_signatures(portfolio: Any, quarter: str) -> set[tuple[int, str]]:
    """``(request id, capacity)`` of every access signature given in the session of ``quarter``."""
    quarter = str(Quarter.parse(quarter))
    statement = (
        select(AccessSignature.request_id, AccessSignature.capacity)
        .join(ReviewSession, ReviewSession.id == AccessSignature.session_id)
        .where(ReviewSession.quarter == quarter)
    )
    with portfolio.engine.connect() as connection:
        return {(request_id, capacity) for request_id, capacity in connection.execute(statement).all()}


def session_access_keys(portfolio: Any, quarter: str) -> list[str]:
    """Keys of the initiatives whose data access was signed in the session of ``quarter``, in key order."""
    quarter = str(Quarter.parse(quarter))
    statement = (
        select(Initiative.key)
        .distinct()
        .join(AccessRequest, AccessRequest.initiative_id == Initiative.id)
        .join(AccessSignature, AccessSignature.request_id == AccessRequest.id)
        .join(ReviewSession, ReviewSession.id == AccessSignature.session_id)
        .where(ReviewSession.quarter == quarter)
        .order_by(Initiative.key)
    )
    with portfolio.engine.connect() as connection:
        return list(connection.execute(statement).scalars())


def minutes_records(portfolio: Any, quarter: str) -> minutes_data.MinutesRecords:
    """What the minutes of the session of ``quarter`` need (``NotFound`` if there is none), read through
    ``portfolio``'s engine in one read transaction, with its criterion weights."""
    connection = portfolio.engine.raw_connection()  # sqlite3 or psycopg underneath: minutes_data reads both
    try:
        # The weights given when opening (a what-if), else None: the portfolio's, read in the same transaction.
        return minutes_data.read(connection.driver_connection, quarter, portfolio.weights_override)
    finally:
        connection.close()


__all__ = ["backlog_records", "minutes_records", "session_access_keys", "session_signatures"]

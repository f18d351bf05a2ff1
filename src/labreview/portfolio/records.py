"""Bulk reads for the exchange layer: every initiative as import fields, and who signed what in a session.

These are plain Core queries returning plain values (no ORM objects, one query
each) so that exporting 100,000 initiatives stays fast and light.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from labreview.domain.vocabulary import Quarter
from labreview.portfolio.importing import FIELDS, INTAKE_FIELDS
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    CriteriaChange,
    Initiative,
    Intake,
    Person,
    ReviewSession,
)


def backlog_records(portfolio: Any) -> Iterator[dict[str, Any]]:
    """Every initiative by key, with the fields an import sets (stored forms; owner and sponsor by name).

    Exporting these and importing the file back changes nothing: both sides use ``importing.FIELDS``.
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


@dataclass(frozen=True)
class CriteriaChangeRecord:
    key: str
    title: str
    field: str
    before: str
    after: str
    reason: str
    changed_at: dt.datetime
    changed_by: str


def criteria_changes_for(
    portfolio: Any, quarter: str, *, since: dt.date | None, until: dt.date | None
) -> list[CriteriaChangeRecord]:
    """Pre-registered criteria changed for the session of ``quarter``: recorded against it, or
    recorded against no session on a day after ``since`` (the previous session) up to ``until`` (this one)."""
    quarter = str(Quarter.parse(quarter))
    statement = (
        select(
            Initiative.key,
            Initiative.title,
            CriteriaChange.field,
            CriteriaChange.before,
            CriteriaChange.after,
            CriteriaChange.reason,
            CriteriaChange.changed_at,
            CriteriaChange.changed_by,
            ReviewSession.quarter,
        )
        .join(Initiative, Initiative.id == CriteriaChange.initiative_id)
        .outerjoin(ReviewSession, ReviewSession.id == CriteriaChange.session_id)
        .order_by(Initiative.key, CriteriaChange.changed_at, CriteriaChange.id)
    )
    found = []
    with portfolio.engine.connect() as connection:
        for row in connection.execute(statement).all():
            day = row.changed_at.date()
            loose = row.quarter is None and (since is None or day > since) and (until is None or day <= until)
            if row.quarter == quarter or loose:
                found.append(CriteriaChangeRecord(*row[:8]))
    return found


__all__ = [
    "CriteriaChangeRecord",
    "backlog_records",
    "criteria_changes_for",
    "session_access_keys",
    "session_signatures",
]

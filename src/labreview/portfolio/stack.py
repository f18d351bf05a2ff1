"""The stack map: every tool by stage with its owner, vendor, integration scope, renewal, cost and last
decision; renewals due before the board meets again; tools that overlap (``domain.overlap``).

The renewal horizon is the day of the next planned session (held after today); without one, the end of the
quarter of the session the meeting is in (the open one, else one planned for today or earlier); without
that, ``HORIZON_DAYS`` from today.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from labreview.domain import overlap as overlap_rules
from labreview.domain.overlap import Overlap
from labreview.domain.vocabulary import (
    AccessTier,
    Category,
    DecisionOutcome,
    Gate,
    IntegrationScope,
    Quarter,
    SessionStatus,
    Stage,
    SuccessMetric,
    Track,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import StackMapView, StackRow
from labreview.store import queries
from labreview.store.models import AuditEvent, ReviewSession

HORIZON_DAYS = 90
"""The renewal horizon when no session is planned or open: about a quarter."""


class Stack(Derived):
    """The stack map and the overlap finder's use cases."""

    def stack_map(self) -> StackMapView:
        """Every initiative as the stack map shows it, with the renewal horizon and the overlaps."""
        today = self.today()
        with self.read() as session:
            connection = session.connection()
            sessions = session.execute(
                select(ReviewSession.quarter, ReviewSession.held_on, ReviewSession.status).order_by(
                    ReviewSession.quarter
                )
            ).all()
            rows = queries.stack_columns(connection)
        overlaps = self.overlaps()
        horizon, reason = renewal_horizon(today, [(q, d, SessionStatus(s)) for q, d, s in sessions])
        return StackMapView(
            rows=tuple(
                StackRow(
                    key=r.key,
                    title=r.title,
                    stage=Stage(r.stage),
                    category=Category(r.category),
                    track=Track(r.track),
                    owner=r.owner,
                    vendor=r.vendor,
                    integration_scope=IntegrationScope(r.integration_scope) if r.integration_scope else None,
                    success_metric=SuccessMetric(r.success_metric) if r.success_metric else None,
                    renewal_date=r.renewal_date,
                    quarterly_cost=r.quarterly_cost,
                    current_gate=Gate(r.current_gate) if r.current_gate else None,
                    access_tier=AccessTier(r.access_tier) if r.access_tier else None,
                    last_outcome=DecisionOutcome(r.last_outcome) if r.last_outcome else None,
                    last_quarter=r.last_quarter,
                    renewal_due=r.stage != Stage.RETIRED.value
                    and r.renewal_date is not None
                    and r.renewal_date <= horizon,
                    overlaps=overlaps.get(r.key, ()),
                    search_text=r.search_text,
                )
                for r in rows
            ),
            horizon=horizon,
            horizon_reason=reason,
            today=today,
            currency=self.currency,
        )

    def overlaps_of(self, key: str) -> tuple[Overlap, ...]:
        """What ``key`` overlaps, by other key; empty for a retired initiative (the scorecard's line, the decision
        dialog's candidates). The portfolio's overlaps when they are current, else found for ``key`` alone."""
        with self.read() as session:
            connection = session.connection()
            mark = connection.execute(select(func.max(AuditEvent.id))).scalar() or 0
            cached = self._overlaps_found
            if cached is not None and cached[0] == mark:
                return cached[1].get(key, ())
            tools = [overlap_rules.Tool(*row) for row in queries.overlap_columns(connection)]
        return overlap_rules.overlaps_of(tools, key)


def renewal_horizon(today: dt.date, sessions: list[tuple[str, dt.date, SessionStatus]]) -> tuple[dt.date, str]:
    """The day up to which a renewal is flagged, and why that day (see the module's docstring)."""
    planned = sorted(
        (held_on, quarter)
        for quarter, held_on, status in sessions
        if status is SessionStatus.PLANNED and held_on > today
    )
    if planned:
        held_on, quarter = planned[0]
        return held_on, f"the {quarter} session on {held_on.isoformat()}"
    current = [
        quarter
        for quarter, held_on, status in sessions
        if status is SessionStatus.OPEN or (status is SessionStatus.PLANNED and held_on <= today)
    ]
    if current:
        quarter = max(current)
        end = Quarter.parse(quarter).last_day
        if end >= today:
            return end, f"end of {quarter}"
    return today + dt.timedelta(days=HORIZON_DAYS), f"{HORIZON_DAYS} days from today"

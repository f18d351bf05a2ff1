"""Review sessions: planning, start and end, attendance, agenda and its clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from labreview.domain import carryover
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.vocabulary import (
    DecisionOutcome,
    Quarter,
    SessionStatus,
    Stage,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    SessionView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    AgendaItem,
    Attendee,
    Decision,
    Initiative,
    ReviewSession,
)
from labreview.store.rows import require_not_closed


class Sessions(Derived):
    """Review sessions: planning, start and end, attendance, agenda and its clock."""

    def sessions(self) -> list[SessionView]:
        with self.read() as session:
            rows = session.scalars(select(ReviewSession).order_by(ReviewSession.quarter)).all()
            return [self.session_view(session, r) for r in rows]

    def session(self, quarter: str) -> SessionView:
        with self.read() as session:
            return self.session_view(session, lookup.session_row(session, quarter))

    def active_session(self) -> SessionView | None:
        """The open session; else the next planned one; else the latest."""
        with self.read() as session:
            rows = session.scalars(select(ReviewSession).order_by(ReviewSession.quarter)).all()
            for status in (SessionStatus.OPEN, SessionStatus.PLANNED):
                chosen = [r for r in rows if r.status == status.value]
                if chosen:
                    return self.session_view(session, chosen[0])
            return self.session_view(session, rows[-1]) if rows else None

    def create_session(
        self,
        quarter: str,
        *,
        held_on: dt.date,
        facilitator: int | str,
        attendees: Iterable[int | str] = (),
        timebox_minutes: int = 8,
    ) -> SessionView:
        quarter = str(Quarter.parse(quarter))
        if not (1 <= timebox_minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {timebox_minutes}.")
        with self.audited("create session") as rec:
            session = rec.session
            if session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first():
                raise InvalidInput(f"There is already a {quarter} session.")
            lead = lookup.person(session, facilitator)
            row = rec.add(
                ReviewSession(
                    quarter=quarter,
                    held_on=held_on,
                    facilitator_id=lead.id,
                    timebox_seconds=timebox_minutes * 60,
                )
            )
            seen: set[int] = set()
            for ref in attendees:
                person = lookup.person(session, ref)
                if person.id not in seen:
                    seen.add(person.id)
                    rec.add(Attendee(session_id=row.id, person_id=person.id))
            rec.summary = f"Planned the {quarter} session on {held_on.isoformat()} with {len(seen)} attendees"
            return self.session_view(session, row)

    def start_session(self, quarter: str) -> SessionView:
        with self.audited("start session") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            if row.status == SessionStatus.OPEN.value:
                rec.summary = f"{row.quarter} session already open"
                return self.session_view(session, row)
            if row.status == SessionStatus.CLOSED.value:
                raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")
            other = session.scalars(
                select(ReviewSession).where(ReviewSession.status == SessionStatus.OPEN.value)
            ).first()
            if other is not None:
                raise PolicyRefusal(f"The {other.quarter} session is still open; end it before starting {row.quarter}.")
            first = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id).order_by(AgendaItem.position)
            ).first()
            rec.update(
                row,
                status=SessionStatus.OPEN.value,
                started_at=self.now(),
                current_item_id=row.current_item_id or (first.id if first else None),
            )
            rec.summary = f"Started the {row.quarter} session"
            return self.session_view(session, row)

    def end_session(self, quarter: str) -> SessionView:
        with self.audited("end session") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            if row.status != SessionStatus.OPEN.value:
                raise PolicyRefusal(f"The {row.quarter} session is {row.status}, not open.")
            rec.update(row, status=SessionStatus.CLOSED.value, ended_at=self.now())
            rec.summary = f"Ended the {row.quarter} session"
            return self.session_view(session, row)

    def set_attendance(self, quarter: str, person: int | str, present: bool) -> SessionView:
        with self.audited("set attendance") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            require_not_closed(row)
            who = lookup.person(session, person)
            existing = session.get(Attendee, (row.id, who.id))
            if present and existing is None:
                rec.add(Attendee(session_id=row.id, person_id=who.id))
            elif not present and existing is not None:
                rec.delete(existing)
            rec.summary = f"{who.name} {'attends' if present else 'does not attend'} the {row.quarter} session"
            return self.session_view(session, row)

    def toggle_agenda(self, quarter: str, key: str) -> SessionView:
        """Add the initiative at the end of the agenda, or take it off."""
        with self.audited("change agenda") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            require_not_closed(row)
            initiative = lookup.initiative(session, key)
            item = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id)
            ).first()
            if item is None:
                last = session.execute(
                    select(func.max(AgendaItem.position)).where(AgendaItem.session_id == row.id)
                ).scalar_one()
                rec.add(
                    AgendaItem(
                        session_id=row.id,
                        initiative_id=initiative.id,
                        position=(last or 0) + 1,
                        timebox_seconds=row.timebox_seconds,
                    )
                )
                rec.summary = f"Put {initiative.key} on the {row.quarter} agenda"
            else:
                if lookup.decision_row(session, row.id, initiative.id) is not None:
                    raise PolicyRefusal(f"{initiative.key} has a decision in this session; undo it before removing it.")
                if row.current_item_id == item.id:
                    rec.update(row, current_item_id=None)
                rec.delete(item)
                rec.summary = f"Took {initiative.key} off the {row.quarter} agenda"
            return self.session_view(session, row)

    def move_agenda_item(self, quarter: str, key: str, delta: int) -> SessionView:
        with self.audited("reorder agenda") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            require_not_closed(row)
            items = list(
                session.scalars(select(AgendaItem).where(AgendaItem.session_id == row.id).order_by(AgendaItem.position))
            )
            initiative = lookup.initiative(session, key)
            index = next((i for i, it in enumerate(items) if it.initiative_id == initiative.id), None)
            if index is None:
                raise NotFound(f"{initiative.key} is not on the {row.quarter} agenda.")
            target = max(0, min(len(items) - 1, index + delta))
            if target != index:
                items.insert(target, items.pop(index))
                # Two passes keep positions unique at every flush.
                for offset, item in enumerate(items):
                    if item.position != offset + 1:
                        rec.update(item, position=-(offset + 1))
                for item in items:
                    if item.position < 0:
                        rec.update(item, position=-item.position)
            rec.summary = f"Moved {initiative.key} to position {target + 1} of the {row.quarter} agenda"
            return self.session_view(session, row)

    def set_current_item(self, quarter: str, key: str | None) -> None:
        """Remember which agenda item the meeting is on (so that a restart resumes there)."""
        with self.read() as session:
            row = lookup.session_row(session, quarter)
            item_id = None
            if key is not None:
                initiative = lookup.initiative(session, key)
                item_id = session.execute(
                    select(AgendaItem.id).where(
                        AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id
                    )
                ).scalar()
        table = ReviewSession.__table__
        self.bookkeeping_write(update(table).where(table.c.id == row.id).values(current_item_id=item_id))

    def add_time(self, quarter: str, key: str, seconds: int) -> None:
        """Add discussion time to an agenda item (the timebox clock)."""
        if seconds <= 0:
            return
        with self.read() as session:
            row = lookup.session_row(session, quarter)
            initiative = lookup.initiative(session, key)
        table = AgendaItem.__table__
        self.bookkeeping_write(
            update(table)
            .where(table.c.session_id == row.id, table.c.initiative_id == initiative.id)
            .values(spent_seconds=table.c.spent_seconds + int(seconds))
        )

    def set_timebox(self, quarter: str, key: str, minutes: int) -> SessionView:
        if not (1 <= minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {minutes}.")
        with self.audited("set timebox") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            initiative = lookup.initiative(session, key)
            item = session.scalars(
                select(AgendaItem).where(AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id)
            ).first()
            if item is None:
                raise NotFound(f"{initiative.key} is not on the {row.quarter} agenda.")
            rec.update(item, timebox_seconds=minutes * 60)
            rec.summary = f"Timebox of {initiative.key} set to {minutes} minutes"
            return self.session_view(session, row)

    def plan_session(
        self,
        quarter: str,
        *,
        held_on: dt.date,
        facilitator: int | str,
        attendees: Iterable[int | str],
        timebox_minutes: int = 8,
    ) -> SessionView:
        """Plan a session, in one audited action: the session with its facilitator and attendees, its
        budget lines proposed from the live initiatives' quarterly costs, and its agenda carried over
        (``domain.carryover``: not reached, iterate or hold, renewals due, next reviews in the quarter)."""
        parsed = Quarter.parse(quarter)
        quarter = str(parsed)
        if not (1 <= timebox_minutes <= 120):
            raise InvalidInput(f"A timebox is 1 to 120 minutes; got {timebox_minutes}.")
        if not (parsed.first_day <= held_on <= parsed.last_day):
            raise InvalidInput(
                f"A {quarter} session is held in {quarter} ({parsed.first_day.isoformat()} to "
                f"{parsed.last_day.isoformat()}); got {held_on.isoformat()}."
            )
        with self.audited("plan session") as rec:
            session = rec.session
            if session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first():
                raise InvalidInput(f"There is already a {quarter} session.")
            lead = lookup.person(session, facilitator)
            people = []
            for ref in attendees:
                person = lookup.person(session, ref)
                if person.id not in {p.id for p in people}:
                    people.append(person)
            if not people:
                raise InvalidInput(f"The {quarter} session needs attendees: the board members who score and sign.")
            row = rec.add(
                ReviewSession(
                    quarter=quarter, held_on=held_on, facilitator_id=lead.id, timebox_seconds=timebox_minutes * 60
                )
            )
            for person in people:
                rec.add(Attendee(session_id=row.id, person_id=person.id))
            lines = self.propose_budget_lines(rec, quarter)
            carried = self._carry_over(session, parsed, held_on)
            for position, item in enumerate(carried, 1):
                rec.add(
                    AgendaItem(
                        session_id=row.id,
                        initiative_id=item.initiative_id,
                        position=position,
                        timebox_seconds=row.timebox_seconds,
                        carried_reason=item.reason,
                    )
                )
            rec.summary = (
                f"Planned the {quarter} session on {held_on.isoformat()}, facilitated by {lead.name}, with "
                f"{len(people)} attendees; {len(carried)} items carried onto the agenda, {lines} budget lines proposed"
            )
            return self.session_view(session, row)

    def carry_over_preview(self, quarter: str, held_on: dt.date) -> list[carryover.Carried]:
        """What planning ``quarter`` on ``held_on`` would carry onto its agenda (nothing is written)."""
        with self.read() as session:
            return self._carry_over(session, Quarter.parse(quarter), held_on)

    def _carry_over(self, session: Session, quarter: Quarter, held_on: dt.date) -> list[carryover.Carried]:
        previous = session.scalars(
            select(ReviewSession).where(ReviewSession.quarter < str(quarter)).order_by(ReviewSession.quarter.desc())
        ).first()
        past: list[carryover.PastItem] = []
        if previous is not None:
            decided = dict(
                session.execute(
                    select(Decision.initiative_id, Decision.outcome).where(Decision.session_id == previous.id)
                ).all()
            )
            for initiative_id, key in session.execute(
                select(AgendaItem.initiative_id, Initiative.key)
                .join(Initiative, Initiative.id == AgendaItem.initiative_id)
                .where(AgendaItem.session_id == previous.id)
                .order_by(AgendaItem.position)
            ).all():
                outcome = decided.get(initiative_id)
                past.append(carryover.PastItem(initiative_id, key, DecisionOutcome(outcome) if outcome else None))
        latest: dict[int, tuple[dt.date | None, str]] = {}
        settled: dict[int, dt.date] = {}
        for initiative_id, outcome, next_review, quarter_of, day, started in session.execute(
            select(
                Decision.initiative_id,
                Decision.outcome,
                Decision.next_review,
                ReviewSession.quarter,
                ReviewSession.held_on,
                ReviewSession.started_at,
            )
            .join(ReviewSession, ReviewSession.id == Decision.session_id)
            .where(ReviewSession.quarter < str(quarter))
            .order_by(ReviewSession.quarter, Decision.decided_at, Decision.id)
        ).all():
            latest[initiative_id] = (next_review, quarter_of)
            if DecisionOutcome(outcome) in carryover.SETTLES_RENEWAL:
                settled[initiative_id] = started.date() if started else day
        live = [
            carryover.Candidate(
                initiative_id=i,
                key=key,
                stage=Stage(stage),
                renewal_date=renewal,
                next_review=latest.get(i, (None, None))[0],
                next_review_quarter=latest.get(i, (None, None))[1],
                renewal_settled_on=settled.get(i),
            )
            for i, key, stage, renewal in session.execute(
                select(Initiative.id, Initiative.key, Initiative.stage, Initiative.renewal_date)
                .where(Initiative.stage != Stage.RETIRED.value)
                .order_by(Initiative.key)
            ).all()
        ]
        return carryover.carried_items(quarter, held_on, previous.quarter if previous else None, past, live)

    def set_facilitator(self, quarter: str, person: int | str) -> SessionView:
        """Hand a session not yet ended to another facilitator (they act in the audit log from now on)."""
        with self.audited("set facilitator") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            require_not_closed(row)
            who = lookup.person(session, person)
            rec.update(row, facilitator_id=who.id)
            rec.summary = f"{who.name} facilitates the {row.quarter} session"
            return self.session_view(session, row)

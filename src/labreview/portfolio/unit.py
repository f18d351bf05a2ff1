"""The shared base of the service's areas: the engine, the person acting, the clock, the weights;
one read (``read``) and one audited transaction (``audited``) per use case, bookkeeping writes, and
storage errors said in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from labreview.domain import budget as budget_rules
from labreview.domain import scoring
from labreview.domain.errors import DomainError, InvalidInput, StorageError
from labreview.domain.vocabulary import (
    Criterion,
    SessionStatus,
)
from labreview.portfolio import ledger
from labreview.portfolio.changelog import ChangeLog
from labreview.store.engine import writer
from labreview.store.models import (
    Person,
    ReviewSession,
    Setting,
)

UNATTRIBUTED = "nobody named (no session, no --as)"
"""The audit log's actor when no person is named and no session is planned or open."""
WEIGHTS_SETTING = "weights"
"""The setting that holds the portfolio's criterion weights (``scoring.format_weights``)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Unit:
    """A portfolio database and the person acting on it: what every area's use cases share."""

    def __init__(
        self,
        engine: Engine,
        *,
        actor: str | None = "facilitator",
        clock: Callable[[], dt.datetime] = utc_now,
        weights: Mapping[Criterion, object] | None = None,
        read_only: bool = False,
    ) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self._actor = actor or None
        """Who acts through this object; None: the facilitator of the open (else the next) session."""
        self._clock = clock
        self._weights = scoring.validate_weights(weights) if weights else None
        """Weights given by the caller (a what-if, a benchmark); None: the portfolio's stored weights."""
        self.read_only = read_only
        self._mine: list[int] = []
        """The audit ids of the changes made through this object: what its undo may take back (another app
        on the same file, even under the same name, has its own)."""
        self.change_log = ChangeLog()
        """What each action committed through this object changed (the backlog's index is refreshed from it)."""

    @property
    def actor(self) -> str:
        """Who the audit log names for every change made through this object.

        A name given when opening (``--as NAME``), else the facilitator of the open session, else of
        the next planned one, else of the latest one; before any session exists, ``UNATTRIBUTED``
        (an action that plans the first session names its facilitator). Never the login name.
        """
        if self._actor:
            return self._actor
        with self.read() as session:
            return self._actor_in(session)

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name or None

    def _actor_in(self, session: Session) -> str:
        if self._actor:
            return self._actor
        rows = session.execute(
            select(ReviewSession.status, Person.name)
            .join(Person, Person.id == ReviewSession.facilitator_id)
            .where(ReviewSession.status.in_((SessionStatus.OPEN.value, SessionStatus.PLANNED.value)))
            .order_by(ReviewSession.quarter)
        ).all()
        for status in (SessionStatus.OPEN.value, SessionStatus.PLANNED.value):
            for found, name in rows:
                if found == status:
                    return name
        latest = session.execute(
            select(Person.name)
            .join(ReviewSession, ReviewSession.facilitator_id == Person.id)
            .order_by(ReviewSession.quarter.desc())
            .limit(1)
        ).scalar()
        return latest or UNATTRIBUTED

    def now(self) -> dt.datetime:
        return self._clock()

    def today(self) -> dt.date:
        """The day dates are derived from: the day the open session started, else the clock's day.

        In a meeting, a next review, a request's date or an action's due date follow the session's
        day, whatever the clock says while the record is written up.
        """
        with self.read() as session:
            started = session.execute(
                select(ReviewSession.started_at).where(ReviewSession.status == SessionStatus.OPEN.value).limit(1)
            ).scalar()
        return started.date() if started is not None else self.now().date()

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session:
                yield session
        except DomainError:
            raise
        except DatabaseError as exc:  # damaged, gone, unreadable: said in words like a failed write
            raise storage_error(exc) from exc

    @contextmanager
    def audited(self, action: str) -> Iterator[ledger.Recorder]:
        """One audited transaction. ``recorder.summary`` must be set by the caller."""
        if self.read_only:
            raise StorageError("This portfolio is open read-only; nothing can be changed.")
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                actor = self._actor_in(session)  # who acts is who it was when the action began (end session)
                recorder = ledger.Recorder(session)
                yield recorder
                event = None
                if recorder.changes:
                    if actor == UNATTRIBUTED:  # the action planned the first session: its facilitator
                        actor = self._actor_in(session)
                    event = ledger.append(
                        session,
                        at=self.now(),
                        actor=actor,
                        action=action,
                        summary=getattr(recorder, "summary", action),
                        changes=recorder.changes,
                        undoes_id=recorder.undoes_id,
                    )
                session.commit()
                if event is not None:
                    self.change_log.record(event.id, recorder.changes)
                    if action != "undo":
                        self._mine.append(event.id)
        except DomainError:
            raise
        except IntegrityError as exc:
            raise InvalidInput(f"That change conflicts with a record already there ({_first_line(exc)}).") from exc
        except DatabaseError as exc:  # locked, full, read-only, damaged: said in words, nothing was saved
            raise storage_error(exc) from exc

    def bookkeeping_write(self, statement: Any) -> None:
        """A bookkeeping write that is not a governance action (timer, agenda cursor): not audited."""
        if self.read_only:
            return
        try:
            with self._writer.begin() as connection:
                connection.execute(statement)
        except DatabaseError as exc:
            raise storage_error(exc) from exc

    @property
    def weights(self) -> dict[Criterion, Fraction]:
        """The criterion weights that decide weighted scores: the portfolio's, set by the board."""
        with self.read() as session:
            return self.weights_in(session)

    def weights_in(self, session: Session) -> dict[Criterion, Fraction]:
        if self._weights is not None:
            return self._weights
        row = session.get(Setting, WEIGHTS_SETTING)
        return scoring.parse_weights(row.value) if row else dict(scoring.DEFAULT_WEIGHTS)

    @property
    def currency(self) -> str:
        return self.settings()["currency"]

    def target_mix(self) -> budget_rules.TargetMix:
        return budget_rules.TargetMix.parse(self.settings()["target_mix"])


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0]


def explain_failure(target: object, exc: BaseException) -> str:
    """One sentence for an error that stopped ``target`` from being opened or read (the app's last resort)."""
    from labreview.store.database import sqlite_problem

    if isinstance(exc, DatabaseError):
        return f"The portfolio at {target} could not be opened: {sqlite_problem(exc.orig or exc)}."
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"The portfolio at {target} could not be opened: {type(exc).__name__}{': ' + first if first else ''}."


def storage_error(exc: DatabaseError) -> StorageError:
    from labreview.store.database import sqlite_problem

    problem = sqlite_problem(getattr(exc, "orig", None) or exc)
    if problem.startswith("the database file is damaged"):
        return StorageError(
            "The database file is damaged: the change was not saved. Restore it from a backup "
            f"and check it with labreview audit verify ({_first_line(exc)})."
        )
    if problem.startswith("the disk is full"):
        return StorageError("The disk is full: the change was not saved. Free some space and try again.")
    if problem.startswith("the database is locked"):
        return StorageError("The database is busy with another labreview; the change was not saved — try again.")
    if problem.startswith("the disk reported"):
        return StorageError(
            "The disk reported an input/output error: the change was not saved. The file may be fine; "
            "check the drive and try again."
        )
    if problem.startswith("the database cannot be written"):
        return StorageError("The database is read-only: the change was not saved.")
    return StorageError(f"The database refused the change ({_first_line(exc)}); nothing was saved.")

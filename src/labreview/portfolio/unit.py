"""The shared base of the service's areas: the engine, the person acting, the clock, the weights;
one read (``read``) and one audited transaction (``audited``) per use case, bookkeeping writes, and
storage errors said in words."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from labreview.domain import budget as budget_rules
from labreview.domain import scoring
from labreview.domain.errors import DomainError, InvalidInput, StaleEdit, StorageError
from labreview.domain.vocabulary import (
    DEFAULT_SETTINGS,
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
from labreview.store.rows import STALE

UNATTRIBUTED = "nobody named (no session, no --as)"
"""The audit log's actor when no person is named and no session is planned or open."""
BEGIN_ATTEMPTS = 4
"""How often a write transaction is begun before a dropped connection or a "try again" is reported."""
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
    def audited(self, action: str, *, actor: str | None = None) -> Iterator[ledger.Recorder]:
        """One audited transaction. ``recorder.summary`` must be set by the caller.

        ``actor``: who the record names instead of this object's actor (a board member scoring through
        their personal link, on the web service's one portfolio object)."""
        if self.read_only:
            raise StorageError("This portfolio is open read-only; nothing can be changed.")
        try:
            on_behalf = actor is not None  # not this object's own change: its undo does not take it back
            with self._write_session() as (session, acting):  # who it was when the action began
                actor = actor or acting
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
                    if action != "undo" and not on_behalf:
                        self._mine.append(event.id)
        except DomainError:
            raise
        except StaleDataError as exc:  # the database's own version check: another writer changed the row
            raise StaleEdit(STALE) from exc
        except IntegrityError as exc:
            raise InvalidInput(f"That change conflicts with a record already there ({_first_line(exc)}).") from exc
        except DatabaseError as exc:  # locked, full, read-only, damaged: said in words, nothing was saved
            raise storage_error(exc) from exc

    @contextmanager
    def _write_session(self) -> Iterator[tuple[Session, str]]:
        """A write transaction, begun (the write lock taken) and its actor read before the use case runs.

        Beginning is retried a few times when the server dropped the connection or asked to try again
        (SQLSTATE class 08, 40001, 40P01, 57P01–03): nothing of the use case has run yet, so nothing is
        done twice. A failure after that is reported, never retried: the use case's body is the caller's."""
        for attempt in range(BEGIN_ATTEMPTS):
            session = Session(self._writer, expire_on_commit=False)
            try:
                session.connection()  # BEGIN (IMMEDIATE on SQLite; with the write lock on PostgreSQL)
                actor = self._actor_in(session)
            except DBAPIError as exc:
                session.close()
                if attempt + 1 == BEGIN_ATTEMPTS or not _worth_retrying(exc):
                    raise
                time.sleep(0.05 * 2**attempt)
                continue
            with session:
                yield session, actor
            return

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

    @staticmethod
    def currency_in(session: Session) -> str:
        """The portfolio's currency, read in the transaction at hand."""
        stored = session.get(Setting, "currency")
        return stored.value if stored is not None and stored.value else DEFAULT_SETTINGS["currency"]

    def target_mix(self) -> budget_rules.TargetMix:
        return budget_rules.TargetMix.parse(self.settings()["target_mix"])


RETRYABLE = frozenset({"40001", "40P01", "57P01", "57P02", "57P03"})


def _worth_retrying(exc: DBAPIError) -> bool:
    from labreview.store.server import sqlstate

    code = sqlstate(exc)
    return (
        bool(exc.connection_invalidated)
        or code.startswith("08")
        or code in ("40001", "40P01", "57P01", "57P02", "57P03")
    )


def _first_line(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    return str(original).splitlines()[0]


def explain_failure(target: object, exc: BaseException) -> str:
    """One sentence for an error that stopped ``target`` from being opened or read (the app's last resort)."""
    from labreview.store.database import sqlite_problem
    from labreview.store.server import from_server, server_problem

    if isinstance(exc, DatabaseError) and from_server(exc):
        return f"The portfolio at {_shown(target)} could not be opened: {server_problem(exc)}."
    if isinstance(exc, DatabaseError):
        return f"The portfolio at {target} could not be opened: {sqlite_problem(exc.orig or exc)}."
    first = str(exc).splitlines()[0] if str(exc) else ""
    return f"The portfolio at {target} could not be opened: {type(exc).__name__}{': ' + first if first else ''}."


def _shown(target: object) -> str:
    """A database URL without its password (a file path as it is)."""
    text = str(target)
    if "://" not in text or "@" not in text:
        return text
    from sqlalchemy.engine import make_url

    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:
        return text.split("://", 1)[0] + "://…"


def storage_error(exc: DatabaseError) -> StorageError:
    from labreview.store.database import sqlite_problem
    from labreview.store.server import from_server

    if from_server(exc):
        return _server_storage_error(exc)

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


def _server_storage_error(exc: DatabaseError) -> StorageError:
    """A failed write on a PostgreSQL server, in words by its SQLSTATE: nothing was saved (the server rolled the
    whole transaction back)."""
    from labreview.store.server import server_problem, sqlstate

    code = sqlstate(exc)
    if code == "55P03":
        return StorageError("The database is busy with another labreview; the change was not saved — try again.")
    if code in ("40001", "40P01"):
        return StorageError("Another change came in at the same moment; the change was not saved — try again.")
    if code == "25006":
        return StorageError("The database is read-only: the change was not saved.")
    if code == "53100":
        return StorageError("The server's disk is full: the change was not saved. Free some space and try again.")
    if getattr(exc, "connection_invalidated", False) or code.startswith(("08", "57P")) or not code:
        detail = _first_line(exc).removeprefix("connection failed: ")
        return StorageError(
            f"The database server cannot be reached ({detail}): nothing was saved. Try again when it is back."
        )
    return StorageError(f"The database refused the change ({server_problem(exc)}); nothing was saved.")

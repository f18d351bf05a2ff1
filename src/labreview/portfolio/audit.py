"""The audit log: last action, undo, verification."""

from __future__ import annotations

from sqlalchemy import select

from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.portfolio import ledger
from labreview.portfolio.changelog import News, Touched
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    AuditEntry,
)
from labreview.store.models import (
    AuditEvent,
)


class Audit(Derived):
    """The audit log: last action, undo, verification; the live change feed."""

    def newest_event_id(self) -> int:
        """Id of the newest audit record (0: none yet); a mark for ``changes_since``."""
        with self.read() as session:
            return ledger.newest_id(session)

    def changes_since(self, seen: int) -> News:
        """The live change feed: what other processes committed after audit record ``seen``.

        Every committed action appends an audit record in its transaction, so when nothing changed this is one
        read of the newest record's id (``ledger.newest_id``). Records made through this object (``change_log``)
        are not news; another process's are listed, with what they touched read from their JSON. A log that
        went backwards (the file replaced by a backup) is news about everything."""
        with self.read() as session:
            newest = ledger.newest_id(session)
            if newest == seen:
                return News(newest)
            if newest < seen:
                return News(newest, touched=Touched(everything=True))
            ids = session.execute(select(AuditEvent.id).where(AuditEvent.id > seen).order_by(AuditEvent.id)).scalars()
            _, foreign = self.change_log.known(list(ids))
            if not foreign:
                return News(newest)
            return News(newest, tuple(foreign), ledger.touched_by(session, foreign))

    def last_action(self) -> str | None:
        """What ctrl+z would undo, in words (None when there is nothing)."""
        with self.read() as session:
            event = ledger.last_undoable(session, self.actor, self._mine)
            return event.summary if event else None

    def undo(self) -> str:
        """Undo this actor's last action; returns its summary. The undo itself is audited.

        Another facilitator may have acted since on what the action touched (signed
        the same request, checked the same gate): the derived columns (request
        status, access tier, current gate, score means) are then worked out again
        from what is left, in the same transaction, so that an undo never leaves an
        approval standing that the remaining signatures do not support.
        """
        with self.audited("undo") as rec:
            event = ledger.last_undoable(rec.session, self._actor_in(rec.session), self._mine)
            if event is None:
                raise NotFound("There is nothing to undo.")
            closed = ledger.closed_session_of(rec.session, event)
            if closed is not None:
                raise PolicyRefusal(
                    f"“{event.summary}” belongs to the {closed} session, which has ended: its record is final "
                    "(its minutes may have gone out). Correct it in the next session instead."
                )
            rec.changes.extend(ledger.revert(rec.session, event))
            self.rederive(rec, *ledger.touched(rec.changes))
            rec.undoes_id = event.id
            rec.summary = f"Undid: {event.summary}"
            return event.summary

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        with self.read() as session:
            undone = set(
                session.execute(select(AuditEvent.undoes_id).where(AuditEvent.undoes_id.is_not(None))).scalars()
            )
            rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
            return [AuditEntry(r.id, r.at, r.actor, r.action, r.summary, r.id in undone) for r in rows]

    def verify_audit(self, anchor: str = "") -> ledger.Verdict:
        """Check the audit log's hash chain and its head (and that ``anchor``, a record hash, is still in it)."""
        with self.read() as session:
            return ledger.check(session, anchor)

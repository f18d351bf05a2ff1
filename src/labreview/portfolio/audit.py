"""The audit log: last action, undo, verification."""

from __future__ import annotations

from sqlalchemy import select

from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.portfolio import ledger
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    AuditEntry,
)
from labreview.store.models import (
    AuditEvent,
)


class Audit(Derived):
    """The audit log: last action, undo, verification."""

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

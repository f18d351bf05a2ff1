"""The audit log: last action, undo, verification."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.portfolio import ledger
from labreview.portfolio.audit_history import HistoryIndex
from labreview.portfolio.changelog import News, Touched
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import AuditEntry, AuditRecord, RowChange
from labreview.store.models import AuditEvent, Initiative

PAGE = 200
"""The most audit records one page read returns."""
SHOWN_KEYS = 50
"""How many of a large import's initiative keys a record's detail lists (then "… and N more")."""
_ENTRY_COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.summary)


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
        """The newest ``limit`` audit records, newest first."""
        entries: list[AuditEntry] = []
        while len(entries) < limit:
            page = self.audit_page(before=entries[-1].id if entries else None, limit=min(PAGE, limit - len(entries)))
            if not page:
                break
            entries.extend(page)
        return entries

    def audit_total(self) -> int:
        """How many audit records the log holds."""
        with self.read() as session:
            return session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()

    def audit_page(self, *, before: int | None = None, limit: int = 50) -> list[AuditEntry]:
        """Up to ``limit`` (at most ``PAGE``) audit records with an id below ``before`` (None: the newest), newest
        first: one step down the primary key, however long the log (the changes' JSON is not read)."""
        query = select(*_ENTRY_COLUMNS).order_by(AuditEvent.id.desc()).limit(max(0, min(limit, PAGE)))
        if before is not None:
            query = query.where(AuditEvent.id < before)
        with self.read() as session:
            return _entries(session, session.execute(query).all())

    def audit_entries(self, ids: Sequence[int]) -> list[AuditEntry]:
        """The audit records ``ids`` (at most ``PAGE``), in the order given; ids not in the log are left out."""
        wanted = list(ids)[:PAGE]
        if not wanted:
            return []
        with self.read() as session:
            found = {
                e.id: e
                for e in _entries(
                    session, session.execute(select(*_ENTRY_COLUMNS).where(AuditEvent.id.in_(wanted))).all()
                )
            }
        return [found[i] for i in wanted if i in found]

    def audit_ids_of(self, initiative_key: str) -> list[int]:
        """Ids of the audit records that touched the initiative ``initiative_key`` (its row, or a row of its:
        scores, gate checks, requests and their signatures, decisions, action items, budget lines, agenda
        entries), newest first. See ``audit_history``: the log is replayed once per portfolio object, then
        only the records after the last one read."""
        with self.read() as session:
            initiative_id = session.execute(select(Initiative.id).where(Initiative.key == initiative_key)).scalar()
            if initiative_id is None:
                raise NotFound(f"There is no initiative {initiative_key}.")
            index = self._history_index()
            newest = ledger.newest_id(session)
            if newest < index.upto:  # the log went backwards (a backup put back): read it again
                index.reset()
            if newest > index.upto:
                rows = session.execute(
                    select(AuditEvent.id, AuditEvent.changes)
                    .where(AuditEvent.id > index.upto)
                    .order_by(AuditEvent.id)
                    .execution_options(yield_per=1000)
                )
                index.feed(rows, lambda: dict(session.execute(select(Initiative.key, Initiative.id)).all()))
            return index.records_of(initiative_id)

    def audit_record(self, event_id: int) -> AuditRecord:
        """One audit record in full: who, when, what, and every row it changed, before → after."""
        with self.read() as session:
            event = session.get(AuditEvent, event_id)
            if event is None:
                raise NotFound(f"There is no audit record {event_id}.")
            undone_by = session.execute(
                select(func.min(AuditEvent.id)).where(AuditEvent.undoes_id == event_id)
            ).scalar()
            entry = AuditEntry(event.id, event.at, event.actor, event.action, event.summary, undone_by is not None)
            try:
                raw = json.loads(event.changes)
                changes = tuple(_row_change(c) for c in raw)
            except (ValueError, TypeError, AttributeError):
                return AuditRecord(entry, (), event.undoes_id, undone_by, "Its changes could not be read.")
            return AuditRecord(entry, changes, event.undoes_id, undone_by)

    def _history_index(self) -> HistoryIndex:
        """This object's index of which records touched which initiative (built on first use)."""
        index = self.__dict__.get("_audit_history")
        if index is None:
            index = self.__dict__.setdefault("_audit_history", HistoryIndex())
        return index

    def verify_audit(self, anchor: str = "") -> ledger.Verdict:
        """Check the audit log's hash chain and its head (and that ``anchor``, a record hash, is still in it)."""
        with self.read() as session:
            return ledger.check(session, anchor)


def _entries(session: Any, rows: Sequence[Any]) -> list[AuditEntry]:
    """Entries of ``rows`` (id, at, actor, action, summary), each marked undone when a later record undid it."""
    ids = [r.id for r in rows]
    undone = set(
        session.execute(select(AuditEvent.undoes_id).where(AuditEvent.undoes_id.in_(ids))).scalars() if ids else ()
    )
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.summary, r.id in undone) for r in rows]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _row_change(raw: dict[str, Any]) -> RowChange:
    """One stored change as text: (column, before, after) per column it wrote."""
    op, table = str(raw.get("op")), str(raw.get("table"))
    key = ", ".join(f"{k}={_text(v)}" for k, v in (raw.get("key") or {}).items())
    before, after = raw.get("before") or {}, raw.get("after") or {}
    if op == "bulk":
        values = []
        for name, listed in (("created", after.get("created") or []), ("changed", list(after.get("changed") or {}))):
            if listed:
                shown = ", ".join(_text(k) for k in listed[:SHOWN_KEYS])
                more = len(listed) - SHOWN_KEYS
                values.append((name, "", shown + (f" … and {more:,} more" if more > 0 else "")))
        return RowChange(op, table, key, tuple(values))
    columns = list(after) + [c for c in before if c not in after]
    return RowChange(op, table, key, tuple((c, _text(before.get(c)), _text(after.get(c))) for c in columns))

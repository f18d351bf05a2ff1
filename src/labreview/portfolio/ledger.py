"""The audit ledger: every change is recorded in the transaction that makes it, and can be undone.

A ``Change`` is one row inserted, updated (only the columns that changed) or
deleted. An action's changes go into one ``audit_event`` row whose ``hash``
covers the previous event's hash, so that editing, deleting or reordering
records breaks the chain (see ``verify``). The ``audit_head`` row, rewritten in
the same transaction, remembers the newest record and the count, so that a log
cut short at its end (the newest records deleted) shows too.

What this does not do: somebody with write access to the file and this source
code can recompute every hash and the head after editing. Against that, keep the
head hash somewhere else (``labreview audit verify`` prints it; the minutes can
carry it) and check it later with ``verify --anchor``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json import loads
from typing import Any

from sqlalchemy import Table, and_, func, inspect, select, text
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from labreview.domain.errors import PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import SessionStatus
from labreview.portfolio.changelog import Touched, touch
from labreview.store.models import AuditEvent, AuditHead, ReviewSession, metadata
from labreview.store.schema import REVISIONS

GENESIS = "0" * 64
HEAD_SINCE = "0002"
"""The schema revision that added the ``audit_head`` table."""
IGNORED_ON_COMPARE = frozenset({"version", "updated_at"})
"""Columns that bookkeeping changes; undo bumps them instead of restoring them."""
REVERSIBLE = frozenset({"insert", "update", "delete"})
"""Change kinds ``revert`` can invert. A large import is recorded as one compact "bulk" change
(keys and changed field names, not every row), which cannot be undone."""


@dataclass
class Change:
    op: str  # "insert" | "update" | "delete"
    table: str
    key: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {"op": self.op, "table": self.table, "key": self.key, "before": self.before, "after": self.after}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _typed(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    python_type = _python_type(table, column)
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    return value


def _python_type(table: Table, column: str) -> type | None:
    type_ = table.c[column].type
    type_ = getattr(type_, "impl", type_)  # a decorated type (SQLModel's UTCDateTime) says ``object`` itself
    try:
        return type_.python_type
    except NotImplementedError:  # pragma: no cover - all our column types declare one
        return None


def row_of(obj: SQLModel) -> dict[str, Any]:
    table: Table = obj.__table__  # type: ignore[attr-defined]
    return {c.name: _plain(getattr(obj, c.name)) for c in table.columns}


def key_of(obj: SQLModel) -> dict[str, Any]:
    table: Table = obj.__table__  # type: ignore[attr-defined]
    return {c.name: getattr(obj, c.name) for c in table.primary_key.columns}


@dataclass
class Recorder:
    """Records what one action changes, through the ORM session it runs in."""

    session: Session
    changes: list[Change] = field(default_factory=list)
    undoes_id: int | None = None
    """Set by an undo: the event it takes back."""

    def add(self, obj: SQLModel) -> SQLModel:
        self.session.add(obj)
        self.session.flush()
        self.changes.append(Change("insert", obj.__tablename__, key_of(obj), None, row_of(obj)))
        return obj

    def update(self, obj: SQLModel, **values: Any) -> bool:
        """Set ``values`` on ``obj``; records and bumps ``version`` only if something changed."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, value in values.items():
            old = getattr(obj, name)
            if old != value:
                before[name] = _plain(old)
                after[name] = _plain(value)
                setattr(obj, name, value)
        if not after:
            return False
        if hasattr(obj, "version"):
            obj.version += 1
        self.session.add(obj)
        self.session.flush()
        self.changes.append(Change("update", obj.__tablename__, key_of(obj), before, after))
        return True

    def delete(self, obj: SQLModel) -> None:
        self.changes.append(Change("delete", obj.__tablename__, key_of(obj), row_of(obj), None))
        self.session.delete(obj)
        self.session.flush()


def event_hash(
    prev_hash: str,
    event_id: int,
    at: dt.datetime,
    actor: str,
    action: str,
    summary: str,
    changes: str,
    undoes_id: int | None,
) -> str:
    material = json.dumps(
        [prev_hash, event_id, _plain(at), actor, action, summary, changes, undoes_id],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    summary: str,
    changes: Sequence[Change],
    undoes_id: int | None = None,
) -> AuditEvent:
    """Write the audit event for ``changes``, chained to the last one. Call inside the write transaction."""
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    event_id = (last.id + 1) if last else 1
    prev_hash = last.hash if last else GENESIS
    payload = json.dumps([c.as_json() for c in changes], ensure_ascii=False, sort_keys=True, default=_plain)
    event = AuditEvent(
        id=event_id,
        at=at,
        actor=actor,
        action=action,
        summary=summary,
        changes=payload,
        undoes_id=undoes_id,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, event_id, at, actor, action, summary, payload, undoes_id),
    )
    session.add(event)
    head = session.get(AuditHead, 1)
    if head is None:
        session.add(AuditHead(id=1, event_id=event_id, records=event_id, hash=event.hash))
    else:
        head.event_id, head.records, head.hash = event_id, head.records + 1, event.hash
    session.flush()
    return event


def newest_id(connection: Any) -> int:
    """Id of the newest audit record (0 when the log is empty): one step down the primary key's index (the
    ``audit_head`` row says the same, but a file older than revision 0002, open read-only, has none)."""
    return connection.execute(select(func.max(AuditEvent.id))).scalar() or 0


def touched_by(connection: Any, event_ids: Sequence[int]) -> Touched:
    """What the audit records ``event_ids`` changed (``changelog.touch``), read from their stored JSON: for the
    records another process made (this process's own are in its ``ChangeLog``)."""
    total = Touched()
    for start in range(0, len(event_ids), 500):
        payloads = connection.execute(
            select(AuditEvent.changes).where(AuditEvent.id.in_(event_ids[start : start + 500]))
        ).scalars()
        for payload in payloads:
            total |= touch(loads(payload))
            if total.everything:
                return total
    return total


def last_undoable(session: Session, actor: str, ids: Sequence[int]) -> AuditEvent | None:
    """The newest event among ``ids`` (those made through one open portfolio) by ``actor`` that changed
    something and has not been undone."""
    undone = select(AuditEvent.undoes_id).where(AuditEvent.undoes_id.is_not(None))
    if not ids:
        return None
    return session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.id.in_(list(ids)[-1000:]),
            AuditEvent.actor == actor,
            AuditEvent.undoes_id.is_(None),
            AuditEvent.id.not_in(undone),
            AuditEvent.action != "undo",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()


def closed_session_of(session: Session, event: AuditEvent) -> str | None:
    """The quarter of a closed session whose record ``event`` changed (a score, a decision, a signature in
    it, or the ending itself), or None: a closed record is final, never undone."""
    closed = dict(
        session.execute(
            select(ReviewSession.id, ReviewSession.quarter).where(ReviewSession.status == SessionStatus.CLOSED.value)
        ).all()
    )
    if not closed:
        return None
    for raw in json.loads(event.changes):
        rows = [row for row in (raw.get("before"), raw.get("after")) if row]
        for row in rows:
            if raw.get("table") == ReviewSession.__tablename__:
                if row.get("status") == SessionStatus.CLOSED.value or raw.get("key", {}).get("id") in closed:
                    return closed.get(raw.get("key", {}).get("id")) or row.get("quarter")
            elif row.get("session_id") in closed:
                return closed[row["session_id"]]
    return None


def revert(session: Session, event: AuditEvent) -> list[Change]:
    """Apply the inverse of ``event``'s changes, newest first; refuse if any row moved on since."""
    recorded = json.loads(event.changes)
    if any(raw.get("op") not in REVERSIBLE for raw in recorded):
        raise PolicyRefusal(
            f"“{event.summary}” cannot be undone: it was too large to record row by row. "
            "Correct it with another import (an export taken before it has the earlier values)."
        )
    inverse: list[Change] = []
    for raw in reversed(recorded):
        change = Change(**raw)
        table = metadata.tables[change.table]
        where = and_(*(table.c[k] == v for k, v in change.key.items()))
        current = session.execute(select(table).where(where)).mappings().first()
        if change.op == "insert":
            _require(current is not None and _same(table, current, change.after), event)
            session.execute(table.delete().where(where))
            inverse.append(Change("delete", change.table, change.key, change.after, None))
        elif change.op == "delete":
            _require(current is None, event)
            row = {k: _typed(table, k, v) for k, v in change.before.items()}
            session.execute(table.insert().values(**row))
            inverse.append(Change("insert", change.table, change.key, None, change.before))
        else:
            _require(current is not None and _same(table, current, change.after), event)
            values = {k: _typed(table, k, v) for k, v in change.before.items() if k not in IGNORED_ON_COMPARE}
            if "version" in table.c:
                values["version"] = current["version"] + 1
            session.execute(table.update().where(where).values(**values))
            inverse.append(Change("update", change.table, change.key, change.after, change.before))
    session.expire_all()
    return inverse


def touched(changes: Iterable[Change]) -> tuple[set[int], set[int]]:
    """Ids of the initiatives and access requests whose rows ``changes`` wrote (directly or through a child row)."""
    initiatives: set[int] = set()
    requests: set[int] = set()
    for change in changes:
        rows = [row for row in (change.before, change.after) if row]
        if change.table == "initiative":
            initiatives.add(change.key["id"])
        elif change.table == "access_request":
            requests.add(change.key["id"])
        for row in rows:
            if row.get("initiative_id") is not None:
                initiatives.add(row["initiative_id"])
            if change.table == "access_signature" and row.get("request_id") is not None:
                requests.add(row["request_id"])
    return initiatives, requests


def _same(table: Table, current: Any, expected: dict[str, Any]) -> bool:
    return all(_plain(current[name]) == value for name, value in expected.items() if name not in IGNORED_ON_COMPARE)


def _require(ok: bool, event: AuditEvent) -> None:
    if not ok:
        raise StaleEdit(f"Cannot undo “{event.summary}”: what it changed has been changed again since.")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""
    head: str = ""
    """Hash of the newest record when the log is intact (to keep elsewhere, e.g. in the minutes)."""
    unanchored: int = 0
    """Records found without a head when the schema was upgraded from 0001: a cut at their end before
    the upgrade cannot be seen in the file itself (only against an anchor kept elsewhere)."""

    @property
    def message(self) -> str:
        if self.ok:
            return f"ok: {self.checked} audit records, chain intact"
        if self.broken_at is None:
            return f"broken: {self.reason}"
        return f"broken at audit record {self.broken_at}: {self.reason}"


_UNCHECKED: Any = object()


def verify(events: Iterable[AuditEvent], head: AuditHead | None = _UNCHECKED, anchor: str = "") -> Verdict:
    """Walk the chain in id order; report the first record that does not follow from the one before.

    With ``head`` (the ``audit_head`` row, or None when there is none) the end of
    the log must be where the head says. With ``anchor`` (a record hash kept
    elsewhere) that record must still be in the chain.
    """
    prev_hash = GENESIS
    expected_id = 1
    checked = 0
    anchor = anchor.strip().lower()
    anchored = not anchor
    for event in events:
        if event.id != expected_id:
            if event.id > expected_id:
                if event.id == expected_id + 1:
                    missing = f"record {expected_id} is missing"
                else:
                    missing = f"records {expected_id}–{event.id - 1} are missing"
                return Verdict(False, checked, expected_id, f"{missing} (the next one is {event.id})")
            return Verdict(False, checked, event.id, f"it is out of order (expected record {expected_id})")
        if event.prev_hash != prev_hash:
            return Verdict(False, checked, event.id, "it does not follow the record before it (deleted or reordered)")
        recomputed = event_hash(
            event.prev_hash,
            event.id,
            event.at,
            event.actor,
            event.action,
            event.summary,
            event.changes,
            event.undoes_id,
        )
        if recomputed != event.hash:
            return Verdict(False, checked, event.id, "its content was changed after it was written")
        anchored = anchored or event.hash == anchor
        prev_hash = event.hash
        expected_id = event.id + 1
        checked += 1
    last_id = expected_id - 1
    if head is not _UNCHECKED:
        if head is None:
            if checked:
                return Verdict(
                    False, checked, None, "the head of the log is missing, so a cut-off end could not be seen"
                )
        elif head.event_id > last_id:
            if head.event_id == last_id + 1:
                gone = f"record {last_id + 1} is missing"
            else:
                gone = f"records {last_id + 1}–{head.event_id} are missing"
            return Verdict(False, checked, last_id + 1, f"{gone} at the end (the log was cut short)")
        elif head.event_id < last_id:
            return Verdict(
                False,
                checked,
                head.event_id + 1,
                f"it comes after the recorded end of the log (record {head.event_id})",
            )
        elif head.hash != prev_hash or head.records != checked:
            return Verdict(False, checked, last_id, "it is not the newest record the log recorded at its head")
    if not anchored:
        return Verdict(False, checked, None, f"no record has the hash {anchor}: the log no longer reaches it")
    return Verdict(True, checked, head=prev_hash if checked else "")


def check(session: Session, anchor: str = "") -> Verdict:
    """Verify the log of this database, its head included when the schema has one (revision 0002 on), then
    replay it against the tables (see ``replay``).

    A schema that should have the head table but lacks it counts as a missing head,
    so that dropping the table does not switch the check off.
    """
    unanchored = 0
    if inspect(session.connection()).has_table(AuditHead.__tablename__):
        head = session.get(AuditHead, 1)
        boundary = session.get(AuditHead, UPGRADE_BOUNDARY)
        unanchored = boundary.event_id if boundary is not None else 0
    else:
        head = None if _schema_has_head(session) else _UNCHECKED
    verdict = verify(iter_events(session), head, anchor)
    if not verdict.ok:
        return verdict
    differs = replay(session)
    if differs:
        return Verdict(False, verdict.checked, None, differs)
    return Verdict(True, verdict.checked, head=verdict.head, unanchored=unanchored)


UPGRADE_BOUNDARY = 2
"""The ``audit_head`` row that migration 0002 writes when it finds a log without a head: how far that log
reached then. The head (row 1) is set there too, but only an anchor kept elsewhere shows whether the log
had already been cut, so ``verify`` says so instead of calling those records anchored."""

UNAUDITED_COLUMNS: dict[str, frozenset[str]] = {
    "review_session": frozenset({"current_item_id"}),
    "agenda_item": frozenset({"spent_seconds"}),
}
"""Bookkeeping the service writes without an audit record (the agenda cursor, the timebox clock)."""
NOT_REPLAYED = frozenset({"audit_event", "audit_head", "alembic_version", "presence", "service_state"})
"""Tables the log does not hold: the log itself, and what running programs tell each other (not audited)."""
_GONE: Any = object()


def replay(session: Session) -> str:
    """Rebuild every row from the log's before → after records and compare with the tables; "" when they
    agree, else a sentence about the first row that differs (an edit made behind labreview's back).

    What the log cannot pin down is not compared: ``version`` and ``updated_at`` (bookkeeping), the
    columns in ``UNAUDITED_COLUMNS``, and the values of initiatives, intakes and people that a large
    import recorded compactly (keys and field names only): those are compared from their next recorded
    change on.
    """
    expected: dict[str, dict[tuple, Any]] = {}
    bulk_keys: set[str] = set()
    bulk_fields: dict[str, set[str]] = {}
    bulk = False
    for (payload,) in session.execute(select(AuditEvent.changes).order_by(AuditEvent.id)).yield_per(500):
        for raw in json.loads(payload):
            op, table = raw.get("op"), raw.get("table")
            if op == "bulk":
                bulk = True
                after = raw.get("after") or {}
                bulk_keys.update(after.get("created", []))
                for key, fields in (after.get("changed") or {}).items():
                    bulk_fields.setdefault(key, set()).update(fields)
                continue
            if table not in metadata.tables or table in NOT_REPLAYED:
                continue
            rows = expected.setdefault(table, {})
            key = tuple(sorted((raw.get("key") or {}).items()))
            if op == "insert":
                rows[key] = dict(raw.get("after") or {})
            elif op == "update":
                known = rows.get(key)
                if known is None or known is _GONE:
                    known = rows[key] = {}
                known.update(raw.get("after") or {})
            elif op == "delete":
                rows[key] = _GONE
    inspector = inspect(session.connection())  # an older schema (read, not upgraded) lacks newer tables and columns
    present = set(inspector.get_table_names())
    for name in sorted(metadata.tables):
        if name in NOT_REPLAYED or name not in present:
            continue
        table = metadata.tables[name]
        stored = {c["name"] for c in inspector.get_columns(name)}
        ignored = IGNORED_ON_COMPARE | UNAUDITED_COLUMNS.get(name, frozenset()) | (set(table.c.keys()) - stored)
        rows = expected.get(name, {})
        key_columns = [c.name for c in table.primary_key.columns]
        seen: set[tuple] = set()
        columns = [c for c in table.c if c.name in stored]
        for current in session.execute(select(*columns).order_by(*table.primary_key.columns)).mappings():
            key = tuple(sorted((k, current[k]) for k in key_columns))
            seen.add(key)
            known = rows.get(key)
            where = _row_name(name, key, current)
            if known is None:
                if bulk and _from_bulk(name, current, bulk_keys, bulk_fields):
                    continue
                return f"{where} is in the database, but no audit record created it"
            if known is _GONE:
                return f"{where} is in the database, but the audit log records its deletion"
            skip = set(bulk_fields.get(current["key"], ())) if name == "initiative" and bulk else set()
            for column, value in known.items():
                if column in ignored or column in skip or column not in table.c:
                    continue
                if not _agrees(table, column, current[column], value):
                    return (
                        f"{where} has {column} = {_shown(current[column])}, but its audit history says {_shown(value)}"
                    )
        for key, known in rows.items():
            if key not in seen and known is not _GONE:
                return f"{_row_name(name, key, None)} is missing from the database, but no audit record deleted it"
    return ""


def _from_bulk(table: str, row: Any, keys: set[str], fields: dict[str, set[str]]) -> bool:
    """Whether a row no record created may come from a large import, which records keys, not rows."""
    if table == "initiative":
        return row["key"] in keys or row["key"] in fields
    return table in ("intake", "person")


def _agrees(table: Table, column: str, current: Any, recorded: Any) -> bool:
    if current is None or recorded is None:
        return current is None and recorded is None
    python_type = _python_type(table, column)
    if python_type is dt.datetime:
        try:
            return _utc(current) == _utc(dt.datetime.fromisoformat(recorded))
        except (TypeError, ValueError):
            return False
    return _plain(current) == recorded


def _utc(value: dt.datetime) -> dt.datetime:
    """Stored datetimes come back without a zone; they were written in UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _row_name(table: str, key: tuple, row: Any) -> str:
    ident = ", ".join(f"{k} {v}" for k, v in key)
    label = f" ({row['key']})" if row is not None and table == "initiative" else ""
    return f"the {table} row with {ident}{label}"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(_plain(value))
    return text if len(text) <= 60 else text[:57] + "…"


def _schema_has_head(session: Session) -> bool:
    """Whether the database's schema revision is one that has the ``audit_head`` table."""
    if not inspect(session.connection()).has_table("alembic_version"):
        return True
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision not in REVISIONS:
        return True  # a newer schema keeps the head
    return REVISIONS.index(revision) >= REVISIONS.index(HEAD_SINCE)


def iter_events(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500))

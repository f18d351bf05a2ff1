"""Which audit records touched which initiative: an index built by replaying the log's JSON, oldest first.

The initiative a record touched is not a column of ``audit_event``; it is in the record's changes, and not
always in so many words. An insert or a delete carries the whole row (``initiative_id``, or the initiative's
own ``key``), but an update carries only the columns it changed: a score re-scored, an action item done or an
access request approved name the row by its id alone. A text search of the JSON (``LIKE '%"initiative_id":
12%'``) would both miss those and match initiative 120. So the log is replayed in id order, the way ``audit
verify`` does: every row's owner is learnt from the record that created it (``initiative_id``; a signature
through its request, a ballot's score through its ballot) and an update or delete of that row is put down to
the same initiative. A large import records initiative keys, not ids: ``keys`` (key → id, read from the table
when a record needs it) resolves those.

The index is kept by the portfolio object and only extended with the records after the last one it read
(records are never changed once written: the hash chain says so); a log that went backwards (a backup put
back) is read again from the start. Reading 100,000 records once costs about a second (JSON parsing), in the
UI's worker; afterwards a question is a dictionary look-up. Standard library only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from json import loads
from typing import Any

PARENTS = {"access_signature": ("request_id", "access_request"), "ballot_score": ("ballot_id", "ballot")}
"""Rows that belong to an initiative through another row: (the column naming the parent, the parent's table)."""


class HistoryIndex:
    """Audit record ids per initiative id, for the records read so far (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.upto = 0
        """The newest audit record read into the index."""
        self._records: dict[int, list[int]] = {}
        """Initiative id → the ids of the records that touched it, oldest first."""
        self._owner: dict[tuple[str, tuple], int] = {}
        """(table, primary key) → the initiative the row belongs to."""
        self._keys: dict[str, int] = {}
        """Initiative key → id, as the log's initiative rows say."""

    def reset(self) -> None:
        with self._lock:
            self.upto = 0
            self._records.clear()
            self._owner.clear()
            self._keys.clear()

    def feed(self, records: Iterable[tuple[int, str]], keys: Callable[[], Mapping[str, int]] | None = None) -> None:
        """Read ``records`` (id, changes JSON), in ascending id order, after ``upto``. ``keys``: reads the current
        initiative key → id (called once, only if a large import's record names keys the log does not)."""
        loaded: dict[str, int] = {}

        def current(key: str) -> int | None:
            if not loaded and keys is not None:
                loaded.update(keys())
            return loaded.get(key)

        with self._lock:
            for event_id, payload in records:
                if event_id <= self.upto:
                    continue
                try:
                    changes = loads(payload)
                except ValueError:
                    changes = []  # a record that is not JSON touched nothing we can name (verify says why)
                touched: set[int] = set()
                for change in changes if isinstance(changes, list) else ():
                    if isinstance(change, dict):
                        touched |= self._one(change, current)
                for initiative in touched:
                    self._records.setdefault(initiative, []).append(event_id)
                self.upto = event_id

    def records_of(self, initiative_id: int) -> list[int]:
        """Ids of the records (read so far) that touched ``initiative_id``, newest first."""
        with self._lock:
            return list(reversed(self._records.get(initiative_id, ())))

    def _one(self, change: dict[str, Any], current: Callable[[str], int | None]) -> set[int]:
        op, table = change.get("op"), change.get("table")
        key = change.get("key") if isinstance(change.get("key"), dict) else {}
        rows = [row for row in (change.get("before"), change.get("after")) if isinstance(row, dict)]
        if op == "bulk":
            after = rows[-1] if rows else {}
            named = list(after.get("created") or []) + list(after.get("changed") or {})
            return {i for i in (self._keys.get(k) or current(k) for k in named if isinstance(k, str)) if i}
        found: set[int] = set()
        if table == "initiative" and isinstance(key.get("id"), int):
            found.add(key["id"])
            for row in rows:
                if isinstance(row.get("key"), str):
                    self._keys[row["key"]] = key["id"]
        for source in (key, *rows):
            if isinstance(source.get("initiative_id"), int):
                found.add(source["initiative_id"])
        if table in PARENTS:
            column, parent = PARENTS[table]
            for row in rows:
                owner = self._owner.get((parent, (("id", row.get(column)),)))
                if owner is not None:
                    found.add(owner)
        ident = (str(table), tuple(sorted(key.items())))
        if not found:
            owner = self._owner.get(ident)
            if owner is not None:
                found.add(owner)
        if table != "initiative" and found:
            # an update that moved the row to another initiative names both; the row now belongs to the new one
            after = change.get("after") if isinstance(change.get("after"), dict) else {}
            moved = after.get("initiative_id")
            self._owner[ident] = moved if isinstance(moved, int) else min(found)
        return found

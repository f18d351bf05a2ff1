"""What each committed action changed, as far as the backlog's memory index cares: kept in memory by the
portfolio that made the change, so that the index is refreshed without reading the audit log's JSON back.

``Unit.audited`` records every action it commits here (``ChangeLog.record``), from the ``Change`` objects
it has at hand. A change made by another process (another app on the same file) is not here: the backlog
reads those from the audit log and summarizes them with the same ``touch`` (see ``portfolio.backlog``).
Standard library only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WEIGHTS = "weights"
"""The setting holding the criterion weights (``unit.WEIGHTS_SETTING``; repeated here to stay stdlib-only)."""
KEEP = 4096
"""How many actions are remembered; an older one, if ever asked for, is read from the audit log instead."""


@dataclass(frozen=True)
class Touched:
    """What one action changed of the backlog's columns."""

    initiatives: frozenset[int] = frozenset()
    """Ids of the initiatives whose row was inserted, updated or deleted."""
    titles: bool = False
    """A title changed, or an initiative came or went: the title order must be read again."""
    everything: bool = False
    """A change the record cannot pin down (a bulk import, a person renamed) or one that changes every row (the
    criterion weights, which every weighted score follows): reload the whole index."""

    def __or__(self, other: Touched) -> Touched:
        return Touched(
            self.initiatives | other.initiatives, self.titles or other.titles, self.everything or other.everything
        )


def touch(changes: Iterable[Mapping[str, Any]]) -> Touched:
    """``changes`` (each with ``op``, ``table``, ``key``, ``after``, as the audit log stores them) summarized."""
    initiatives: set[int] = set()
    titles = False
    for change in changes:
        op, table = change.get("op"), change.get("table")
        if op == "bulk" or table == "person" or (table == "setting" and change["key"].get("key") == WEIGHTS):
            return Touched(everything=True)
        if table == "initiative":
            initiatives.add(int(change["key"]["id"]))
            titles = titles or op != "update" or "title" in (change.get("after") or {})
    return Touched(frozenset(initiatives), titles)


@dataclass(frozen=True)
class News:
    """What the audit log holds beyond a mark (``Portfolio.changes_since``): the live change feed's answer."""

    newest: int
    """Id of the newest audit record: the mark to ask from next time."""
    foreign: tuple[int, ...] = ()
    """Ids of the records after the mark that another process made (this process's own are not news)."""
    touched: Touched = Touched()
    """What those foreign records changed, as far as the backlog cares (``touch``)."""

    @property
    def any(self) -> bool:
        """Another process changed something: what shows the portfolio must be read again."""
        return bool(self.foreign) or self.touched.everything


class ChangeLog:
    """Audit id → ``Touched``, for the actions committed through one portfolio object (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._touched: dict[int, Touched] = {}
        self.count = 0
        """Actions recorded so far: a change counter (what was computed before a change is stale after it)."""

    def record(self, event_id: int, changes: Iterable[Any]) -> None:
        """An action was committed as audit record ``event_id``; ``changes`` are its ``ledger.Change`` objects."""
        touched = touch({"op": c.op, "table": c.table, "key": c.key, "after": c.after} for c in changes)
        with self._lock:
            self._touched[event_id] = touched
            while len(self._touched) > KEEP:
                del self._touched[next(iter(self._touched))]
            self.count += 1

    def known(self, event_ids: Iterable[int]) -> tuple[Touched, list[int]]:
        """What the actions ``event_ids`` touched, as far as recorded here, and the ids not recorded here
        (made by another process, or too long ago)."""
        total, unknown = Touched(), []
        with self._lock:
            for event_id in event_ids:
                touched = self._touched.get(event_id)
                if touched is None:
                    unknown.append(event_id)
                else:
                    total |= touched
        return total, unknown

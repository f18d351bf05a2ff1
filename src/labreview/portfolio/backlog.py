"""The backlog: filters and order served by SQL or by the memory index."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError

from labreview.domain.vocabulary import (
    Stage,
)
from labreview.portfolio.backlog_index import BacklogIndex
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import backlog_row
from labreview.portfolio.unit import storage_error
from labreview.portfolio.views import (
    BacklogPage,
    BacklogRow,
)
from labreview.store import queries
from labreview.store.models import (
    AuditEvent,
    Initiative,
)
from labreview.store.rows import queryable


class Backlog(Derived):
    """The backlog: filters and order served by SQL or by the memory index."""

    def backlog(
        self,
        filters: queries.Filters,
        order: queries.Order | None = None,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> BacklogPage:
        """One window of the backlog and the number of rows matching ``filters``."""
        order = order or queries.Order()
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            rows = queries.page(connection, filters, order, offset, limit)
            total = queries.count(connection, filters)
        return BacklogPage(tuple(backlog_row(r) for r in rows), offset, total)

    def find_initiatives(self, text: str, limit: int = 12) -> list[tuple[str, str, str]]:
        """(key, title, stage) of initiatives whose key starts with, or whose text contains, ``text``."""
        wanted = queryable(text.strip().lower())
        if not wanted:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Initiative.key, Initiative.title, Initiative.stage)
                .where(func.instr(Initiative.search_text, wanted) > 0)
                .order_by(func.instr(func.lower(Initiative.key), wanted) != 1, Initiative.key)
                .limit(limit)
            ).all()
        return [(k, t, s) for k, t, s in rows]

    def backlog_index(self, filters: queries.Filters, order: queries.Order) -> list[int]:
        """Ids of every initiative matching ``filters`` in display order; pair with ``backlog_rows_by_id``."""
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            return queries.index(connection, filters, order)

    def backlog_page(self, filters: queries.Filters, order: queries.Order, offset: int, limit: int) -> list[BacklogRow]:
        """One window of the backlog from SQL (LIMIT/OFFSET), without counting."""
        order = queries.Order(order.column, order.descending, order.group_by_stage, self._weights_by_column())
        with self.engine.connect() as connection:
            return [backlog_row(r) for r in queries.page(connection, filters, order, offset, limit)]

    def backlog_memory_index(self) -> BacklogIndex:
        """The backlog's filter and sort columns in memory (see ``portfolio.backlog_index``)."""
        with self.engine.connect() as connection, connection.begin():  # one snapshot for the mark and the rows
            mark = connection.execute(select(func.max(AuditEvent.id))).scalar() or 0
            index = BacklogIndex.build(
                queries.backlog_columns(connection), queries.backlog_search_text(connection), self._weights_by_column()
            )
            index.order_titles(queries.backlog_title_order(connection))
        index.mark = mark
        return index

    def backlog_memory_refresh(self, index: BacklogIndex) -> BacklogIndex:
        """``index`` brought up to date: the initiatives changed since its mark (from the audit log) are
        read again; a change the log cannot pin down (a bulk import, a renamed person) reloads everything."""
        try:
            return self._refresh_index(index)
        except DatabaseError as exc:
            raise storage_error(exc) from exc

    def _refresh_index(self, index: BacklogIndex) -> BacklogIndex:
        with self.engine.connect() as connection, connection.begin():
            events = connection.execute(
                select(AuditEvent.id, AuditEvent.changes).where(AuditEvent.id > index.mark).order_by(AuditEvent.id)
            ).all()
            if not events:
                return index
            touched: set[int] = set()
            titles = False
            for _event_id, payload in events:
                for change in json.loads(payload):
                    if change.get("op") == "bulk" or change.get("table") == "person":
                        return self.backlog_memory_index()
                    if change.get("table") == "initiative":
                        touched.add(int(change["key"]["id"]))
                        titles = titles or change.get("op") != "update" or "title" in (change.get("after") or {})
            if touched:
                index.patch(queries.backlog_columns(connection, sorted(touched)), touched)
            if titles:
                index.order_titles(queries.backlog_title_order(connection))
            index.mark = events[-1][0]
        return index

    def backlog_rows_by_id(self, ids: Sequence[int], agenda_session: int | None = None) -> list[BacklogRow]:
        with self.engine.connect() as connection:
            return [
                backlog_row(r) for r in queries.rows_by_id(connection, ids, agenda_session, self._weights_by_column())
            ]

    def backlog_count(self, filters: queries.Filters) -> int:
        with self.engine.connect() as connection:
            return queries.count(connection, filters)

    def backlog_stage_counts(self, filters: queries.Filters) -> dict[Stage, int]:
        with self.engine.connect() as connection:
            counts = queries.counts_by_stage(connection, filters)
        return {stage: counts.get(stage.value, 0) for stage in Stage}

    def _weights_by_column(self) -> dict[str, float]:
        return {f"score_{c.value.replace('-', '_')}": float(w) for c, w in self.weights.items()}

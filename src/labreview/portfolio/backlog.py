"""The backlog: the screen's one collaborator (``Backlog``), and the SQL and memory index it is served by.

``Backlog`` gives a view for a filter and an order (``views.BacklogView``: length, groups, rows fetched by
place, a key located), served by SQL until the memory index (``backlog_index``) has loaded, then by the
index; it loads the index and refreshes it. ``BacklogQueries`` is the area of ``Portfolio`` underneath.

The index is refreshed from what the actions committed through this portfolio recorded
(``unit.Unit.change_log``), not by reading the audit log back; only changes made by another process
(another app on the same file) are read from the log's records, and summarized the same way
(``changelog.touch``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError

from labreview.domain.backlog_query import Filters, Order
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import (
    Stage,
)
from labreview.portfolio import ledger
from labreview.portfolio.backlog_index import BacklogIndex
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import backlog_row
from labreview.portfolio.unit import storage_error
from labreview.portfolio.views import (
    BacklogPage,
    BacklogRow,
    BacklogView,
)
from labreview.store import queries
from labreview.store.models import (
    AuditEvent,
    Initiative,
)
from labreview.store.portable import matchable, position_of, snapshot
from labreview.store.rows import queryable


class Backlog:
    """The backlog screen's one collaborator: a view for each filter and order, from SQL until the memory
    index has loaded (``load``, off the UI thread), then from the index, which ``refresh`` keeps current.

    A storage error while refreshing drops the index: SQL serves again (the index loads again next start).
    """

    def __init__(self, portfolio: BacklogQueries) -> None:
        self.portfolio = portfolio
        self._index: BacklogIndex | None = None
        self._total: tuple[int, int] | None = None
        """(the portfolio's change count, how many initiatives) for the SQL path, counted once per change."""
        self._overlapping: tuple[dict, frozenset[str]] | None = None
        """(the overlaps as ``Portfolio.overlaps`` gave them, their keys) for ``overlap:yes``."""

    @property
    def index(self) -> BacklogIndex | None:
        """The memory index, once loaded (None: SQL serves)."""
        return self._index

    @property
    def in_memory(self) -> bool:
        """Served by the memory index: a view costs milliseconds (else a view runs SQL: make it off the UI thread)."""
        return self._index is not None

    @property
    def currency(self) -> str:
        return self.portfolio.currency

    def load(self) -> None:
        """Load the memory index (about a second at 100,000 initiatives: off the UI thread) and serve from it."""
        index = self.portfolio.backlog_memory_index()
        self._index = self.portfolio.backlog_memory_refresh(index)

    def refresh(self) -> None:
        """Bring the memory index up to date with what changed since it was loaded or last refreshed."""
        if self._index is not None:
            try:
                self._index = self.portfolio.backlog_memory_refresh(self._index)
            except DomainError:
                self._index = None  # the SQL path serves; the index loads again next start

    def view(self, filters: Filters, order: Order, agenda: Collection[str] = ()) -> BacklogView:
        """The backlog for ``filters`` in ``order``; ``agenda``: the keys on the session's agenda
        (``filters.agenda_session`` names that session for SQL and for the rows' agenda mark)."""
        if filters.overlaps:
            filters = replace(filters, only_keys=self.overlapping())
        index = self._index
        if index is None:
            return self._sql_view(filters, order)
        ids = index.select(filters, order, agenda)
        groups = _groups(index.stage_counts(ids)) if order.group_by_stage else []
        portfolio, session_id = self.portfolio, filters.agenda_session

        def fetch(offset: int, count: int) -> list[BacklogRow]:
            return portfolio.backlog_rows_by_id(ids[offset : offset + count], session_id)

        def locate(key: str) -> int | None:
            key_id = index.id_of(key)
            if key_id is None:
                return None
            try:
                return ids.index(key_id)
            except ValueError:
                return None

        return BacklogView(len(ids), len(index), groups, fetch, locate, in_memory=True)

    def overlapping(self) -> frozenset[str]:
        """The keys of the initiatives that overlap another (found again after any change, another process's
        too: ``Portfolio.overlaps``)."""
        found = self.portfolio.overlaps()
        if self._overlapping is None or self._overlapping[0] is not found:
            self._overlapping = (found, frozenset(found))
        return self._overlapping[1]

    def _sql_view(self, filters: Filters, order: Order) -> BacklogView:
        portfolio = self.portfolio
        counts = portfolio.backlog_stage_counts(filters)
        changes = portfolio.change_log.count
        if self._total is None or self._total[0] != changes:
            self._total = (changes, portfolio.backlog_count(Filters()))

        def fetch(offset: int, count: int) -> list[BacklogRow]:
            return portfolio.backlog_page(filters, order, offset, count)

        groups = _groups(counts) if order.group_by_stage else []
        return BacklogView(sum(counts.values()), self._total[1], groups, fetch)


def _groups(counts: dict[Stage, int]) -> list[tuple[Stage, int]]:
    return [(stage, counts[stage]) for stage in Stage if counts.get(stage)]


class BacklogQueries(Derived):
    """The backlog area of ``Portfolio``: filters and order served by SQL, the memory index loaded and patched."""

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
        if not wanted or not matchable(wanted):
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Initiative.key, Initiative.title, Initiative.stage)
                .where(position_of(Initiative.search_text, wanted) > 0)
                .order_by(position_of(func.lower(Initiative.key), wanted) != 1, Initiative.key)
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
        with self.engine.connect() as connection, snapshot(connection).begin():  # one snapshot: mark and rows
            mark = connection.execute(select(func.max(AuditEvent.id))).scalar() or 0
            index = BacklogIndex.build(
                queries.backlog_columns(connection), queries.backlog_search_text(connection), self._weights_by_column()
            )
            index.order_titles(queries.backlog_title_order(connection))
        index.mark = mark
        return index

    def backlog_memory_refresh(self, index: BacklogIndex) -> BacklogIndex:
        """``index`` brought up to date: the initiatives changed since its mark are read again; a change that
        cannot be pinned down (a bulk import, a renamed person) reloads everything. What changed is known from
        the actions committed through this object (``change_log``); only another process's changes are
        read from the audit log's records."""
        try:
            return self._refresh_index(index)
        except DatabaseError as exc:
            raise storage_error(exc) from exc

    def _refresh_index(self, index: BacklogIndex) -> BacklogIndex:
        with self.engine.connect() as connection, snapshot(connection).begin():
            events = (
                connection.execute(select(AuditEvent.id).where(AuditEvent.id > index.mark).order_by(AuditEvent.id))
                .scalars()
                .all()
            )
            if not events:
                return index
            touched, foreign = self.change_log.known(events)
            if foreign and not touched.everything:
                touched |= ledger.touched_by(connection, foreign)
            if touched.everything:
                return self.backlog_memory_index()
            if touched.initiatives:
                ids = sorted(touched.initiatives)
                index.patch(queries.backlog_columns(connection, ids), ids)
            if touched.titles:
                index.order_titles(queries.backlog_title_order(connection))
            index.mark = events[-1]
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

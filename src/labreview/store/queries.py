"""Bulk reads in SQLAlchemy Core: the backlog, filtered, sorted and paged in SQL.

The backlog never loads every row: ``page`` fetches one window, ``count`` and
``counts_by_stage`` size the scroll area. Free text is matched with ``portable.position_of``
(``instr`` on SQLite, ``strpos`` on PostgreSQL) against the lower-cased ``search_text`` column (no LIKE
escaping needed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Connection, Row

from labreview.domain.backlog_query import Filters, Order
from labreview.store.models import AgendaItem, Initiative, Intake, Person
from labreview.store.portable import contains

STAGE_ORDER = ("lab", "transition", "factory", "retired")
CRITERIA_COLUMNS = (
    "score_outcome_impact",
    "score_operational_fit",
    "score_integration_burden",
    "score_data_risk",
    "score_economic_value",
)

initiative = Initiative.__table__
person = Person.__table__
agenda_item = AgendaItem.__table__
intake = Intake.__table__


def score_expression(weights: Mapping[str, float]) -> ColumnElement:
    """Weighted mean of the criterion means that are present (NULL when none is)."""
    return _score_expression(tuple(float(weights.get(column, 1.0)) for column in CRITERIA_COLUMNS))


@lru_cache(maxsize=8)
def _score_expression(weights: tuple[float, ...]) -> ColumnElement:
    numerator = None
    denominator = None
    for column, weight in zip(CRITERIA_COLUMNS, weights, strict=True):
        col = initiative.c[column]
        term = func.coalesce(col, 0.0) * weight
        present = case((col.is_not(None), weight), else_=0.0)
        numerator = term if numerator is None else numerator + term
        denominator = present if denominator is None else denominator + present
    return numerator / func.nullif(denominator, 0.0)


def stage_rank() -> ColumnElement:
    return case({stage: index for index, stage in enumerate(STAGE_ORDER)}, value=initiative.c.stage, else_=9)


def _where(filters: Filters) -> list[ColumnElement]:
    clauses: list[ColumnElement] = []
    for word in filters.words:
        clauses.append(contains(initiative.c.search_text, word.lower()))
    for values, column in (
        (filters.stages, initiative.c.stage),
        (filters.categories, initiative.c.category),
        (filters.tracks, initiative.c.track),
        (filters.outcomes, initiative.c.last_outcome),
    ):
        if values:
            clauses.append(column.in_(values))
    for values, column in ((filters.tiers, initiative.c.access_tier), (filters.gates, initiative.c.current_gate)):
        if values:
            known = [v for v in values if v is not None]
            parts = [column.in_(known)] if known else []
            if None in values:
                parts.append(column.is_(None))
            clauses.append(or_(*parts))
    if filters.owners:
        clauses.append(or_(*(contains(func.lower(person.c.name), o.lower()) for o in filters.owners)))
    if filters.on_agenda:
        clauses.append(agenda_item.c.id.is_not(None))
    if filters.only_keys is not None:
        clauses.append(initiative.c.key.in_(sorted(filters.only_keys)))
    return clauses


def _from(filters: Filters):
    joined = initiative.join(person, person.c.id == initiative.c.owner_id)
    session_id = filters.agenda_session if filters.agenda_session is not None else -1
    return joined.outerjoin(
        agenda_item,
        and_(agenda_item.c.initiative_id == initiative.c.id, agenda_item.c.session_id == session_id),
    )


def _sort_key(order: Order) -> ColumnElement:
    columns: dict[str, ColumnElement] = {
        "key": initiative.c.key,
        "title": initiative.c.title,
        "stage": stage_rank(),
        "category": initiative.c.category,
        "owner": person.c.name,
        "cost": initiative.c.quarterly_cost,
        "track": initiative.c.track,
        "gate": func.coalesce(initiative.c.current_gate, 5),
        "tier": initiative.c.access_tier,
        "score": score_expression(order.weights),
        "spread": initiative.c.score_spread,
        "decision": initiative.c.last_quarter,
    }
    return columns.get(order.column, initiative.c.key)


def _ordering(order: Order) -> list[ColumnElement]:
    key = _sort_key(order)
    sort = [key.desc().nulls_last() if order.descending else key.asc().nulls_last()]
    if order.group_by_stage:
        sort.insert(0, stage_rank())
    sort.append(initiative.c.key.desc() if order.descending else initiative.c.key)
    return sort


def index(connection: Connection, filters: Filters, order: Order) -> list[int]:
    """The ids of every matching initiative, in display order (the backlog pages through these)."""
    statement = select(initiative.c.id).select_from(_from(filters)).where(*_where(filters)).order_by(*_ordering(order))
    return list(connection.execute(statement).scalars())


def rows_by_id(
    connection: Connection, ids: Sequence[int], agenda_session: int | None, weights: Mapping[str, float]
) -> list[Row]:
    """The backlog columns of ``ids``, in the order given."""
    if not ids:
        return []
    statement = (
        _columns(weights)
        .select_from(_from(Filters(agenda_session=agenda_session)))
        .where(initiative.c.id.in_(list(ids)))
    )
    found = {row.id: row for row in connection.execute(statement).all()}
    return [found[i] for i in ids if i in found]


def _columns(weights: Mapping[str, float]) -> Select:
    return select(
        initiative.c.id,
        initiative.c.key,
        initiative.c.title,
        initiative.c.stage,
        initiative.c.category,
        person.c.name.label("owner"),
        initiative.c.quarterly_cost,
        initiative.c.track,
        initiative.c.current_gate,
        initiative.c.access_tier,
        score_expression(weights).label("score"),
        initiative.c.score_spread,
        initiative.c.last_outcome,
        initiative.c.last_quarter,
        (agenda_item.c.id.is_not(None)).label("on_agenda"),
    )


def _backlog_columns_select(*, with_text: bool) -> Select:
    return (
        select(
            initiative.c.id,
            initiative.c.key,
            initiative.c.title,
            initiative.c.stage,
            initiative.c.category,
            initiative.c.track,
            person.c.name,
            initiative.c.quarterly_cost,
            initiative.c.current_gate,
            initiative.c.access_tier,
            *(initiative.c[c] for c in CRITERIA_COLUMNS),
            initiative.c.score_spread,
            initiative.c.last_outcome,
            initiative.c.last_quarter,
            *([initiative.c.search_text] if with_text else []),
        )
        .select_from(initiative.join(person, person.c.id == initiative.c.owner_id))
        .order_by(initiative.c.key)
    )


def backlog_columns(connection: Connection, ids: Sequence[int] | None = None) -> Iterator[tuple]:
    """The filter and sort columns of every initiative, or of ``ids`` (then with their search text last),
    in key order, streamed as plain tuples (100,000 SQLAlchemy rows would cost seconds and memory)."""
    statement = _backlog_columns_select(with_text=ids is not None)
    if ids is not None:
        statement = statement.where(initiative.c.id.in_(list(ids)))
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    parameters = compiled.construct_params()
    if compiled.positiontup is not None:  # qmark (sqlite3): a list in the order of the placeholders
        arguments: Sequence | Mapping = [parameters[name] for name in compiled.positiontup]
    else:  # named placeholders (psycopg's %(name)s): the mapping itself
        arguments = parameters
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(str(compiled), arguments)
        while batch := cursor.fetchmany(4000):
            yield from batch
    finally:
        cursor.close()


_AS_BYTES = {"postgresql": "convert_to(search_text, 'UTF8')"}
"""The search text as its UTF-8 bytes, by dialect (SQLite: ``CAST(… AS BLOB)``, the stored bytes)."""


def backlog_search_text(connection: Connection) -> tuple[bytearray, list[int]]:
    """Every initiative's search text in UTF-8, joined by NUL (which no stored text contains), in key
    order, and each one's length in bytes. Built chunk by chunk into one buffer, so that at no time
    are there 100,000 strings or several copies of the whole text in memory."""
    text = bytearray()
    lengths: list[int] = []
    as_bytes = _AS_BYTES.get(connection.dialect.name, "CAST(search_text AS BLOB)")
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"SELECT {as_bytes} FROM initiative ORDER BY key")
        while batch := cursor.fetchmany(4000):
            for (value,) in batch:
                text += value
                text.append(0)
                lengths.append(len(value))
    finally:
        cursor.close()
    return text, lengths


def backlog_title_order(connection: Connection) -> list[int]:
    """Every initiative's id, in title order (ties by key), as the backlog's title sort needs it."""
    return [rid for (rid,) in connection.exec_driver_sql("SELECT id FROM initiative ORDER BY title, key")]


def overlap_columns(connection: Connection) -> list[tuple]:
    """(key, title, stage, category, vendor, success metric) of every initiative that is not retired, in key
    order: what ``domain.overlap`` compares."""
    statement = (
        select(
            initiative.c.key,
            initiative.c.title,
            initiative.c.stage,
            initiative.c.category,
            initiative.c.vendor,
            intake.c.success_metric,
        )
        .select_from(initiative.outerjoin(intake, intake.c.initiative_id == initiative.c.id))
        .where(initiative.c.stage != "retired")
        .order_by(initiative.c.key)
    )
    return [tuple(row) for row in connection.execute(statement).all()]


def stack_columns(connection: Connection) -> list[Row]:
    """Every initiative as the stack map shows it, in key order (one read; the map is the whole portfolio)."""
    statement = (
        select(
            initiative.c.key,
            initiative.c.title,
            initiative.c.stage,
            initiative.c.category,
            initiative.c.track,
            person.c.name.label("owner"),
            initiative.c.vendor,
            intake.c.integration_scope,
            intake.c.success_metric,
            initiative.c.renewal_date,
            initiative.c.quarterly_cost,
            initiative.c.current_gate,
            initiative.c.access_tier,
            initiative.c.last_outcome,
            initiative.c.last_quarter,
            initiative.c.search_text,
        )
        .select_from(
            initiative.join(person, person.c.id == initiative.c.owner_id).outerjoin(
                intake, intake.c.initiative_id == initiative.c.id
            )
        )
        .order_by(initiative.c.key)
    )
    return list(connection.execute(statement).all())


def page_select(filters: Filters, order: Order, offset: int, limit: int) -> Select:
    return (
        _columns(order.weights)
        .select_from(_from(filters))
        .where(*_where(filters))
        .order_by(*_ordering(order))
        .offset(offset)
        .limit(limit)
    )


def page(connection: Connection, filters: Filters, order: Order, offset: int, limit: int) -> Sequence[Row]:
    return connection.execute(page_select(filters, order, offset, limit)).all()


def count(connection: Connection, filters: Filters) -> int:
    statement = select(func.count()).select_from(_from(filters)).where(*_where(filters))
    return int(connection.execute(statement).scalar_one())


def counts_by_stage(connection: Connection, filters: Filters) -> dict[str, int]:
    statement = (
        select(initiative.c.stage, func.count())
        .select_from(_from(filters))
        .where(*_where(filters))
        .group_by(initiative.c.stage)
    )
    return {stage: int(n) for stage, n in connection.execute(statement).all()}


def search_text(*parts: object) -> str:
    """The lower-cased text the free-text filter matches against."""
    return " ".join(str(p) for p in parts if p).lower()


def search_texts(*columns: Iterable[str]) -> list[str]:
    """``search_text`` of many rows given column by column, each part a string (a bulk import: 100,000 rows
    without a Python call per row)."""
    lower = str.lower
    join = " ".join
    return [lower(join(filter(None, parts))) for parts in zip(*columns, strict=True)]


__all__ = ["Filters", "Order", "count", "counts_by_stage", "page", "search_text", "search_texts"]

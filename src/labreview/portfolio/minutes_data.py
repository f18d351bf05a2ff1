"""Everything the minutes of one session show, read in a handful of plain SQL statements.

``read(connection, quarter, weights)`` takes a DB-API connection to the
portfolio (``sqlite3``, or ``psycopg`` for PostgreSQL) and returns ``MinutesRecords``: a dozen
statements keyed by the session, whatever the number of decisions. The statements are written once,
with ``?`` placeholders, and in SQL both backends read alike; ``_Driver`` runs them on either (psycopg
takes ``%s`` and gives dates and datetimes as objects, where sqlite3 gives text). Computed statuses come from
``labreview.domain`` (scoring, gates, budget), fed from the rows read here,
exactly as the service layer computes them one record at a time
(``tests/portfolio/test_minutes_records.py`` holds the two to the same values).

Why plain SQL and not the SQLModel tables: ``labreview minutes`` is a batch
command whose whole run should take well under a second, and importing
SQLAlchemy and SQLModel alone costs about 0.6 s. This module imports neither;
the command line opens the file with ``store.database.connect_read_only`` and
the app passes the raw connection of its engine (``records.minutes_records``).
The statements name the tables and columns of ``store.models`` as the
migrations create them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from labreview.domain import budget as budget_rules
from labreview.domain import gates as gate_rules
from labreview.domain import kpis, scoring
from labreview.domain import rights as rights_rules
from labreview.domain.errors import NotFound
from labreview.domain.vocabulary import (
    DEFAULT_SETTINGS,
    AccessTier,
    ActionStatus,
    BoardRole,
    Capacity,
    CheckState,
    Criterion,
    DecisionOutcome,
    Gate,
    Quarter,
    RightKind,
    SessionStatus,
    Stage,
    Track,
)
from labreview.portfolio import kpi_facts
from labreview.portfolio.gc_pause import collector_paused
from labreview.portfolio.kpi_facts import KpiView
from labreview.portfolio.views import (
    ActionItemView,
    AgendaEntry,
    BudgetLineView,
    BudgetView,
    PersonView,
    SessionView,
    SignatureView,
)


@dataclass(frozen=True)
class CriteriaChangeRecord:
    key: str
    title: str
    field: str
    before: str
    after: str
    reason: str
    changed_at: dt.datetime
    changed_by: str


@dataclass(frozen=True)
class DecisionRecord:
    """A decision of the session, with its initiative's key, title and AI flag."""

    id: int
    initiative_id: int
    key: str
    title: str
    ai_heavy: bool
    outcome: DecisionOutcome
    stage_before: Stage
    stage_after: Stage
    track_before: Track
    track_after: Track | None
    rationale: str
    conditions: str
    next_review: dt.date | None
    absorbed_by: str | None = None
    """For "consolidate": the key of the initiative that absorbs this one (None: not named)."""
    absorbed_by_title: str = ""
    signed_off_by: str | None = None
    """Who signed the decision off under a decision right (None: its kind needed none)."""

    @property
    def right(self) -> RightKind | None:
        """The kind of decision it is (``domain.rights.kind_of``)."""
        return rights_rules.kind_of(self.stage_before, self.outcome)


@dataclass(frozen=True)
class RequestRecord:
    """A data-access request with every signature on it (oldest first), whoever signed it when."""

    id: int
    initiative_id: int
    tier: AccessTier
    data_description: str
    retention_days: int
    export_allowed: bool
    expires_on: dt.date
    signatures: tuple[SignatureView, ...]


@dataclass(frozen=True)
class MinutesRecords:
    """Everything the minutes of one session show.

    Per decided initiative (by id): the score summary of this session
    (``domain.scoring.summarize``, with the portfolio's weights), the gate reports
    (``domain.gates.evaluate`` over the active templates and the initiative's
    checks) and the access requests signed in this session — the same values
    ``Portfolio.score_sheet``, ``checklist`` and ``access_requests`` give one key at a time.
    """

    name: str
    currency: str
    session: SessionView
    previous_held_on: dt.date | None
    """The day of the latest session before this one (None for the first)."""
    decisions: tuple[DecisionRecord, ...]
    """In the order they were taken (``decided_at``, then id)."""
    scores: Mapping[int, scoring.ScoreSummary]
    gates: Mapping[int, tuple[gate_rules.GateReport, ...]]
    signed: frozenset[tuple[int, str]]
    """``(request id, capacity)`` of every signature given in this session."""
    requests: Mapping[int, tuple[RequestRecord, ...]]
    """Requests with a signature given in this session, by initiative id, in id order."""
    other_access: tuple[tuple[int, str, str], ...]
    """``(initiative id, key, title)`` of initiatives with such a request but no decision, in key order."""
    actions: tuple[ActionItemView, ...]
    """Action items agreed in this session, by due date then id."""
    open_earlier: tuple[ActionItemView, ...]
    """Action items of earlier sessions still open, by due date then id."""
    budget: BudgetView
    """As ``Portfolio.budget`` gives it, without the history of earlier quarters (the minutes do not show it)."""
    criteria_changes: tuple[CriteriaChangeRecord, ...]
    equal_weights: bool = True
    """Whether every criterion weighs the same (the weighted score is then the plain average)."""
    kpis: KpiView | None = None
    """The KPI table of the session's quarter (readings only where the schema has them)."""
    audit_record: int = 0
    """The newest audit record when the minutes were read (0: the log is empty)."""
    audit_head: str = ""
    """Its hash: each published minutes file is an anchor for ``labreview audit verify --anchor``."""


_CRITERIA = {c.value: c for c in Criterion}
_STAGES = {s.value: s for s in Stage}
_TRACKS = {t.value: t for t in Track}
_OUTCOMES = {o.value: o for o in DecisionOutcome}
_CHECK_STATES = {c.value: c for c in CheckState}
_CAPACITIES = {c.value: c for c in Capacity}


def _day(value: str | dt.date | None) -> dt.date | None:
    """A stored DATE (``YYYY-MM-DD`` from SQLite, a date from PostgreSQL) as SQLAlchemy gives it back."""
    if value is None or type(value) is dt.date:
        return value
    return dt.date.fromisoformat(value)


def _moment(value: str | dt.datetime | None) -> dt.datetime | None:
    """A stored DATETIME as the models give it back (SQLModel's ``UTCDateTime``): stored in UTC
    without an offset on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``), with one on PostgreSQL, read as an
    aware UTC datetime."""
    if value is None:
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    return moment.replace(tzinfo=dt.UTC) if moment.utcoffset() is None else moment.astimezone(dt.UTC)


def _person(id_: int, name: str, role: str | None, email: str) -> PersonView:
    return PersonView(id_, name, BoardRole(role) if role else None, email)


class _People(dict):
    """Person views by id, each made once (the same owners and signers come back on many rows)."""

    def get_view(self, id_: int, name: str, role: str | None, email: str) -> PersonView:
        view = self.get(id_)
        if view is None:
            view = self[id_] = _person(id_, name, role, email)
        return view


def read(connection: Any, quarter: str, weights: Mapping[Criterion, Fraction] | None = None) -> MinutesRecords:
    """What the minutes of the session of ``quarter`` need (``NotFound`` if there is none).

    ``connection``: an ``sqlite3`` or a ``psycopg`` connection. Every statement runs in one read
    transaction, so the minutes show one moment of the portfolio. ``weights`` are criterion weights
    (``scoring.validate_weights``); None (the record): the weights stored in the portfolio, set by the board.
    """
    quarter = str(Quarter.parse(quarter))
    driver = _Driver(connection)
    # The cyclic collector is paused while tens of thousands of small records are built (~20 % of the time).
    with collector_paused(), driver.snapshot():
        return _read(driver, quarter, weights)


class _Driver:
    """The statements of this module on an ``sqlite3`` or a ``psycopg`` connection."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgres = type(connection).__module__.partition(".")[0] == "psycopg"

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
        if self.postgres:  # pyformat: the statements hold no % of their own
            with self.connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), parameters)
                return cursor.fetchall()
        return self.connection.execute(sql, parameters).fetchall()

    def rows_if_table(self, table: str, sql: str, parameters: Sequence[Any] = ()) -> list[Any] | None:
        """The rows of ``sql`` (reading ``table``), or None when the schema has no such table."""
        if self.postgres:  # a failed statement would end the transaction: ask first
            if not self.rows("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0]:
                return None
            return self.rows(sql, parameters)
        try:
            return self.rows(sql, parameters)
        except sqlite3.OperationalError:
            return None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction around the reads (one snapshot of the database), unless one is already open."""
        connection = self.connection
        if self.postgres:
            from psycopg.pq import TransactionStatus

            if connection.info.transaction_status != TransactionStatus.IDLE or connection.autocommit:
                yield
                return
            try:  # psycopg begins the transaction itself; its first statement sets what kind it is
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield
            finally:
                connection.rollback()
            return
        if connection.in_transaction:
            yield
            return
        connection.execute("BEGIN")
        try:
            yield
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")


def _read(driver: _Driver, quarter: str, weights: Mapping[Criterion, Fraction] | None) -> MinutesRecords:
    def rows(sql: str, *parameters: Any) -> list[Any]:
        return driver.rows(sql, parameters)

    found = rows(
        "SELECT s.id, s.held_on, s.status, s.timebox_seconds, s.started_at, s.ended_at, s.current_item_id,"
        " p.id, p.name, p.board_role, p.email"
        " FROM review_session s JOIN person p ON p.id = s.facilitator_id WHERE s.quarter = ?",
        quarter,
    )
    if not found:
        raise NotFound(f"There is no {quarter} session.")
    session_id, held_on, status, timebox, started_at, ended_at, current_item_id, *facilitator = found[0]
    held_on = _day(held_on)
    settings = {**DEFAULT_SETTINGS, **dict(rows("SELECT key, value FROM setting"))}
    if weights is None:
        stored = settings.get("weights")
        weights = scoring.parse_weights(stored) if stored else dict(scoring.DEFAULT_WEIGHTS)
    previous = rows(
        "SELECT held_on FROM review_session WHERE quarter < ? ORDER BY quarter DESC LIMIT 1",
        quarter,
    )
    previous_held_on = _day(previous[0][0]) if previous else None

    decisions = tuple(
        DecisionRecord(
            id_,
            initiative_id,
            key,
            title,
            bool(ai_heavy),
            _OUTCOMES[outcome],
            _STAGES[stage_before],
            _STAGES[stage_after],
            _TRACKS[track_before],
            _TRACKS[track_after] if track_after else None,
            rationale,
            conditions,
            _day(next_review),
            absorbed_by,
            absorbed_by_title or "",
            signed_off_by,
        )
        for (
            id_,
            initiative_id,
            key,
            title,
            ai_heavy,
            outcome,
            stage_before,
            stage_after,
            track_before,
            track_after,
            rationale,
            conditions,
            next_review,
            absorbed_by,
            absorbed_by_title,
            signed_off_by,
        ) in _decision_rows(driver, session_id)
    )
    decided_ids = {d.initiative_id for d in decisions}
    session = _session_view(
        rows,
        session_id,
        quarter,
        held_on,
        status,
        timebox,
        _moment(started_at),
        _moment(ended_at),
        current_item_id,
        facilitator,
        {d.initiative_id: d.outcome for d in decisions},
    )
    signed, requests, other_access = _signed_requests(rows, session_id, decided_ids)
    actions, open_earlier = _action_items(rows, session_id, quarter)
    budget = _budget(rows, quarter, decisions, settings)
    return MinutesRecords(
        name=settings["name"],
        currency=settings["currency"],
        session=session,
        previous_held_on=previous_held_on,
        decisions=decisions,
        scores=_score_summaries(rows, session_id, decided_ids, weights),
        gates=_gate_reports(rows, session_id, decisions),
        signed=signed,
        requests=requests,
        other_access=other_access,
        actions=actions,
        open_earlier=open_earlier,
        budget=budget,
        criteria_changes=tuple(_criteria_changes(rows, quarter, previous_held_on, held_on)),
        equal_weights=len(set(weights.values())) == 1,
        kpis=_kpis(driver, quarter, settings, budget),
        **_audit_head(driver),
    )


_DECISIONS = (
    "SELECT d.id, d.initiative_id, i.key, i.title, i.ai_heavy, d.outcome, d.stage_before, d.stage_after,"
    " d.track_before, d.track_after, d.rationale, d.conditions, d.next_review, a.key, a.title, {signer}"
    " FROM decision d JOIN initiative i ON i.id = d.initiative_id"
    " LEFT JOIN initiative a ON a.id = d.absorbed_by_id{join}"
    " WHERE d.session_id = ? ORDER BY d.decided_at, d.id"
)


def _decision_rows(driver: _Driver, session_id: int) -> list[Any]:
    """The session's decisions in the order taken, with who signed each off (a schema older than 0008 has no
    decision rights: nobody)."""
    found = driver.rows_if_table(
        "decision_right",
        _DECISIONS.format(signer="s.name", join=" LEFT JOIN person s ON s.id = d.signed_off_by_id"),
        (session_id,),
    )
    if found is None:
        found = driver.rows(_DECISIONS.format(signer="NULL", join=""), (session_id,))
    return found


def _kpis(driver: _Driver, quarter: str, settings: Mapping[str, str], budget: BudgetView) -> KpiView:
    """The KPI table of ``quarter`` (two statements: the settings and budget lines are read already); a schema
    older than 0006 has no readings (``kpi_reading``)."""
    lines = [kpis.BudgetFact(quarter, line.track.value, line.amount) for line in budget.lines]
    readings = driver.rows_if_table("kpi_reading", kpi_facts.readings_sql((quarter,)), (quarter,))
    return kpi_facts.read(driver.rows, (quarter,), settings=settings, budget=lines, readings=readings or [])


def _audit_head(driver: _Driver) -> dict[str, Any]:
    """The head of the audit log (from ``audit_head``, or the newest record of an older schema without it)."""
    found = driver.rows_if_table("audit_head", "SELECT event_id, hash FROM audit_head WHERE id = 1")  # not in 0001
    if not found:
        found = driver.rows("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
    return {"audit_record": found[0][0], "audit_head": found[0][1]} if found else {}


def _session_view(
    rows, session_id, quarter, held_on, status, timebox, started_at, ended_at, current_item_id, facilitator, decided
) -> SessionView:
    """The session as ``Portfolio.session`` gives it (``decided``: initiative id → outcome of this session)."""
    attendees = tuple(
        _person(*r)
        for r in rows(
            "SELECT p.id, p.name, p.board_role, p.email FROM attendee a JOIN person p ON p.id = a.person_id"
            " WHERE a.session_id = ? ORDER BY p.name",
            session_id,
        )
    )
    agenda = tuple(
        AgendaEntry(
            id=item_id,
            position=position,
            key=key,
            title=title,
            stage=_STAGES[stage],
            timebox_seconds=item_timebox,
            spent_seconds=spent,
            decided=decided.get(initiative_id),
            carried_reason=carried,
        )
        for item_id, position, initiative_id, item_timebox, spent, key, title, stage, carried in rows(
            "SELECT a.id, a.position, a.initiative_id, a.timebox_seconds, a.spent_seconds, i.key, i.title, i.stage,"
            " a.carried_reason"
            " FROM agenda_item a JOIN initiative i ON i.id = a.initiative_id"
            " WHERE a.session_id = ? ORDER BY a.position",
            session_id,
        )
    )
    return SessionView(
        id=session_id,
        quarter=quarter,
        held_on=held_on,
        facilitator=_person(*facilitator),
        status=SessionStatus(status),
        timebox_seconds=timebox,
        attendees=attendees,
        agenda=agenda,
        current_key=next((e.key for e in agenda if e.id == current_item_id), None),
        started_at=started_at,
        ended_at=ended_at,
    )


def _score_summaries(rows, session_id: int, initiative_ids: set[int], weights) -> dict[int, scoring.ScoreSummary]:
    """``domain.scoring.summarize`` of every decided initiative's scores in this session (empty when none),
    from per-criterion tallies the database counts (25,000 scores for 1,000 decisions are not sent to Python)."""
    tallies: dict[int, dict[Criterion, tuple[int, int, int, int]]] = {i: {} for i in initiative_ids}
    for initiative_id, criterion, count, total, low, high in rows(
        "SELECT initiative_id, criterion, count(*), sum(value), min(value), max(value) FROM score"
        " WHERE session_id = ? GROUP BY initiative_id, criterion",
        session_id,
    ):
        found = tallies.get(initiative_id)
        if found is not None:
            found[_CRITERIA[criterion]] = (count, total, low, high)
    reviewers = dict(
        rows(
            "SELECT initiative_id, count(DISTINCT reviewer_id) FROM score WHERE session_id = ? GROUP BY initiative_id",
            session_id,
        )
    )
    return {i: scoring.summarize_tallies(t, reviewers.get(i, 0), weights) for i, t in tallies.items()}


def _gate_reports(rows, session_id: int, decisions: Sequence[DecisionRecord]) -> dict[int, tuple]:
    """``domain.gates.evaluate`` of every decided initiative's checklist, as ``Portfolio.checklist`` builds it."""
    templates = [
        (item_id, Gate(gate), text, bool(ai_only))
        for item_id, gate, text, ai_only in rows(
            "SELECT id, gate, text, ai_only FROM gate_template_item WHERE active ORDER BY gate, position"
        )
    ]
    checks: dict[int, dict[int, tuple[str, str]]] = {}
    for initiative_id, item_id, state, reason in rows(
        "SELECT c.initiative_id, c.item_id, c.state, c.reason FROM gate_check c"
        " JOIN decision d ON d.initiative_id = c.initiative_id WHERE d.session_id = ?",
        session_id,
    ):
        checks.setdefault(initiative_id, {})[item_id] = (state, reason)
    reports = {}
    # Checklists repeat (every item met up to the current gate, the same few open): evaluate each once.
    evaluated: dict[tuple, tuple[gate_rules.GateReport, ...]] = {}
    for decision in decisions:
        states = checks.get(decision.initiative_id, {})
        pattern = (decision.ai_heavy, tuple(sorted(states.items())))
        found = evaluated.get(pattern)
        if found is None:
            items = []
            for item_id, gate, text, ai_only in templates:
                if ai_only and not decision.ai_heavy:
                    continue
                check = states.get(item_id)
                if check is None:
                    items.append(gate_rules.CheckItem(item_id, gate, text, CheckState.PENDING, ""))
                else:
                    items.append(gate_rules.CheckItem(item_id, gate, text, _CHECK_STATES[check[0]], check[1]))
            found = evaluated[pattern] = gate_rules.evaluate(items)
        reports[decision.initiative_id] = found
    return reports


def _signed_requests(rows, session_id: int, decided_ids: set[int]):
    """Who signed what in this session, the requests concerned (with all their signatures), and the
    initiatives among them that got no decision."""
    signed = frozenset(
        (request_id, capacity)
        for request_id, capacity in rows(
            "SELECT request_id, capacity FROM access_signature WHERE session_id = ?", session_id
        )
    )
    in_session = "SELECT request_id FROM access_signature WHERE session_id = ?"
    signatures: dict[int, list[SignatureView]] = {}
    people = _People()
    for request_id, capacity, approve, conditions, signed_at, *person in rows(
        "SELECT s.request_id, s.capacity, s.approve, s.conditions, s.signed_at, p.id, p.name, p.board_role, p.email"
        f" FROM access_signature s JOIN person p ON p.id = s.person_id WHERE s.request_id IN ({in_session})"
        " ORDER BY s.id",
        session_id,
    ):
        signatures.setdefault(request_id, []).append(
            SignatureView(
                people.get_view(*person), _CAPACITIES[capacity], bool(approve), conditions, _moment(signed_at)
            )
        )
    requests: dict[int, list[RequestRecord]] = {}
    others: dict[int, tuple[int, str, str]] = {}
    for request_id, initiative_id, tier, description, retention, export, expires_on, key, title in rows(
        "SELECT r.id, r.initiative_id, r.tier, r.data_description, r.retention_days, r.export_allowed,"
        " r.expires_on, i.key, i.title FROM access_request r JOIN initiative i ON i.id = r.initiative_id"
        f" WHERE r.id IN ({in_session}) ORDER BY r.id",
        session_id,
    ):
        requests.setdefault(initiative_id, []).append(
            RequestRecord(
                request_id,
                initiative_id,
                AccessTier(tier),
                description,
                retention,
                bool(export),
                _day(expires_on),
                tuple(signatures.get(request_id, ())),
            )
        )
        if initiative_id not in decided_ids:
            others[initiative_id] = (initiative_id, key, title)
    other_access = tuple(sorted(others.values(), key=lambda o: o[1]))
    return signed, {i: tuple(r) for i, r in requests.items()}, other_access


def _action_items(rows, session_id: int, quarter: str) -> tuple[tuple[ActionItemView, ...], tuple[ActionItemView, ...]]:
    """This session's action items, and those of earlier sessions still open, each by due date then id."""
    people = _People()
    select = (
        "SELECT a.id, a.text, a.due, a.status, i.key, i.title, s.quarter, a.plan_days,"
        " p.id, p.name, p.board_role, p.email"
        " FROM action_item a JOIN review_session s ON s.id = a.session_id"
        " JOIN initiative i ON i.id = a.initiative_id JOIN person p ON p.id = a.owner_id WHERE "
    )

    def views(condition: str, *parameters: Any) -> tuple[ActionItemView, ...]:
        found = [
            ActionItemView(id_, text, people.get_view(*owner), _day(due), key, title, item_quarter, status, plan_days)
            for id_, text, due, status, key, title, item_quarter, plan_days, *owner in rows(
                select + condition, *parameters
            )
        ]
        found.sort(key=lambda a: (a.due, a.id))
        return tuple(found)

    this = views("a.session_id = ?", session_id)
    earlier = views("s.quarter < ? AND a.status = ?", quarter, ActionStatus.OPEN.value)
    return this, earlier


def _budget(rows, quarter: str, decisions: Sequence[DecisionRecord], settings: Mapping[str, str]) -> BudgetView:
    """The quarter's mix and the mix after this session's decisions, as ``Portfolio.budget`` computes them,
    with the envelope and the lines beside the initiatives' current costs."""
    target = budget_rules.TargetMix.parse(settings["target_mix"])
    found = rows(
        "SELECT b.initiative_id, b.track, b.amount, i.key, i.title, i.quarterly_cost, i.stage, e.total, e.lab"
        " FROM budget_line b JOIN initiative i ON i.id = b.initiative_id"
        " LEFT JOIN budget_envelope e ON e.quarter = b.quarter"
        " WHERE b.quarter = ? ORDER BY b.amount DESC, i.key",
        quarter,
    )
    lines = {initiative_id: (_TRACKS[track], amount) for initiative_id, track, amount, *_rest in found}
    moves = ((d.initiative_id, d.key, d.outcome.value, d.track_after) for d in decisions)
    view = BudgetView.after_decisions(quarter, settings["currency"], target, lines, moves)
    detail = tuple(
        BudgetLineView(key, title, _TRACKS[track], amount, cost, _STAGES[stage])
        for _id, track, amount, key, title, cost, stage, _total, _lab in found
    )
    envelope = None
    if found and found[0][7] is not None:
        envelope = budget_rules.Envelope(found[0][7], found[0][8])
    elif not found:
        alone = rows("SELECT total, lab FROM budget_envelope WHERE quarter = ?", quarter)
        envelope = budget_rules.Envelope(*alone[0]) if alone else None
    return replace(view, envelope=envelope, lines=detail)


def _criteria_changes(rows, quarter: str, since: dt.date | None, until: dt.date | None) -> list[CriteriaChangeRecord]:
    """Pre-registered criteria changed for the session of ``quarter``: recorded against it, or
    recorded against no session on a day after ``since`` (the previous session) up to ``until`` (this one)."""
    found = []
    for key, title, field, before, after, reason, changed_at, changed_by, change_quarter in rows(
        "SELECT i.key, i.title, c.field, c.before, c.after, c.reason, c.changed_at, c.changed_by, s.quarter"
        " FROM criteria_change c JOIN initiative i ON i.id = c.initiative_id"
        " LEFT JOIN review_session s ON s.id = c.session_id ORDER BY i.key, c.changed_at, c.id"
    ):
        moment = _moment(changed_at)
        day = moment.date()
        loose = change_quarter is None and (since is None or day > since) and (until is None or day <= until)
        if change_quarter == quarter or loose:
            found.append(CriteriaChangeRecord(key, title, field, before, after, reason, moment, changed_by))
    return found


__all__ = ["CriteriaChangeRecord", "DecisionRecord", "MinutesRecords", "RequestRecord", "read"]

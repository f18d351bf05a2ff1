"""Bulk reads for the exchange layer: every initiative as import fields, and everything a session's minutes show.

These are plain Core queries returning plain values (no ORM objects, one query
each, or a handful keyed by the session for the minutes) so that exporting
100,000 initiatives or minuting 1,000 decisions stays fast and light. Computed
statuses come from ``labreview.domain`` (scoring, gates, budget), fed from the
rows read here, exactly as the service layer computes them one record at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from labreview.domain import budget as budget_rules
from labreview.domain import gates as gate_rules
from labreview.domain import scoring
from labreview.domain.errors import NotFound
from labreview.domain.vocabulary import (
    AccessTier,
    ActionStatus,
    BoardRole,
    Capacity,
    CheckState,
    Criterion,
    DecisionOutcome,
    Gate,
    Quarter,
    SessionStatus,
    Stage,
    Track,
)
from labreview.portfolio.importing import FIELDS, INTAKE_FIELDS, collector_paused
from labreview.portfolio.service import DEFAULT_SETTINGS
from labreview.portfolio.views import (
    ActionItemView,
    AgendaEntry,
    BudgetView,
    PersonView,
    SessionView,
    SignatureView,
)
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    ActionItem,
    AgendaItem,
    Attendee,
    BudgetLine,
    CriteriaChange,
    Decision,
    GateCheck,
    GateTemplateItem,
    Initiative,
    Intake,
    Person,
    ReviewSession,
    Score,
    Setting,
)


def backlog_records(portfolio: Any) -> Iterator[dict[str, Any]]:
    """Every initiative by key, with the fields an import sets (stored forms; owner and sponsor by name).

    Exporting these and importing the file back changes nothing: both sides use ``importing.FIELDS``.
    """
    owner = aliased(Person)
    sponsor = aliased(Person)
    columns = []
    for name in FIELDS:
        if name == "owner":
            columns.append(owner.name.label("owner"))
        elif name == "sponsor":
            columns.append(sponsor.name.label("sponsor"))
        elif name in INTAKE_FIELDS:
            columns.append(getattr(Intake, name))
        else:
            columns.append(getattr(Initiative, name))
    statement = (
        select(*columns)
        .join(owner, owner.id == Initiative.owner_id)
        .outerjoin(sponsor, sponsor.id == Initiative.sponsor_id)
        .outerjoin(Intake, Intake.initiative_id == Initiative.id)
        .order_by(Initiative.key)
    )
    with portfolio.engine.connect() as connection:
        for row in connection.execute(statement).mappings():
            yield dict(row)


def session_signatures(portfolio: Any, quarter: str) -> set[tuple[int, str]]:
    """``(request id, capacity)`` of every access signature given in the session of ``quarter``."""
    quarter = str(Quarter.parse(quarter))
    statement = (
        select(AccessSignature.request_id, AccessSignature.capacity)
        .join(ReviewSession, ReviewSession.id == AccessSignature.session_id)
        .where(ReviewSession.quarter == quarter)
    )
    with portfolio.engine.connect() as connection:
        return {(request_id, capacity) for request_id, capacity in connection.execute(statement).all()}


def session_access_keys(portfolio: Any, quarter: str) -> list[str]:
    """Keys of the initiatives whose data access was signed in the session of ``quarter``, in key order."""
    quarter = str(Quarter.parse(quarter))
    statement = (
        select(Initiative.key)
        .distinct()
        .join(AccessRequest, AccessRequest.initiative_id == Initiative.id)
        .join(AccessSignature, AccessSignature.request_id == AccessRequest.id)
        .join(ReviewSession, ReviewSession.id == AccessSignature.session_id)
        .where(ReviewSession.quarter == quarter)
        .order_by(Initiative.key)
    )
    with portfolio.engine.connect() as connection:
        return list(connection.execute(statement).scalars())


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


def criteria_changes_for(
    portfolio: Any, quarter: str, *, since: dt.date | None, until: dt.date | None
) -> list[CriteriaChangeRecord]:
    """Pre-registered criteria changed for the session of ``quarter``: recorded against it, or
    recorded against no session on a day after ``since`` (the previous session) up to ``until`` (this one)."""
    quarter = str(Quarter.parse(quarter))
    with portfolio.engine.connect() as connection:
        return _criteria_changes(connection, quarter, since, until)


def _criteria_changes(connection: Any, quarter: str, since: dt.date | None, until: dt.date | None):
    statement = (
        select(
            Initiative.key,
            Initiative.title,
            CriteriaChange.field,
            CriteriaChange.before,
            CriteriaChange.after,
            CriteriaChange.reason,
            CriteriaChange.changed_at,
            CriteriaChange.changed_by,
            ReviewSession.quarter,
        )
        .join(Initiative, Initiative.id == CriteriaChange.initiative_id)
        .outerjoin(ReviewSession, ReviewSession.id == CriteriaChange.session_id)
        .order_by(Initiative.key, CriteriaChange.changed_at, CriteriaChange.id)
    )
    found = []
    for row in connection.execute(statement).all():
        day = row.changed_at.date()
        loose = row.quarter is None and (since is None or day > since) and (until is None or day <= until)
        if row.quarter == quarter or loose:
            found.append(CriteriaChangeRecord(*row[:8]))
    return found


# ---------------------------------------------------------------------- the minutes of one session


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
    """Everything the minutes of one session show, read in a handful of queries keyed by the session.

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


_CRITERIA = {c.value: c for c in Criterion}
_STAGES = {s.value: s for s in Stage}
_TRACKS = {t.value: t for t in Track}
_OUTCOMES = {o.value: o for o in DecisionOutcome}
_CHECK_STATES = {c.value: c for c in CheckState}
_CAPACITIES = {c.value: c for c in Capacity}


def _person(id_: int, name: str, role: str | None, email: str) -> PersonView:
    return PersonView(id_, name, BoardRole(role) if role else None, email)


class _People(dict):
    """Person views by id, each made once (the same owners and signers come back on many rows)."""

    def get_view(self, id_: int, name: str, role: str | None, email: str) -> PersonView:
        view = self.get(id_)
        if view is None:
            view = self[id_] = _person(id_, name, role, email)
        return view


def minutes_records(portfolio: Any, quarter: str) -> MinutesRecords:
    """What the minutes of the session of ``quarter`` need (``NotFound`` if there is none)."""
    quarter = str(Quarter.parse(quarter))
    # The cyclic collector is paused while tens of thousands of small records are built (~20 % of the time).
    with collector_paused(), portfolio.engine.connect() as connection:
        run = connection.execute

        def rows(statement: Any) -> list[Any]:
            return connection.execute(statement).all()  # fetchall: iterating a result fetches row by row

        row = run(
            select(
                ReviewSession.id,
                ReviewSession.held_on,
                ReviewSession.status,
                ReviewSession.timebox_seconds,
                ReviewSession.started_at,
                ReviewSession.ended_at,
                ReviewSession.current_item_id,
                Person.id,
                Person.name,
                Person.board_role,
                Person.email,
            )
            .join(Person, Person.id == ReviewSession.facilitator_id)
            .where(ReviewSession.quarter == quarter)
        ).first()
        if row is None:
            raise NotFound(f"There is no {quarter} session.")
        session_id, held_on, status, timebox, started_at, ended_at, current_item_id, *facilitator = row
        settings = {**DEFAULT_SETTINGS, **dict(run(select(Setting.key, Setting.value)).all())}
        previous_held_on = run(
            select(ReviewSession.held_on)
            .where(ReviewSession.quarter < quarter)
            .order_by(ReviewSession.quarter.desc())
            .limit(1)
        ).scalar()

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
                next_review,
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
            ) in rows(
                select(
                    Decision.id,
                    Decision.initiative_id,
                    Initiative.key,
                    Initiative.title,
                    Initiative.ai_heavy,
                    Decision.outcome,
                    Decision.stage_before,
                    Decision.stage_after,
                    Decision.track_before,
                    Decision.track_after,
                    Decision.rationale,
                    Decision.conditions,
                    Decision.next_review,
                )
                .join(Initiative, Initiative.id == Decision.initiative_id)
                .where(Decision.session_id == session_id)
                .order_by(Decision.decided_at, Decision.id)
            )
        )
        decided_ids = {d.initiative_id for d in decisions}
        session = _session_view(
            rows,
            session_id,
            quarter,
            held_on,
            status,
            timebox,
            started_at,
            ended_at,
            current_item_id,
            facilitator,
            {d.initiative_id: d.outcome for d in decisions},
        )
        scores = _score_summaries(rows, session_id, decided_ids, portfolio.weights)
        gates = _gate_reports(rows, session_id, decisions)
        signed, requests, other_access = _signed_requests(rows, session_id, decided_ids)
        actions, open_earlier = _action_items(rows, session_id, quarter)
        budget = _budget(rows, quarter, decisions, settings)
        changes = _criteria_changes(connection, quarter, previous_held_on, held_on)
    return MinutesRecords(
        name=settings["name"],
        currency=settings["currency"],
        session=session,
        previous_held_on=previous_held_on,
        decisions=decisions,
        scores=scores,
        gates=gates,
        signed=signed,
        requests=requests,
        other_access=other_access,
        actions=actions,
        open_earlier=open_earlier,
        budget=budget,
        criteria_changes=tuple(changes),
        equal_weights=len(set(portfolio.weights.values())) == 1,
    )


def _session_view(
    rows, session_id, quarter, held_on, status, timebox, started_at, ended_at, current_item_id, facilitator, decided
) -> SessionView:
    """The session as ``Portfolio.session`` gives it (``decided``: initiative id → outcome of this session)."""
    attendees = tuple(
        _person(*r)
        for r in rows(
            select(Person.id, Person.name, Person.board_role, Person.email)
            .join(Attendee, Attendee.person_id == Person.id)
            .where(Attendee.session_id == session_id)
            .order_by(Person.name)
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
        )
        for item_id, position, initiative_id, item_timebox, spent, key, title, stage in rows(
            select(
                AgendaItem.id,
                AgendaItem.position,
                AgendaItem.initiative_id,
                AgendaItem.timebox_seconds,
                AgendaItem.spent_seconds,
                Initiative.key,
                Initiative.title,
                Initiative.stage,
            )
            .join(Initiative, Initiative.id == AgendaItem.initiative_id)
            .where(AgendaItem.session_id == session_id)
            .order_by(AgendaItem.position)
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
    """``domain.scoring.summarize`` of every decided initiative's scores in this session (empty when none)."""
    triples: dict[int, list[tuple[int, Criterion, int]]] = {i: [] for i in initiative_ids}
    for initiative_id, reviewer_id, criterion, value in rows(
        select(Score.initiative_id, Score.reviewer_id, Score.criterion, Score.value).where(
            Score.session_id == session_id
        )
    ):
        found = triples.get(initiative_id)
        if found is not None:
            found.append((reviewer_id, _CRITERIA[criterion], value))
    return {i: scoring.summarize(t, weights) for i, t in triples.items()}


def _gate_reports(rows, session_id: int, decisions: Sequence[DecisionRecord]) -> dict[int, tuple]:
    """``domain.gates.evaluate`` of every decided initiative's checklist, as ``Portfolio.checklist`` builds it."""
    templates = [
        (item_id, Gate(gate), text, bool(ai_only))
        for item_id, gate, text, ai_only in rows(
            select(GateTemplateItem.id, GateTemplateItem.gate, GateTemplateItem.text, GateTemplateItem.ai_only)
            .where(GateTemplateItem.active)
            .order_by(GateTemplateItem.gate, GateTemplateItem.position)
        )
    ]
    checks: dict[int, dict[int, tuple[str, str]]] = {}
    for initiative_id, item_id, state, reason in rows(
        select(GateCheck.initiative_id, GateCheck.item_id, GateCheck.state, GateCheck.reason)
        .join(Decision, Decision.initiative_id == GateCheck.initiative_id)
        .where(Decision.session_id == session_id)
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
            select(AccessSignature.request_id, AccessSignature.capacity).where(AccessSignature.session_id == session_id)
        )
    )
    in_session = select(AccessSignature.request_id).where(AccessSignature.session_id == session_id)
    signatures: dict[int, list[SignatureView]] = {}
    people = _People()
    for request_id, capacity, approve, conditions, signed_at, *person in rows(
        select(
            AccessSignature.request_id,
            AccessSignature.capacity,
            AccessSignature.approve,
            AccessSignature.conditions,
            AccessSignature.signed_at,
            Person.id,
            Person.name,
            Person.board_role,
            Person.email,
        )
        .join(Person, Person.id == AccessSignature.person_id)
        .where(AccessSignature.request_id.in_(in_session))
        .order_by(AccessSignature.id)
    ):
        signatures.setdefault(request_id, []).append(
            SignatureView(people.get_view(*person), _CAPACITIES[capacity], bool(approve), conditions, signed_at)
        )
    requests: dict[int, list[RequestRecord]] = {}
    others: dict[int, tuple[int, str, str]] = {}
    for request_id, initiative_id, tier, description, retention, export, expires_on, key, title in rows(
        select(
            AccessRequest.id,
            AccessRequest.initiative_id,
            AccessRequest.tier,
            AccessRequest.data_description,
            AccessRequest.retention_days,
            AccessRequest.export_allowed,
            AccessRequest.expires_on,
            Initiative.key,
            Initiative.title,
        )
        .join(Initiative, Initiative.id == AccessRequest.initiative_id)
        .where(AccessRequest.id.in_(in_session))
        .order_by(AccessRequest.id)
    ):
        requests.setdefault(initiative_id, []).append(
            RequestRecord(
                request_id,
                initiative_id,
                AccessTier(tier),
                description,
                retention,
                bool(export),
                expires_on,
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
    columns = (
        ActionItem.id,
        ActionItem.text,
        ActionItem.due,
        ActionItem.status,
        Initiative.key,
        Initiative.title,
        ReviewSession.quarter,
        Person.id,
        Person.name,
        Person.board_role,
        Person.email,
    )

    def views(condition: Any) -> tuple[ActionItemView, ...]:
        found = [
            ActionItemView(id_, text, people.get_view(*owner), due, key, title, item_quarter, status)
            for id_, text, due, status, key, title, item_quarter, *owner in rows(
                select(*columns)
                .join(ReviewSession, ReviewSession.id == ActionItem.session_id)
                .join(Initiative, Initiative.id == ActionItem.initiative_id)
                .join(Person, Person.id == ActionItem.owner_id)
                .where(condition)
            )
        ]
        found.sort(key=lambda a: (a.due, a.id))
        return tuple(found)

    this = views(ActionItem.session_id == session_id)
    earlier = views(and_(ReviewSession.quarter < quarter, ActionItem.status == ActionStatus.OPEN.value))
    return this, earlier


def _budget(rows, quarter: str, decisions: Sequence[DecisionRecord], settings: Mapping[str, str]) -> BudgetView:
    """The quarter's mix and the mix after this session's decisions, as ``Portfolio.budget`` computes them."""
    target = budget_rules.TargetMix.parse(settings["target_mix"])
    currency = settings["currency"]
    lines = {
        initiative_id: (_TRACKS[track], amount)
        for initiative_id, track, amount in rows(
            select(BudgetLine.initiative_id, BudgetLine.track, BudgetLine.amount).where(BudgetLine.quarter == quarter)
        )
    }
    moves = ((d.initiative_id, d.key, d.outcome.value, d.track_after) for d in decisions)
    return BudgetView.after_decisions(quarter, currency, target, lines, moves)


__all__ = [
    "CriteriaChangeRecord",
    "DecisionRecord",
    "MinutesRecords",
    "RequestRecord",
    "backlog_records",
    "criteria_changes_for",
    "minutes_records",
    "session_access_keys",
    "session_signatures",
]

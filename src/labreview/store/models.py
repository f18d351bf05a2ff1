"""The tables. Enum-valued columns hold the enum's string value (see ``labreview.domain``).

Money is integer minor units. Rows that people edit concurrently carry a ``version``
that every change increments, so that an edit based on stale data can be refused: by the service,
which compares the version a person saw, and by the database, whose UPDATE of such a row carries
``WHERE version = <the version read>`` (SQLAlchemy's version counter, set by the service itself), so a
row changed by another writer in between is never overwritten (``StaleDataError``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata

VERSION_CHECKED = declared_attr(lambda cls: {"version_id_col": cls.__table__.c.version, "version_id_generator": False})
"""``__mapper_args__`` of a versioned table: the UPDATE checks the version in SQL; the service sets it."""


class Setting(SQLModel, table=True):
    """Portfolio-wide settings: name, currency, target mix."""

    key: str = Field(primary_key=True)
    value: str


class Person(SQLModel, table=True):
    """Anyone who owns, sponsors or reviews; board members have a ``board_role``."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    email: str = ""
    board_role: str | None = Field(default=None, index=True)
    active: bool = True


class Initiative(SQLModel, table=True):
    """An experiment, pilot, tool or use case, with the summary columns the backlog sorts on."""

    __table_args__ = (
        Index("ix_initiative_stage_key", "stage", "key"),
        Index("ix_initiative_quarterly_cost", "quarterly_cost"),
        Index("ix_initiative_title", "title"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)
    title: str
    description: str = ""
    stage: str = Field(index=True)
    category: str = Field(index=True)
    track: str = Field(index=True)
    owner_id: int = Field(foreign_key="person.id", index=True)
    sponsor_id: int | None = Field(default=None, foreign_key="person.id")
    vendor: str = ""
    quarterly_cost: int = 0
    renewal_date: dt.date | None = None
    ai_heavy: bool = False
    # Success criteria pre-registered before the test.
    baseline: str = ""
    target_lift: str = ""
    test_period: str = ""
    operational_threshold: str = ""
    pilot_approved_on: dt.date | None = None
    # Summary columns kept current by the service layer in the same transaction.
    current_gate: int | None = Field(default=1, index=True)
    access_tier: int | None = Field(default=None, index=True)
    # Mean score per criterion in the latest session that scored it (the weighted
    # total is computed from these with the facilitator's weights), and the largest spread.
    score_outcome_impact: float | None = None
    score_operational_fit: float | None = None
    score_integration_burden: float | None = None
    score_data_risk: float | None = None
    score_economic_value: float | None = None
    score_spread: int | None = None
    last_outcome: str | None = None
    last_quarter: str | None = None
    search_text: str = ""
    version: int = 1

    __mapper_args__ = VERSION_CHECKED
    created_at: dt.datetime
    updated_at: dt.datetime


class Intake(SQLModel, table=True):
    """The intake scorecard of an initiative (one per request)."""

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    business_objective: str = ""
    user_group: str = ""
    data_sensitivity: str | None = None
    integration_scope: str | None = None
    success_metric: str | None = None
    exit_plan: str = ""
    version: int = 1

    __mapper_args__ = VERSION_CHECKED


class CriteriaChange(SQLModel, table=True):
    """A pre-registered success criterion changed after pilot approval, with the reason."""

    __tablename__ = "criteria_change"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    session_id: int | None = Field(default=None, foreign_key="review_session.id")
    field: str
    before: str
    after: str
    reason: str
    changed_at: dt.datetime
    changed_by: str


class ReviewSession(SQLModel, table=True):
    """A quarterly review meeting."""

    __tablename__ = "review_session"

    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(unique=True)
    held_on: dt.date
    facilitator_id: int = Field(foreign_key="person.id")
    status: str = "planned"
    timebox_seconds: int = 480
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    current_item_id: int | None = None
    version: int = 1

    __mapper_args__ = VERSION_CHECKED


class Attendee(SQLModel, table=True):
    session_id: int = Field(foreign_key="review_session.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class AgendaItem(SQLModel, table=True):
    """An initiative on a session's agenda, in order, with its timebox and the time spent."""

    __tablename__ = "agenda_item"
    __table_args__ = (UniqueConstraint("session_id", "initiative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    position: int
    timebox_seconds: int = 480
    spent_seconds: int = 0
    carried_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """Why planning the session put the item on the agenda; empty when it was put on by hand."""


class Score(SQLModel, table=True):
    """One reviewer's score of one criterion of one initiative in one session."""

    __table_args__ = (UniqueConstraint("session_id", "initiative_id", "reviewer_id", "criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id")
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id")
    criterion: str
    value: int
    recorded_at: dt.datetime


class GateTemplateItem(SQLModel, table=True):
    """A line of a gate's checklist template; retiring one keeps its history (``active``).

    ``ai_only`` items apply only to AI-heavy initiatives (the extra scrutiny of DOMAIN.md).
    """

    __tablename__ = "gate_template_item"

    id: int | None = Field(default=None, primary_key=True)
    gate: int = Field(index=True)
    position: int
    text: str
    ai_only: bool = False
    active: bool = True


class GateCheck(SQLModel, table=True):
    """The state of one checklist item for one initiative (absent means pending)."""

    __tablename__ = "gate_check"

    initiative_id: int = Field(foreign_key="initiative.id", primary_key=True)
    item_id: int = Field(foreign_key="gate_template_item.id", primary_key=True)
    state: str
    reason: str = ""
    updated_at: dt.datetime
    updated_by: str


class AccessRequest(SQLModel, table=True):
    """A request for customer-data access of one tier."""

    __tablename__ = "access_request"

    id: int | None = Field(default=None, primary_key=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    tier: int
    data_description: str
    retention_days: int
    export_allowed: bool = False
    expires_on: dt.date
    requested_on: dt.date
    status: str = "pending"
    conditions: str = ""
    version: int = 1

    __mapper_args__ = VERSION_CHECKED


class AccessSignature(SQLModel, table=True):
    """An approval or rejection of an access request by one person in one capacity."""

    __tablename__ = "access_signature"
    __table_args__ = (UniqueConstraint("request_id", "capacity"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="access_request.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    capacity: str
    approve: bool
    conditions: str = ""
    session_id: int | None = Field(default=None, foreign_key="review_session.id")
    signed_at: dt.datetime


class BudgetLine(SQLModel, table=True):
    """Money allocated to one initiative on one track in one quarter."""

    __tablename__ = "budget_line"
    __table_args__ = (UniqueConstraint("quarter", "initiative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    quarter: str = Field(index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    track: str
    amount: int


class BudgetEnvelope(SQLModel, table=True):
    """A quarter's whole budget and the ring-fenced lab budget inside it (minor units)."""

    __tablename__ = "budget_envelope"

    quarter: str = Field(primary_key=True)
    total: int
    lab: int = 0
    version: int = 1

    __mapper_args__ = VERSION_CHECKED


class Decision(SQLModel, table=True):
    """What the board decided for one initiative in one session."""

    __table_args__ = (UniqueConstraint("session_id", "initiative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    outcome: str
    stage_before: str
    stage_after: str
    track_before: str
    track_after: str | None = None
    rationale: str = ""
    conditions: str = ""
    next_review: dt.date | None = None
    decided_at: dt.datetime
    absorbed_by_id: int | None = Field(default=None, foreign_key="initiative.id")
    """For "consolidate": the initiative that absorbs this one (revision 0006); else None."""
    signed_off_by_id: int | None = Field(default=None, foreign_key="person.id")
    """Who signed the decision off under a decision right (revision 0008); None when its kind needed none."""


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="decision.id")
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    owner_id: int = Field(foreign_key="person.id")
    text: str
    due: dt.date
    status: str = "open"
    done_on: dt.date | None = None
    plan_days: int | None = None
    """A step of the 90-day stabilisation plan (due so many days after the promotion into the factory)."""


class AuditEvent(SQLModel, table=True):
    """Append-only log of every change: who, when, what, and the rows before → after.

    ``changes`` is JSON; ``hash`` covers this record and ``prev_hash``, chaining the log.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime
    actor: str
    action: str
    summary: str
    changes: str
    undoes_id: int | None = Field(default=None, index=True)
    prev_hash: str
    hash: str


class AuditHead(SQLModel, table=True):
    """The newest audit record, rewritten in the transaction that appends to the log (one row, id 1).

    The hash chain shows an edited, deleted or reordered record, but not a log cut
    short at its end: the head remembers where the end was.
    """

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    event_id: int
    """Id of the newest audit record."""
    records: int
    """How many audit records there are."""
    hash: str
    """``hash`` of the newest audit record."""


class SeatLink(SQLModel, table=True):
    """A personal link of one attendee to one session: the holder of the link acts as that person.

    Only a hash of the link's secret is kept; the secret itself is shown once, when the link is issued.
    A link works while it is not revoked and its session is not closed.
    """

    __tablename__ = "seat_link"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(unique=True)
    issued_at: dt.datetime
    revoked_at: dt.datetime | None = None


class Ballot(SQLModel, table=True):
    """The board scores one agenda item in secret: what is cast stays hidden until the facilitator reveals it."""

    __table_args__ = (UniqueConstraint("session_id", "initiative_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="review_session.id", index=True)
    initiative_id: int = Field(foreign_key="initiative.id", index=True)
    opened_at: dt.datetime
    revealed_at: dt.datetime | None = None


class BallotScore(SQLModel, table=True):
    """One reviewer's hidden score of one criterion on an open ballot (moved to ``score`` by the reveal)."""

    __tablename__ = "ballot_score"
    __table_args__ = (UniqueConstraint("ballot_id", "reviewer_id", "criterion"),)

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    reviewer_id: int = Field(foreign_key="person.id")
    criterion: str
    value: int
    cast_at: dt.datetime


class Presence(SQLModel, table=True):
    """Where a session's meeting is (current item, its clock), kept by the app holding the clock. Not audited.

    One app at a time holds the clock (``holder``, renewed by its beat); only that app adds the time
    spent to the agenda item, so two apps on one meeting never count the same minute twice. Others
    (a second facilitator's app, the web service) show what the holder last said.
    """

    session_id: int = Field(foreign_key="review_session.id", primary_key=True)
    holder: str
    initiative_id: int | None = None
    elapsed_seconds: int = 0
    running: bool = False
    beat_at: dt.datetime


class ServiceState(SQLModel, table=True):
    """What running programs tell each other, not audited: where ``labreview serve`` can be reached."""

    __tablename__ = "service_state"

    key: str = Field(primary_key=True)
    value: str


class KpiReading(SQLModel, table=True):
    """A KPI reading the board recorded or imported: one metric's number in one quarter, portfolio-wide
    (``initiative_id`` None) or for one initiative (``labreview.domain.kpis``). ``value`` is the number as
    exact decimal text (``97.5``), never a float."""

    __tablename__ = "kpi_reading"
    __table_args__ = (Index("ix_kpi_reading_quarter_metric", "quarter", "metric"),)

    id: int | None = Field(default=None, primary_key=True)
    quarter: str
    metric: str
    value: str
    initiative_id: int | None = Field(default=None, foreign_key="initiative.id", index=True)
    recorded_at: dt.datetime
    recorded_by: str


class DecisionRight(SQLModel, table=True):
    """Who may sign off one kind of decision (``labreview.domain.rights``): a board role or one person,
    up to a quarterly cost (minor units; None: any cost)."""

    __tablename__ = "decision_right"

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    board_role: str | None = None
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    cost_limit: int | None = Field(default=None, sa_type=BigInteger)
    """64 bits: any amount ``fields.MAX_MONEY`` allows (PostgreSQL's INTEGER ends at EUR 21 million)."""

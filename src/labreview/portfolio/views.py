"""What the service layer returns: small frozen dataclasses, ready to render. No ORM objects leak out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from labreview.domain.backlog_query import Filters
from labreview.domain.budget import (
    BudgetChange,
    Envelope,
    Headroom,
    Mix,
    TargetMix,
    TrackDrift,
    drift,
    headroom,
    project,
)
from labreview.domain.gates import GateReport
from labreview.domain.overlap import Overlap
from labreview.domain.scoring import ScoreSummary
from labreview.domain.stabilisation import PlanStep
from labreview.domain.vocabulary import (
    AccessStatus,
    AccessTier,
    BoardRole,
    Capacity,
    Category,
    CheckState,
    Criterion,
    DataSensitivity,
    DecisionOutcome,
    Gate,
    IntegrationScope,
    RightKind,
    SessionStatus,
    Stage,
    SuccessMetric,
    Track,
    format_money,
)


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    role: BoardRole | None
    email: str = ""

    @property
    def role_label(self) -> str:
        return self.role.label if self.role else "not on the board"


@dataclass(frozen=True)
class IntakeView:
    business_objective: str
    user_group: str
    data_sensitivity: DataSensitivity | None
    integration_scope: IntegrationScope | None
    success_metric: SuccessMetric | None
    exit_plan: str
    version: int


@dataclass(frozen=True)
class CriteriaChangeView:
    field: str
    before: str
    after: str
    reason: str
    changed_at: dt.datetime
    changed_by: str
    quarter: str | None


@dataclass(frozen=True)
class InitiativeView:
    id: int
    key: str
    title: str
    description: str
    stage: Stage
    category: Category
    track: Track
    owner: PersonView
    sponsor: PersonView | None
    vendor: str
    quarterly_cost: int
    renewal_date: dt.date | None
    ai_heavy: bool
    baseline: str
    target_lift: str
    test_period: str
    operational_threshold: str
    pilot_approved_on: dt.date | None
    current_gate: Gate | None
    access_tier: AccessTier | None
    last_outcome: DecisionOutcome | None
    last_quarter: str | None
    version: int
    intake: IntakeView

    @property
    def criteria_locked(self) -> bool:
        """After pilot approval, pre-registered criteria change only with a recorded reason."""
        return self.pilot_approved_on is not None


@dataclass(frozen=True)
class BacklogRow:
    key: str
    title: str
    stage: Stage
    category: Category
    owner: str
    quarterly_cost: int
    track: Track
    current_gate: Gate | None
    access_tier: AccessTier | None
    score: float | None
    spread: int | None
    last_outcome: DecisionOutcome | None
    last_quarter: str | None
    on_agenda: bool = False

    @classmethod
    def from_codes(
        cls,
        key,
        title,
        stage,
        category,
        owner,
        quarterly_cost,
        track,
        current_gate,
        access_tier,
        score,
        spread,
        last_outcome,
        last_quarter,
        on_agenda=False,
    ) -> BacklogRow:
        """A row from the values as stored (codes and numbers, not enums)."""
        return cls(
            key, title, Stage(stage), Category(category), owner, quarterly_cost, Track(track),
            Gate(current_gate) if current_gate else None,
            AccessTier(access_tier) if access_tier else None,
            score, spread,
            DecisionOutcome(last_outcome) if last_outcome else None,
            last_quarter, bool(on_agenda),
        )  # fmt: skip


@dataclass(frozen=True)
class BacklogPage:
    rows: tuple[BacklogRow, ...]
    offset: int
    total: int


@dataclass(frozen=True)
class BacklogView:
    """The backlog for one filter and order (``portfolio.backlog.Backlog.view``): how many rows match, how
    many of them in each stage when grouped, and the rows themselves fetched by their place in the order."""

    length: int
    """How many initiatives match."""
    total: int
    """How many initiatives there are."""
    groups: Sequence[tuple[Stage, int]]
    """With the order grouped by stage: each stage that has rows, in order, and how many; else empty."""
    fetch: Callable[[int, int], list[BacklogRow]]
    """``fetch(offset, count)``: the rows at those places in the order (read from the database: current)."""
    locate: Callable[[str], int | None] = lambda _key: None
    """A key's place in the order (None: not in it, or not known without reading every row, as from SQL)."""
    in_memory: bool = False
    """Served by the memory index (cheap to make again), not by SQL."""


@dataclass(frozen=True)
class AgendaEntry:
    id: int
    position: int
    key: str
    title: str
    stage: Stage
    timebox_seconds: int
    spent_seconds: int
    decided: DecisionOutcome | None
    carried_reason: str = ""
    """Why planning the session put it on the agenda ("carried from 2026-Q4: not reached"); empty if by hand."""


@dataclass(frozen=True)
class SessionView:
    id: int
    quarter: str
    held_on: dt.date
    facilitator: PersonView
    status: SessionStatus
    timebox_seconds: int
    attendees: tuple[PersonView, ...]
    agenda: tuple[AgendaEntry, ...]
    current_key: str | None
    started_at: dt.datetime | None
    ended_at: dt.datetime | None

    @property
    def day(self) -> dt.date:
        """The day the session is held: the day it started, else the day it is planned for."""
        return self.started_at.date() if self.started_at else self.held_on

    def position_of(self, key: str | None) -> int | None:
        for index, entry in enumerate(self.agenda):
            if entry.key == key:
                return index
        return None


@dataclass(frozen=True)
class ScoreSheet:
    """All reviewers' scores of one initiative in one session, with the combined summary."""

    quarter: str
    key: str
    reviewers: tuple[PersonView, ...]
    scores: dict[tuple[int, Criterion], int]
    summary: ScoreSummary
    totals: dict[int, float | None]
    """Each reviewer's own weighted total, by reviewer id."""
    weights: str = ""
    """The portfolio's criterion weights the totals are weighted with (``scoring.format_weights``)."""
    ballot: BallotState | None = None
    """The item's secret ballot, when one was opened in this session (None: scores are typed in the open)."""

    @property
    def weights_note(self) -> str:
        """The weights that are not 1, for the scorecard (empty when every criterion weighs the same)."""
        pairs = [part.split("=") for part in self.weights.split()]
        if len({value for _name, value in pairs}) <= 1:
            return ""
        return "weights " + ", ".join(f"{name} ×{value}" for name, value in pairs if value != "1")

    def score(self, reviewer_id: int, criterion: Criterion) -> int | None:
        return self.scores.get((reviewer_id, criterion))


@dataclass(frozen=True)
class ChecklistView:
    key: str
    stage: Stage
    ai_heavy: bool
    reports: tuple[GateReport, ...]
    current_gate: Gate | None
    promotion_refusals: tuple[str, ...]
    plan: tuple[ActionItemView, ...] = ()
    """The steps of its 90-day stabilisation plan (gate 4), once it was promoted into the factory."""

    @property
    def plan_progress(self) -> str:
        """ "3 of 5 steps done, next due 2027-01-12" (empty without a plan)."""
        if not self.plan:
            return ""
        done = sum(1 for step in self.plan if step.status == "done")
        pending = sorted(step.due for step in self.plan if step.status != "done")
        tail = f", next due {pending[0].isoformat()}" if pending else ""
        return f"{done} of {len(self.plan)} steps done{tail}"


@dataclass(frozen=True)
class StabilisationPlanView:
    """The template of the 90-day stabilisation plan, and why a stored one was not used (hand-edited)."""

    steps: tuple[PlanStep, ...]
    problem: str = ""


@dataclass(frozen=True)
class TemplateItemView:
    id: int
    gate: Gate
    position: int
    text: str
    ai_only: bool


@dataclass(frozen=True)
class SignatureView:
    person: PersonView
    capacity: Capacity
    approve: bool
    conditions: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class AccessRequestView:
    id: int
    key: str
    tier: AccessTier
    data_description: str
    retention_days: int
    export_allowed: bool
    expires_on: dt.date
    requested_on: dt.date
    status: AccessStatus
    conditions: str
    signatures: tuple[SignatureView, ...]
    missing: tuple[Capacity, ...]
    version: int


@dataclass(frozen=True)
class BudgetLineView:
    """One initiative's planned budget for a quarter, beside its current quarterly cost.

    The line is what the quarter was planned with; ``cost`` is the run-rate recorded on the
    initiative today. They differ when the line was set or edited separately (a planned
    increase, a renegotiated contract): the budget screen and the minutes say so.
    """

    key: str
    title: str
    track: Track
    amount: int
    cost: int
    stage: Stage

    @property
    def differs(self) -> bool:
        return self.amount != self.cost


@dataclass(frozen=True)
class BudgetView:
    quarter: str
    currency: str
    target: TargetMix
    mix: Mix
    drift: tuple[TrackDrift, ...]
    projected: Mix
    projected_drift: tuple[TrackDrift, ...]
    history: tuple[tuple[str, Mix], ...]
    changes: tuple[str, ...] = field(default=())
    """One line per decision of the session that moves money, for the text form."""
    envelope: Envelope | None = None
    """The quarter's whole budget and ring-fenced lab budget, when the board has set them."""
    lines: tuple[BudgetLineView, ...] = field(default=())
    """The quarter's budget lines (planned allocation), largest first."""

    @property
    def headroom(self) -> Headroom | None:
        """What the envelope leaves after the lines (None without an envelope)."""
        return headroom(self.envelope, self.mix) if self.envelope else None

    @classmethod
    def after_decisions(
        cls,
        quarter: str,
        currency: str,
        target: TargetMix,
        lines: Mapping[int, tuple[Track, int]],
        decisions: Iterable[tuple[int, str, str, Track | None]],
        history: tuple[tuple[str, Mix], ...] = (),
    ) -> BudgetView:
        """The quarter's mix of budget ``lines`` (initiative id → track, amount) and the mix after
        ``decisions`` — ``(initiative id, key, outcome code, track after)`` in the order they were taken."""
        changes = []
        notes = []
        for initiative_id, key, outcome, after in decisions:
            if initiative_id not in lines:
                continue
            track_before, amount = lines[initiative_id]
            if after == track_before:
                continue
            changes.append(BudgetChange(initiative_id, after))
            money = format_money(amount, currency)
            if after is None:
                notes.append(f"{key} {outcome}: {money} leaves the {track_before.label} track")
            else:
                notes.append(f"{key} {outcome}: {money} moves from {track_before.label} to {after.label}")
        mix = Mix.of(lines.values())
        projected = project(lines, changes)
        return cls(
            quarter=quarter,
            currency=currency,
            target=target,
            mix=mix,
            drift=drift(mix, target),
            projected=projected,
            projected_drift=drift(projected, target),
            history=history,
            changes=tuple(notes),
        )


@dataclass(frozen=True)
class ActionItemView:
    id: int
    text: str
    owner: PersonView
    due: dt.date
    key: str
    title: str
    quarter: str
    status: str
    plan_days: int | None = None
    """A step of the 90-day stabilisation plan: due so many days after the promotion into the factory."""


@dataclass(frozen=True)
class DecisionView:
    id: int
    quarter: str
    key: str
    title: str
    outcome: DecisionOutcome
    stage_before: Stage
    stage_after: Stage
    track_before: Track
    track_after: Track | None
    rationale: str
    conditions: str
    next_review: dt.date | None
    decided_at: dt.datetime
    action_items: tuple[ActionItemView, ...]
    absorbed_by: str | None = None
    """For "consolidate": the key of the initiative that absorbs this one (None: not named)."""
    absorbed_by_title: str = ""
    signed_off_by: str | None = None
    """Who signed the decision off under a decision right (None: its kind needed no sign-off)."""
    right: RightKind | None = None
    """The kind of decision it is (``domain.rights.kind_of``), whether or not a right governed it."""


@dataclass(frozen=True)
class DecisionRightView:
    """A row of the decision rights table, with its holder in words (``the sponsor``, ``Kim Lee``)."""

    id: int
    kind: RightKind
    role: BoardRole | None
    person: PersonView | None
    cost_limit: int | None
    holder: str
    limit: str
    """``any cost`` or ``up to EUR 25,000 a quarter``."""
    people: tuple[str, ...] = ()
    """Who holds it today: the active people in the role, or the one person."""


@dataclass(frozen=True)
class SignOff:
    """What a decision needs before it is recorded: its kind, whether a right governs it, who may sign it off.

    ``rule`` says it in one line for the decision dialog; ``eligible`` are the attendees who may sign off
    (never the owner), the first one the natural choice."""

    kind: RightKind | None
    needed: bool
    eligible: tuple[PersonView, ...]
    rule: str
    """``Production sign-off (EUR 45,000 a quarter): the sponsor (any cost) or Kim Lee (up to …)``."""
    short: str = ""
    """The rule in a few words, beside the choice of signer: ``production sign-off, EUR 45,000 a quarter``."""


@dataclass(frozen=True)
class NewActionItem:
    text: str
    owner_id: int
    due: dt.date


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    summary: str
    undone: bool


@dataclass(frozen=True)
class RowChange:
    """One row an audit record changed: its table and key, and each column's value before → after."""

    op: str
    """``insert``, ``update``, ``delete``, or ``bulk`` (a large import, recorded by keys and field names)."""
    table: str
    key: str
    """The row's primary key as ``name=value`` pairs."""
    values: tuple[tuple[str, str, str], ...]
    """(column, before, after) as text; "" where there is no value (an insert has no before)."""


@dataclass(frozen=True)
class AuditRecord:
    """One audit record in full: the entry and the rows it changed."""

    entry: AuditEntry
    changes: tuple[RowChange, ...]
    undoes_id: int | None
    """The record this one undid (an undo), if any."""
    undone_by: int | None
    """The record that undid this one, if any."""
    problem: str = ""
    """Said when the stored changes could not be read (a record edited behind labreview's back)."""


@dataclass(frozen=True)
class CheckItemState:
    item_id: int
    state: CheckState
    reason: str


@dataclass(frozen=True)
class BallotState:
    """A secret ballot on one agenda item: who has cast what (how many criteria), never the values before the reveal."""

    quarter: str
    key: str
    voters: tuple[PersonView, ...]
    """The board members attending: who may score."""
    cast: Mapping[int, frozenset[Criterion]]
    """Which criteria each voter (by id) has cast; the values stay hidden until the reveal."""
    opened_at: dt.datetime
    revealed_at: dt.datetime | None = None

    @property
    def hidden(self) -> bool:
        """Open and not yet revealed: the values cast are hidden."""
        return self.revealed_at is None

    @property
    def scored(self) -> int:
        """Voters who have cast all five criteria."""
        return sum(1 for p in self.voters if len(self.cast.get(p.id, ())) >= len(Criterion))

    def has_cast(self, reviewer_id: int, criterion: Criterion) -> bool:
        return criterion in self.cast.get(reviewer_id, ())

    @property
    def progress(self) -> str:
        """ "5 of 8 have scored" (or "revealed")."""
        if not self.hidden:
            return "scores revealed"
        return f"{self.scored} of {len(self.voters)} have scored"


@dataclass(frozen=True)
class SeatLinkView:
    """An attendee's personal link to a session (the secret itself is never kept)."""

    person: PersonView
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    live: bool
    """Neither revoked nor of a closed session."""


@dataclass(frozen=True)
class IssuedLink:
    """A personal link just issued: ``token`` is shown this once (only its hash is stored)."""

    person: PersonView
    quarter: str
    token: str


@dataclass(frozen=True)
class Seat:
    """Who holds a personal link: the person the link's holder acts as, in which session."""

    link_id: int
    person: PersonView
    quarter: str
    voter: bool
    """A board member attending the session: may score."""


@dataclass(frozen=True)
class PresenceView:
    """Where the meeting is: the current item and its clock, as the app holding the clock last said."""

    quarter: str
    key: str | None
    elapsed: int
    """Seconds spent on the item when the holder last beat."""
    running: bool
    beat_at: dt.datetime
    holder: str

    def elapsed_at(self, now: dt.datetime) -> int:
        """The item's clock at ``now``: what the holder said plus the time since, while it runs."""
        if not self.running:
            return self.elapsed
        return self.elapsed + max(0, int((now - self.beat_at).total_seconds()))


@dataclass(frozen=True)
class SeatPage:
    """What a personal link shows: the meeting as it stands, for that person (a board member also scores).

    Never holds a value cast in secret by anyone else before the reveal; costs and access requests only
    for a board member."""

    seat: Seat
    session: SessionView
    clock: PresenceView | None
    current: InitiativeView | None
    checklist: ChecklistView | None
    ballot: BallotState | None
    """The current item's secret ballot (who has scored, not what)."""
    own: Mapping[Criterion, int]
    """The person's own scores of the current item (cast in secret, or given in the open)."""
    sheet: ScoreSheet | None
    """The current item's scores once everyone may see them (revealed, or typed in the open); None while hidden."""
    decisions: tuple[DecisionView, ...]
    actions: tuple[ActionItemView, ...]
    access: tuple[AccessRequestView, ...]
    """The current item's access requests (board members only; empty for others)."""

    @property
    def board(self) -> bool:
        return self.seat.person.role is not None


STACK_STAGES = (Stage.LAB, Stage.TRANSITION, Stage.FACTORY, Stage.RETIRED)
"""The stack map's groups, in order (retired last)."""


@dataclass(frozen=True)
class StackRow:
    """One tool (initiative) on the stack map."""

    key: str
    title: str
    stage: Stage
    category: Category
    track: Track
    owner: str
    vendor: str
    integration_scope: IntegrationScope | None
    success_metric: SuccessMetric | None
    renewal_date: dt.date | None
    quarterly_cost: int
    current_gate: Gate | None
    access_tier: AccessTier | None
    last_outcome: DecisionOutcome | None
    last_quarter: str | None
    renewal_due: bool
    """The renewal falls on or before the map's horizon (the board must decide before it meets again)."""
    overlaps: tuple[Overlap, ...]
    """The other live initiatives it overlaps, with the reasons (``domain.overlap``)."""
    search_text: str = field(default="", repr=False)
    """Key, title, owner, vendor and description, lower-cased: what free words of a filter are found in."""

    @property
    def last_decision(self) -> str:
        return f"{self.last_outcome.value} {self.last_quarter}" if self.last_outcome else ""

    @property
    def overlap_line(self) -> str:
        """``overlaps FAC-010 (same vendor Quillmark AI); overlaps …`` (empty when it overlaps nothing)."""
        return "; ".join(o.line for o in self.overlaps)

    def matches(self, filters: Filters, agenda: frozenset[str] = frozenset()) -> bool:
        """Whether the row passes ``filters`` (the backlog's filter language, ``backlog_filter``)."""
        checks = (
            (filters.stages, self.stage.value),
            (filters.categories, self.category.value),
            (filters.tracks, self.track.value),
            (filters.outcomes, self.last_outcome.value if self.last_outcome else None),
            (filters.tiers, int(self.access_tier) if self.access_tier else None),
            (filters.gates, int(self.current_gate) if self.current_gate else None),
        )
        if any(values and value not in values for values, value in checks):
            return False
        if filters.owners and not any(o.lower() in self.owner.lower() for o in filters.owners):
            return False
        if filters.on_agenda and self.key not in agenda:
            return False
        if filters.overlaps and not self.overlaps:
            return False
        if filters.only_keys is not None and self.key not in filters.only_keys:
            return False
        return all(word.lower() in self.search_text for word in filters.words)


STACK_SORTS: Mapping[str, Callable[[StackRow], object]] = {
    "key": lambda r: r.key,
    "title": lambda r: r.title,
    "owner": lambda r: r.owner,
    "vendor": lambda r: r.vendor.casefold(),
    "scope": lambda r: r.integration_scope.value if r.integration_scope else None,
    "renewal": lambda r: r.renewal_date,
    "cost": lambda r: r.quarterly_cost,
    "decision": lambda r: r.last_quarter,
    "overlap": lambda r: len(r.overlaps) or None,
}
"""The stack map's sort columns: what each sorts by (None sorts last either way, as in the backlog)."""


@dataclass(frozen=True)
class StackMapView:
    """The stack map: every tool, its renewal against the horizon, and what it overlaps."""

    rows: tuple[StackRow, ...]
    """Every initiative, in key order."""
    horizon: dt.date
    """Renewals on or before this day are flagged."""
    horizon_reason: str
    """Why that day: "the 2027-Q1 session on 2027-02-18", "end of 2026-Q4", "90 days from today"."""
    today: dt.date
    currency: str

    def groups(
        self,
        filters: Filters = Filters(),  # frozen: one shared default is fine
        column: str = "key",
        descending: bool = False,
        *,
        agenda: frozenset[str] = frozenset(),
        retired: bool = False,
    ) -> tuple[tuple[Stage, tuple[StackRow, ...]], ...]:
        """The rows passing ``filters``, grouped by stage (lab, transition, factory; retired last and only when
        ``retired``), each group sorted by ``column`` (ties by key; missing values last)."""
        sort = STACK_SORTS.get(column, STACK_SORTS["key"])
        result = []
        for stage in STACK_STAGES:
            if stage is Stage.RETIRED and not retired:
                continue
            rows = [r for r in self.rows if r.stage is stage and r.matches(filters, agenda)]
            if not rows:
                continue
            rows.sort(key=lambda r: r.key, reverse=descending)
            present = [r for r in rows if sort(r) is not None]
            missing = [r for r in rows if sort(r) is None]
            present.sort(key=sort, reverse=descending)  # type: ignore[arg-type, return-value]
            result.append((stage, tuple(present + missing)))
        return tuple(result)

    @property
    def due(self) -> tuple[StackRow, ...]:
        """The live tools whose renewal is flagged, soonest first."""
        return tuple(sorted((r for r in self.rows if r.renewal_due), key=lambda r: (r.renewal_date, r.key)))

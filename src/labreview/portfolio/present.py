"""Row → view builders: what the use cases return, built in one place.

For the frozen view types see ``views``; every area builds its views through these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labreview.domain import access as access_rules
from labreview.domain import gates as gate_rules
from labreview.domain import rights as rights_rules
from labreview.domain import scoring
from labreview.domain.vocabulary import (
    AccessTier,
    BoardRole,
    Capacity,
    Category,
    Criterion,
    DataSensitivity,
    DecisionOutcome,
    Gate,
    IntegrationScope,
    SessionStatus,
    Stage,
    SuccessMetric,
    Track,
)
from labreview.portfolio.unit import Unit
from labreview.portfolio.views import (
    AccessRequestView,
    ActionItemView,
    AgendaEntry,
    BacklogRow,
    BallotState,
    ChecklistView,
    DecisionView,
    InitiativeView,
    IntakeView,
    PersonView,
    ScoreSheet,
    SessionView,
    SignatureView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    ActionItem,
    AgendaItem,
    Attendee,
    Decision,
    Initiative,
    Intake,
    Person,
    ReviewSession,
)


class Present(Unit):
    """Views built from rows: what the use cases return."""

    def initiative_view(self, session: Session, row: Initiative) -> InitiativeView:
        intake = session.get(Intake, row.id) or Intake(initiative_id=row.id)
        owner = session.get(Person, row.owner_id)
        sponsor = session.get(Person, row.sponsor_id) if row.sponsor_id else None
        return InitiativeView(
            id=row.id,
            key=row.key,
            title=row.title,
            description=row.description,
            stage=Stage(row.stage),
            category=Category(row.category),
            track=Track(row.track),
            owner=person_view(owner),
            sponsor=person_view(sponsor) if sponsor else None,
            vendor=row.vendor,
            quarterly_cost=row.quarterly_cost,
            renewal_date=row.renewal_date,
            ai_heavy=row.ai_heavy,
            baseline=row.baseline,
            target_lift=row.target_lift,
            test_period=row.test_period,
            operational_threshold=row.operational_threshold,
            pilot_approved_on=row.pilot_approved_on,
            current_gate=Gate(row.current_gate) if row.current_gate else None,
            access_tier=AccessTier(row.access_tier) if row.access_tier else None,
            last_outcome=DecisionOutcome(row.last_outcome) if row.last_outcome else None,
            last_quarter=row.last_quarter,
            version=row.version,
            intake=IntakeView(
                business_objective=intake.business_objective,
                user_group=intake.user_group,
                data_sensitivity=DataSensitivity(intake.data_sensitivity) if intake.data_sensitivity else None,
                integration_scope=IntegrationScope(intake.integration_scope) if intake.integration_scope else None,
                success_metric=SuccessMetric(intake.success_metric) if intake.success_metric else None,
                exit_plan=intake.exit_plan,
                version=intake.version,
            ),
        )

    def session_view(self, session: Session, row: ReviewSession) -> SessionView:
        attendees = session.scalars(
            select(Person)
            .join(Attendee, Attendee.person_id == Person.id)
            .where(Attendee.session_id == row.id)
            .order_by(Person.name)
        ).all()
        decided = dict(
            session.execute(select(Decision.initiative_id, Decision.outcome).where(Decision.session_id == row.id)).all()
        )
        agenda_rows = session.execute(
            select(AgendaItem, Initiative.key, Initiative.title, Initiative.stage)
            .join(Initiative, Initiative.id == AgendaItem.initiative_id)
            .where(AgendaItem.session_id == row.id)
            .order_by(AgendaItem.position)
        ).all()
        agenda = tuple(
            AgendaEntry(
                id=item.id,
                position=item.position,
                key=key,
                title=title,
                stage=Stage(stage),
                timebox_seconds=item.timebox_seconds,
                spent_seconds=item.spent_seconds,
                decided=DecisionOutcome(decided[item.initiative_id]) if item.initiative_id in decided else None,
                carried_reason=item.carried_reason,
            )
            for item, key, title, stage in agenda_rows
        )
        current_key = next((e.key for e in agenda if e.id == row.current_item_id), None)
        return SessionView(
            id=row.id,
            quarter=row.quarter,
            held_on=row.held_on,
            facilitator=person_view(session.get(Person, row.facilitator_id)),
            status=SessionStatus(row.status),
            timebox_seconds=row.timebox_seconds,
            attendees=tuple(person_view(p) for p in attendees),
            agenda=agenda,
            current_key=current_key,
            started_at=row.started_at,
            ended_at=row.ended_at,
        )

    def sheet_view(
        self,
        session: Session,
        row: ReviewSession,
        initiative: Initiative,
        *,
        board: list[Person] | None = None,
        triples: list[tuple[int, str, int]] | None = None,
    ) -> ScoreSheet:
        """The scorecard; ``board`` and ``triples`` when the caller has just read them in this transaction."""
        if board is None:
            board = lookup.board_attending(session, row.id)
        if triples is None:
            triples = lookup.score_triples(session, row.id, initiative.id)
        scores = {(r, Criterion(c)): v for r, c, v in triples}
        reviewers = list(board)
        known = {p.id for p in reviewers}
        for reviewer_id in sorted({r for r, _c, _v in triples} - known):  # scored, then left the meeting
            reviewers.append(session.get(Person, reviewer_id))
        weights = self.weights_in(session)
        summary = scoring.summarize(((r, Criterion(c), v) for r, c, v in triples), weights)
        totals = {
            p.id: scoring.weighted_total({c: v for (r, c), v in scores.items() if r == p.id}, weights)
            for p in reviewers
        }
        return ScoreSheet(
            row.quarter,
            initiative.key,
            tuple(person_view(p) for p in reviewers),
            scores,
            summary,
            totals,
            weights=scoring.format_weights(weights),
            ballot=self.ballot_state(session, row, initiative, board),
        )

    def ballot_state(
        self, session: Session, row: ReviewSession, initiative: Initiative, board: list[Person] | None = None
    ) -> BallotState | None:
        """The item's secret ballot in ``row``: who has cast how much (no values), or None when none was opened."""
        found = lookup.ballot(session, row.id, initiative.id)
        if found is None:
            return None
        if board is None:
            board = lookup.board_attending(session, row.id)
        cast = {}
        if found.revealed_at is None:
            cast = {r: frozenset(Criterion(c) for c in cs) for r, cs in lookup.ballot_cast(session, found.id).items()}
        return BallotState(
            row.quarter,
            initiative.key,
            tuple(person_view(p) for p in board),
            cast,
            found.opened_at,
            found.revealed_at,
        )

    def checklist_view(self, session: Session, initiative: Initiative) -> ChecklistView:
        reports = self.gate_reports(session, initiative)
        stage = Stage(initiative.stage)
        refusals = gate_rules.promotion_refusals(stage, reports) if stage in gate_rules.PROMOTION_GATES else []
        plan = session.scalars(
            select(ActionItem)
            .where(ActionItem.initiative_id == initiative.id, ActionItem.plan_days.is_not(None))
            .order_by(ActionItem.due, ActionItem.id)
        ).all()
        return ChecklistView(
            initiative.key,
            stage,
            initiative.ai_heavy,
            reports,
            gate_rules.current_gate(reports),
            tuple(refusals),
            tuple(self.action_view(session, a) for a in plan),
        )

    def access_view(self, session: Session, initiative: Initiative, row: AccessRequest) -> AccessRequestView:
        tier = AccessTier(row.tier)
        signatures = session.execute(
            select(AccessSignature, Person)
            .join(Person, Person.id == AccessSignature.person_id)
            .where(AccessSignature.request_id == row.id)
            .order_by(AccessSignature.id)
        ).all()
        plain = [access_rules.Signature(s.person_id, Capacity(s.capacity), s.approve) for s, _p in signatures]
        return AccessRequestView(
            id=row.id,
            key=initiative.key,
            tier=tier,
            data_description=row.data_description,
            retention_days=row.retention_days,
            export_allowed=row.export_allowed,
            expires_on=row.expires_on,
            requested_on=row.requested_on,
            status=access_rules.status(tier, plain, row.expires_on, self.today()),
            conditions=row.conditions,
            signatures=tuple(
                SignatureView(person_view(p), Capacity(s.capacity), s.approve, s.conditions, s.signed_at)
                for s, p in signatures
            ),
            missing=access_rules.missing(tier, plain),
            version=row.version,
        )

    def decision_view(self, session: Session, row: Decision) -> DecisionView:
        initiative = session.get(Initiative, row.initiative_id)
        survivor = session.get(Initiative, row.absorbed_by_id) if row.absorbed_by_id else None
        signer = session.get(Person, row.signed_off_by_id) if row.signed_off_by_id else None
        quarter = session.get(ReviewSession, row.session_id).quarter
        actions = session.scalars(
            select(ActionItem).where(ActionItem.decision_id == row.id).order_by(ActionItem.id)
        ).all()
        return DecisionView(
            id=row.id,
            quarter=quarter,
            key=initiative.key,
            title=initiative.title,
            outcome=DecisionOutcome(row.outcome),
            stage_before=Stage(row.stage_before),
            stage_after=Stage(row.stage_after),
            track_before=Track(row.track_before),
            track_after=Track(row.track_after) if row.track_after else None,
            rationale=row.rationale,
            conditions=row.conditions,
            next_review=row.next_review,
            decided_at=row.decided_at,
            action_items=tuple(self.action_view(session, a) for a in actions),
            absorbed_by=survivor.key if survivor else None,
            absorbed_by_title=survivor.title if survivor else "",
            signed_off_by=signer.name if signer else None,
            right=rights_rules.kind_of(Stage(row.stage_before), DecisionOutcome(row.outcome)),
        )

    def action_view(self, session: Session, row: ActionItem) -> ActionItemView:
        initiative = session.get(Initiative, row.initiative_id)
        return ActionItemView(
            id=row.id,
            text=row.text,
            owner=person_view(session.get(Person, row.owner_id)),
            due=row.due,
            key=initiative.key,
            title=initiative.title,
            quarter=session.get(ReviewSession, row.session_id).quarter,
            status=row.status,
            plan_days=row.plan_days,
        )


def person_view(row: Person) -> PersonView:
    return PersonView(row.id, row.name, BoardRole(row.board_role) if row.board_role else None, row.email)


def backlog_row(row: Any) -> BacklogRow:
    return BacklogRow.from_codes(
        row.key, row.title, row.stage, row.category, row.owner, row.quarterly_cost, row.track, row.current_gate,
        row.access_tier, row.score, row.score_spread, row.last_outcome, row.last_quarter, row.on_agenda,
    )  # fmt: skip

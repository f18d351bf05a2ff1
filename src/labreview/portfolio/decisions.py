"""The board's decisions and the action items that follow them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from labreview.domain import decisions as decision_rules
from labreview.domain import gates as gate_rules
from labreview.domain import rights as rights_rules
from labreview.domain import stabilisation
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.fields import (
    LIMITS,
    clean_text,
)
from labreview.domain.vocabulary import (
    ActionStatus,
    DecisionOutcome,
    Quarter,
    Stage,
    Track,
    format_money,
)
from labreview.portfolio import ledger
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import person_view
from labreview.portfolio.views import (
    ActionItemView,
    DecisionView,
    NewActionItem,
    SignOff,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    ActionItem,
    Attendee,
    Decision,
    Initiative,
    Person,
    ReviewSession,
    Setting,
)
from labreview.store.rows import require_not_closed


class Decisions(Derived):
    """The board's decisions and the action items that follow them."""

    def record_decision(
        self,
        quarter: str,
        key: str,
        outcome: DecisionOutcome | str,
        *,
        rationale: str = "",
        conditions: str = "",
        next_review: dt.date | None = None,
        action_items: Sequence[NewActionItem] = (),
        absorbed_by: str | None = None,
        signed_off_by: int | str | None = None,
    ) -> DecisionView:
        """Record the board's decision; the stage and budget track follow it.

        ``absorbed_by``: for "consolidate", the key of the initiative that absorbs this one (the surviving
        tool: another, live initiative); refused with any other outcome.
        ``signed_off_by``: the attendee who signs the decision off under a decision right (``domain.rights``);
        required when the portfolio has rights for this kind of decision, refused when it has none."""
        outcome = DecisionOutcome.parse(outcome) if isinstance(outcome, str) else outcome
        rationale = clean_text(rationale, what="rationale", limit=LIMITS["rationale"])
        conditions = clean_text(conditions, what="conditions", limit=LIMITS["decision conditions"])
        decided_on = self.today()
        decision_rules.validate(outcome, rationale, next_review, decided_on)
        with self.audited("record decision") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            if lookup.decision_row(session, row.id, initiative.id) is not None:
                raise PolicyRefusal(f"{initiative.key} already has a decision in {row.quarter}; undo it to change it.")
            stage = Stage(initiative.stage)
            effect = decision_rules.effect(stage, outcome, Track(initiative.track))
            survivor = self._survivor(session, initiative, outcome, absorbed_by)
            if outcome is DecisionOutcome.PROMOTE:
                refusals = gate_rules.promotion_refusals(stage, self.gate_reports(session, initiative))
                if refusals:
                    raise PolicyRefusal(f"{initiative.key} cannot be promoted yet. " + " ".join(refusals))
            signer, under = self._check_sign_off(session, row, initiative, outcome, signed_off_by)
            decision = rec.add(
                Decision(
                    session_id=row.id,
                    initiative_id=initiative.id,
                    outcome=outcome.value,
                    stage_before=stage.value,
                    stage_after=effect.stage.value,
                    track_before=initiative.track,
                    track_after=effect.track.value if effect.track else None,
                    rationale=rationale,
                    conditions=conditions,
                    next_review=next_review,
                    decided_at=self.now(),
                    absorbed_by_id=survivor.id if survivor else None,
                    signed_off_by_id=signer.id if signer else None,
                )
            )
            for item in action_items:
                self._add_action(rec, row, initiative, item, decision.id)
            planned = 0
            if effect.stage is Stage.FACTORY and stage is not Stage.FACTORY:
                planned = self._start_stabilisation(rec, row, initiative, decision.id, decided_on)
            rec.update(
                initiative,
                stage=effect.stage.value,
                track=(effect.track or Track(initiative.track)).value,
                last_outcome=outcome.value,
                last_quarter=row.quarter,
                updated_at=self.now(),
            )
            arrow = f" ({stage.label} → {effect.stage.label})" if effect.stage is not stage else ""
            plan = f", with a {planned}-step stabilisation plan" if planned else ""
            into = f" into {survivor.key}" if survivor else ""
            signed = ""
            if signer is not None and under is not None:  # the right used and the cost it covered, for the record
                cost = format_money(initiative.quarterly_cost, self.currency_in(session))
                signed = (
                    f", signed off by {signer.name} ({under.describe(self.currency_in(session))}; {cost} a quarter)"
                )
            rec.summary = (
                f"Decided {outcome.value} for {initiative.key}{into}{arrow}{plan}{signed}: "
                f"{rationale or 'no rationale'}"
            )
            return self.decision_view(session, decision)

    def sign_off(self, quarter: str, key: str, outcome: DecisionOutcome | str) -> SignOff:
        """What ``outcome`` for ``key`` in this session needs: the kind of decision, whether a right governs it,
        the attendees who may sign it off (board members first, by name) and the rule in one line."""
        outcome = DecisionOutcome.parse(outcome) if isinstance(outcome, str) else outcome
        with self.read() as session:
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            decision_rules.effect(Stage(initiative.stage), outcome, Track(initiative.track))  # a valid outcome
            kind = rights_rules.kind_of(Stage(initiative.stage), outcome)
            every = lookup.decision_rights(session)
            rights = rights_rules.of_kind(kind, every) if kind else []
            currency = self.currency_in(session)
            if kind is None:
                rule = f"A decision to {outcome.value} needs no sign-off."
                return SignOff(None, False, (), rule, f"{outcome.value}: the board's decision stands")
            if not rights:
                rule = f"No decision right is set for {kind.label}: the board's decision stands."
                return SignOff(kind, False, (), rule, f"no {kind.label} right set")
            people = session.scalars(
                select(Person)
                .join(Attendee, Attendee.person_id == Person.id)
                .where(Attendee.session_id == row.id)
                .order_by(Person.board_role.is_(None), Person.name)
            ).all()
            by_id = {p.id: p for p in people}
            eligible = rights_rules.eligible(
                kind,
                key=initiative.key,
                cost=initiative.quarterly_cost,
                owner_id=initiative.owner_id,
                people=[lookup.signer(p) for p in people],
                rights=every,
                attendees=set(by_id),
            )
            rule = (
                f"{kind.label.capitalize()} ({format_money(initiative.quarterly_cost, currency)} a quarter): "
                f"{rights_rules.who_may(kind, rights, currency)}"
            )
            short = f"{kind.label}, {format_money(initiative.quarterly_cost, currency)}"
            return SignOff(kind, True, tuple(person_view(by_id[p.person_id]) for p in eligible), rule, short)

    def _check_sign_off(
        self,
        session,
        row: ReviewSession,
        initiative: Initiative,
        outcome: DecisionOutcome,
        signed_off_by: int | str | None,
    ) -> tuple[Person | None, rights_rules.Right | None]:
        """The person signing the decision off, checked against the decision rights (see ``record_decision``),
        and the right they sign under."""
        signer = None
        if signed_off_by is not None and (not isinstance(signed_off_by, str) or signed_off_by.strip()):
            signer = lookup.named_exactly(session, signed_off_by, what="person who signs off")
        kind = rights_rules.kind_of(Stage(initiative.stage), outcome)
        rights = lookup.decision_rights(session)
        rights_rules.check(
            kind,
            key=initiative.key,
            cost=initiative.quarterly_cost,
            owner_id=initiative.owner_id,
            signer=lookup.signer(signer) if signer else None,
            rights=rights,
            attendees=lookup.attendee_ids(session, row.id),
            currency=self.currency_in(session),
        )
        if signer is None or kind is None:
            return signer, None
        return signer, rights_rules.used(kind, lookup.signer(signer), initiative.quarterly_cost, rights)

    def _start_stabilisation(
        self, rec: ledger.Recorder, row: ReviewSession, initiative: Initiative, decision_id: int, decided_on: dt.date
    ) -> int:
        """A tool enters the factory: the 90-day plan's steps become its action items (gate 4 tracks them), each
        owned by the attending board member in the step's role (else any in that role, else the tool's owner)."""
        stored = rec.session.get(Setting, stabilisation.PLAN_SETTING)
        steps, _problem = stabilisation.parse_plan(stored.value if stored is not None else None)
        attending = lookup.attendee_ids(rec.session, row.id)
        holders: dict[str, int] = {}
        for person in rec.session.scalars(
            select(Person).where(Person.board_role.is_not(None), Person.active.is_(True)).order_by(Person.name)
        ).all():
            if person.board_role not in holders or (
                person.id in attending and holders[person.board_role] not in attending
            ):
                holders[person.board_role] = person.id
        for step in steps:
            owner = holders.get(step.role.value, initiative.owner_id) if step.role else initiative.owner_id
            rec.add(
                ActionItem(
                    session_id=row.id,
                    decision_id=decision_id,
                    initiative_id=initiative.id,
                    owner_id=owner,
                    text=stabilisation.action_text(step),
                    due=stabilisation.due(decided_on, step),
                    plan_days=step.days,
                )
            )
        return len(steps)

    @staticmethod
    def _survivor(
        session, initiative: Initiative, outcome: DecisionOutcome, absorbed_by: str | None
    ) -> Initiative | None:
        """The initiative ``absorbed_by`` names, checked: only with "consolidate", another one, not retired."""
        key = (absorbed_by or "").strip()
        if not key:
            return None
        if outcome is not DecisionOutcome.CONSOLIDATE:
            raise InvalidInput(f"Only a consolidation names the initiative that absorbs {initiative.key}.")
        survivor = lookup.initiative(session, key)
        if survivor.id == initiative.id:
            raise InvalidInput(f"{initiative.key} cannot absorb itself; name the tool that takes its users over.")
        if survivor.stage == Stage.RETIRED.value:
            raise PolicyRefusal(
                f"{survivor.key} is retired; {initiative.key} can only be consolidated into a live initiative."
            )
        return survivor

    def add_action_item(self, quarter: str, key: str, item: NewActionItem) -> ActionItemView:
        with self.audited("add action item") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            require_not_closed(row)
            initiative = lookup.initiative(session, key)
            decision = lookup.decision_row(session, row.id, initiative.id)
            action = self._add_action(rec, row, initiative, item, decision.id if decision else None)
            rec.summary = f"Action for {initiative.key}: {action.text}"
            return self.action_view(session, action)

    def complete_action_item(self, action_id: int) -> ActionItemView:
        with self.audited("complete action item") as rec:
            action = rec.session.get(ActionItem, action_id)
            if action is None:
                raise NotFound(f"There is no action item {action_id}.")
            rec.update(action, status=ActionStatus.DONE.value, done_on=self.today())
            rec.summary = f"Done: {action.text}"
            return self.action_view(rec.session, action)

    def _add_action(
        self,
        rec: ledger.Recorder,
        row: ReviewSession,
        initiative: Initiative,
        item: NewActionItem,
        decision_id: int | None,
    ) -> ActionItem:
        text = clean_text(item.text, what="action item", limit=LIMITS["action item"], required=True)
        owner = lookup.person(rec.session, item.owner_id)
        if item.due < self.today():
            raise InvalidInput(f"The action “{text}” is due {item.due.isoformat()}, which is in the past.")
        return rec.add(
            ActionItem(
                session_id=row.id,
                decision_id=decision_id,
                initiative_id=initiative.id,
                owner_id=owner.id,
                text=text,
                due=item.due,
            )
        )

    def decisions(self, quarter: str | None = None) -> list[DecisionView]:
        with self.read() as session:
            statement = (
                select(Decision)
                .join(ReviewSession, ReviewSession.id == Decision.session_id)
                .order_by(ReviewSession.quarter, Decision.decided_at, Decision.id)
            )
            if quarter:
                statement = statement.where(ReviewSession.quarter == str(Quarter.parse(quarter)))
            return [self.decision_view(session, d) for d in session.scalars(statement).all()]

    def decision(self, quarter: str, key: str) -> DecisionView | None:
        with self.read() as session:
            row = lookup.session_row(session, quarter)
            decision = lookup.decision_row(session, row.id, lookup.initiative(session, key).id)
            return self.decision_view(session, decision) if decision else None

    def action_items(self, *, quarter: str | None = None, status: ActionStatus | None = None) -> list[ActionItemView]:
        with self.read() as session:
            statement = (
                select(ActionItem)
                .join(ReviewSession, ReviewSession.id == ActionItem.session_id)
                .order_by(ActionItem.due, ActionItem.id)
            )
            if quarter:
                statement = statement.where(ReviewSession.quarter == str(Quarter.parse(quarter)))
            if status:
                statement = statement.where(ActionItem.status == status.value)
            return [self.action_view(session, a) for a in session.scalars(statement).all()]

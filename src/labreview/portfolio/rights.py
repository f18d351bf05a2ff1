"""Decision rights: the portfolio's table of who may sign off which kind of decision, up to what cost.

The rule itself is ``domain.rights``; ``Decisions.record_decision`` enforces it and ``Decisions.sign_off``
says what a decision needs. This area keeps the table: list, grant, revoke, each change audited.
"""

from __future__ import annotations

from sqlalchemy import select

from labreview.domain import rights as rights_rules
from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.domain.vocabulary import BoardRole, RightKind
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import person_view
from labreview.portfolio.views import DecisionRightView
from labreview.store import rows as lookup
from labreview.store.models import DecisionRight, Person


class Rights(Derived):
    """The decision rights table."""

    def decision_rights(self) -> list[DecisionRightView]:
        """Every right, by kind (pilot approval, production sign-off, renewal, sunset), then as granted."""
        with self.read() as session:
            currency = self.currency_in(session)
            return [
                self._right_view(session, right, currency)
                for right in sorted(
                    lookup.decision_rights(session), key=lambda r: (list(RightKind).index(r.kind), r.right_id)
                )
            ]

    def grant_decision_right(
        self,
        kind: RightKind | str,
        *,
        role: BoardRole | str | None = None,
        person: int | str | None = None,
        cost_limit: int | None = None,
    ) -> DecisionRightView:
        """Let a board role, or one person, sign off ``kind`` for initiatives costing up to ``cost_limit``
        a quarter (minor units; None: any cost)."""
        kind = RightKind.parse(kind) if isinstance(kind, str) else kind
        if isinstance(role, str):
            role = BoardRole.parse(role) if role.strip() else None
        if isinstance(person, str) and not person.strip():
            person = None
        with self.audited("grant decision right") as rec:
            session = rec.session
            holder = lookup.named_exactly(session, person, what="holder") if person is not None else None
            rights_rules.validate_right(kind, role, holder.id if holder else None, cost_limit)
            if holder is not None and not holder.active:
                raise PolicyRefusal(
                    f"{holder.name} is no longer active in the portfolio; grant the right to someone who is."
                )
            existing = lookup.decision_rights(session)
            if len(existing) >= rights_rules.MOST_RIGHTS:
                raise PolicyRefusal(
                    f"A portfolio keeps at most {rights_rules.MOST_RIGHTS} decision rights; revoke one first."
                )
            for right in existing:
                if right.kind is kind and right.role is role and right.person_id == (holder.id if holder else None):
                    raise PolicyRefusal(
                        f"{right.describe(self.currency_in(session))} already holds a {kind.label} right; "
                        "revoke it first to change its limit."
                    )
            row = rec.add(
                DecisionRight(
                    kind=kind.value,
                    board_role=role.value if role else None,
                    person_id=holder.id if holder else None,
                    cost_limit=cost_limit,
                )
            )
            view = self._right_view(
                session, lookup.as_right(row, holder.name if holder else None), self.currency_in(session)
            )
            rec.summary = f"Decision right: {view.holder} may sign off {kind.label} ({view.limit})"
            return view

    def revoke_decision_right(self, right_id: int) -> DecisionRightView:
        with self.audited("revoke decision right") as rec:
            session = rec.session
            row = session.get(DecisionRight, right_id)
            if row is None:
                raise NotFound(f"There is no decision right {right_id}.")
            holder = session.get(Person, row.person_id) if row.person_id else None
            view = self._right_view(
                session, lookup.as_right(row, holder.name if holder else None), self.currency_in(session)
            )
            rec.delete(row)
            rec.summary = f"Decision right revoked: {view.holder} no longer signs off {view.kind.label} ({view.limit})"
            return view

    @staticmethod
    def _right_view(session, right: rights_rules.Right, currency: str) -> DecisionRightView:
        person = session.get(Person, right.person_id) if right.person_id else None
        if right.role is not None:
            people = tuple(
                session.scalars(
                    select(Person.name)
                    .where(Person.board_role == right.role.value, Person.active.is_(True))
                    .order_by(Person.name)
                )
            )
        else:
            people = (person.name,) if person is not None and person.active else ()
        limit = right.limit(currency)
        return DecisionRightView(
            id=right.right_id,
            kind=right.kind,
            role=right.role,
            person=person_view(person) if person else None,
            cost_limit=right.cost_limit,
            holder=right.holder(),
            limit=limit,
            people=people,
        )

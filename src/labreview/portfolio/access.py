"""Customer-data access requests and their signatures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from labreview.domain import access as access_rules
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.fields import (
    LIMITS,
    clean_text,
)
from labreview.domain.vocabulary import (
    AccessStatus,
    AccessTier,
    Capacity,
    DataSensitivity,
    Stage,
)
from labreview.portfolio.derived import Derived, as_signer
from labreview.portfolio.views import (
    AccessRequestView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    Initiative,
    Intake,
    Person,
)
from labreview.store.rows import check_version


class Access(Derived):
    """Customer-data access requests and their signatures."""

    def access_requests(self, key: str) -> list[AccessRequestView]:
        with self.read() as session:
            initiative = lookup.initiative(session, key)
            rows = session.scalars(
                select(AccessRequest)
                .where(AccessRequest.initiative_id == initiative.id)
                .order_by(AccessRequest.requested_on.desc(), AccessRequest.id.desc())
            ).all()
            return [self.access_view(session, initiative, r) for r in rows]

    def request_access(
        self,
        key: str,
        *,
        tier: AccessTier | int | str,
        data_description: str,
        retention_days: int,
        export_allowed: bool = False,
        expires_on: dt.date | None = None,
    ) -> AccessRequestView:
        tier = AccessTier.parse(tier) if not isinstance(tier, AccessTier) else tier
        description = clean_text(
            data_description, what="data description", limit=LIMITS["data description"], required=True
        )
        today = self.today()
        expires_on = expires_on or today + dt.timedelta(days=90)
        with self.audited("request access") as rec:
            session = rec.session
            initiative = lookup.initiative(session, key)
            if initiative.stage == Stage.RETIRED.value:
                raise PolicyRefusal(f"{initiative.key} is retired; it gets no data access.")
            intake = session.get(Intake, initiative.id)
            sensitivity = DataSensitivity(intake.data_sensitivity) if intake and intake.data_sensitivity else None
            access_rules.validate_request(tier, sensitivity, int(retention_days), expires_on, today, export_allowed)
            row = rec.add(
                AccessRequest(
                    initiative_id=initiative.id,
                    tier=int(tier),
                    data_description=description,
                    retention_days=int(retention_days),
                    export_allowed=bool(export_allowed),
                    expires_on=expires_on,
                    requested_on=today,
                )
            )
            rec.summary = f"{initiative.key} requested {tier.label} access: {description}"
            return self.access_view(session, initiative, row)

    def sign_access(
        self,
        request_id: int,
        signer: int | str,
        *,
        approve: bool = True,
        capacity: Capacity | str | None = None,
        conditions: str = "",
        quarter: str | None = None,
        version: int | None = None,
    ) -> AccessRequestView:
        """Approve (optionally with conditions) or reject an access request, under the policy.

        With ``quarter``, the signer must attend that (open) session.
        """
        conditions = clean_text(
            conditions, what="conditions" if approve else "reason", limit=LIMITS["access conditions"]
        )
        if not approve and not conditions:
            raise InvalidInput("A rejection needs a reason, for the requester and the minutes.")
        with self.audited("sign access") as rec:
            session = rec.session
            request = session.get(AccessRequest, request_id)
            if request is None:
                raise NotFound(f"There is no access request {request_id}.")
            check_version(request, version)
            initiative = session.get(Initiative, request.initiative_id)
            tier = AccessTier(request.tier)
            existing = lookup.signatures(session, request.id)
            state = access_rules.status(tier, existing, request.expires_on, self.today())
            if state is not AccessStatus.PENDING:
                raise PolicyRefusal(f"This request is already {state.label}; file a new request to change it.")
            who = lookup.person(session, signer)
            owner = session.get(Person, initiative.owner_id)
            if capacity is None:
                held = access_rules.capacities_for(tier, as_signer(who), owner.id)
                open_ = [c for c in held if c in access_rules.missing(tier, existing)]
                # With nothing left to sign in, check against what they hold (→ "already signed")
                # or else the first capacity still missing (→ "needs the security partner").
                capacity = (open_ or held or [_refusal_capacity(tier, existing)])[0]
            capacity = Capacity.parse(capacity) if isinstance(capacity, str) else capacity
            attendees = None
            session_row = None
            if quarter is not None:
                session_row = lookup.open_session(session, quarter)
                attendees = lookup.attendee_ids(session, session_row.id)
            access_rules.check_signature(tier, capacity, as_signer(who), as_signer(owner), existing, attendees)
            rec.add(
                AccessSignature(
                    request_id=request.id,
                    person_id=who.id,
                    capacity=capacity.value,
                    approve=approve,
                    conditions=conditions,
                    session_id=session_row.id if session_row else None,
                    signed_at=self.now(),
                )
            )
            signatures = lookup.signatures(session, request.id)
            new_state = access_rules.status(tier, signatures, request.expires_on, self.today())
            all_conditions = "; ".join(
                s.conditions
                for s in session.scalars(
                    select(AccessSignature)
                    .where(AccessSignature.request_id == request.id, AccessSignature.approve)
                    .order_by(AccessSignature.id)
                )
                if s.conditions
            )
            rec.update(request, status=new_state.value, conditions=all_conditions)
            self.refresh_access(rec, initiative)
            verb = "approved" if approve else "rejected"
            rec.summary = f"{who.name} ({capacity.label}) {verb} {tier.label} access for {initiative.key}" + (
                f": {conditions}" if conditions else ""
            )
            return self.access_view(session, initiative, request)


def _refusal_capacity(tier: AccessTier, existing: Sequence[access_rules.Signature]) -> Capacity:
    """The capacity to check a signer against when they hold none: the first still missing."""
    missing = access_rules.missing(tier, existing)
    return missing[0] if missing else access_rules.REQUIRED[tier][0]

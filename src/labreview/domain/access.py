"""Customer-data access policy: who must sign which tier, and when a request is approved.

Level 1 is attested by the initiative's owner. Level 2 needs a privacy partner;
Level 3 needs a privacy and a security partner, two different people. Nobody
approves access for an initiative they own, and approvals expire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import (
    AccessStatus,
    AccessTier,
    BoardRole,
    Capacity,
    DataSensitivity,
)

REQUIRED: Mapping[AccessTier, tuple[Capacity, ...]] = {
    AccessTier.LEVEL_1: (Capacity.OWNER,),
    AccessTier.LEVEL_2: (Capacity.PRIVACY,),
    AccessTier.LEVEL_3: (Capacity.PRIVACY, Capacity.SECURITY),
}
"""The signatures each tier needs."""

ROLE_FOR: Mapping[Capacity, BoardRole] = {
    Capacity.PRIVACY: BoardRole.PRIVACY_PARTNER,
    Capacity.SECURITY: BoardRole.SECURITY_PARTNER,
}

MIN_TIER: Mapping[DataSensitivity, AccessTier] = {
    DataSensitivity.ANONYMOUS: AccessTier.LEVEL_1,
    DataSensitivity.PSEUDONYMOUS: AccessTier.LEVEL_2,
    DataSensitivity.IDENTIFIABLE: AccessTier.LEVEL_3,
}
"""The lowest tier that may carry data of this sensitivity."""

MAX_RETENTION_DAYS = 3650
MAX_APPROVAL_DAYS = 400
"""An approval may run for at most this long before it must be renewed."""


@dataclass(frozen=True)
class Person:
    """Somebody who may sign: their id, name and board role (None when not on the board)."""

    person_id: int
    name: str
    role: BoardRole | None = None


@dataclass(frozen=True)
class Signature:
    """A signature already on the request."""

    person_id: int
    capacity: Capacity
    approve: bool


def validate_request(
    tier: AccessTier,
    sensitivity: DataSensitivity | None,
    retention_days: int,
    expires_on: dt.date,
    today: dt.date,
    export_allowed: bool,
) -> None:
    """Refuse a request that could never be approved as written."""
    if sensitivity is not None and tier < MIN_TIER[sensitivity]:
        raise PolicyRefusal(
            f"This initiative handles {sensitivity.label} data, which needs at least "
            f"{MIN_TIER[sensitivity].label}; the request asks for {tier.label}."
        )
    if not (1 <= retention_days <= MAX_RETENTION_DAYS):
        raise InvalidInput(f"Retention is between 1 and {MAX_RETENTION_DAYS} days; got {retention_days}.")
    if expires_on <= today:
        raise InvalidInput(f"The expiry date must be after today ({today.isoformat()}).")
    if (expires_on - today).days > MAX_APPROVAL_DAYS:
        raise InvalidInput(f"Access is granted for at most {MAX_APPROVAL_DAYS} days; choose an earlier expiry.")
    if tier is AccessTier.LEVEL_3 and export_allowed:
        raise PolicyRefusal("Level 3 data may not be exported; set export to no.")


def capacities_for(tier: AccessTier, person: Person, owner_id: int) -> tuple[Capacity, ...]:
    """The capacities in which ``person`` could sign a request of this tier."""
    if person.person_id == owner_id:
        return (Capacity.OWNER,) if tier is AccessTier.LEVEL_1 else ()
    return tuple(c for c in REQUIRED[tier] if c in ROLE_FOR and ROLE_FOR[c] is person.role)


def check_signature(
    tier: AccessTier,
    capacity: Capacity,
    signer: Person,
    owner: Person,
    signatures: Iterable[Signature],
    attendees: Collection[int] | None = None,
) -> None:
    """Raise ``PolicyRefusal`` with the reason when ``signer`` may not sign in ``capacity``."""
    signatures = list(signatures)
    if capacity not in REQUIRED[tier]:
        needed = " and ".join(c.label for c in REQUIRED[tier])
        raise PolicyRefusal(f"{tier.label} is signed by the {needed}, not by a {capacity.label}.")
    if capacity is Capacity.OWNER:
        if signer.person_id != owner.person_id:
            raise PolicyRefusal(f"{tier.label} is attested by the initiative's owner, {owner.name}.")
    else:
        if signer.person_id == owner.person_id:
            raise PolicyRefusal(f"{signer.name} owns this initiative and cannot approve its data access.")
        if signer.role is not ROLE_FOR[capacity]:
            role = signer.role.label if signer.role else "not on the board"
            raise PolicyRefusal(f"{signer.name} is {role}; this signature needs the {ROLE_FOR[capacity].label}.")
    if capacity is not Capacity.OWNER and attendees is not None and signer.person_id not in attendees:
        raise PolicyRefusal(f"{signer.name} is not attending this session; only attendees can sign.")
    for existing in signatures:
        if existing.capacity is capacity:
            raise PolicyRefusal(f"The {capacity.label} has already signed this request.")
        if existing.person_id == signer.person_id:
            raise PolicyRefusal(
                f"{signer.name} has already signed as {existing.capacity.label}; "
                f"{tier.label} needs two different people."
            )


def missing(tier: AccessTier, signatures: Iterable[Signature]) -> tuple[Capacity, ...]:
    """Capacities that still have to approve."""
    approved = {s.capacity for s in signatures if s.approve}
    return tuple(c for c in REQUIRED[tier] if c not in approved)


def status(
    tier: AccessTier,
    signatures: Iterable[Signature],
    expires_on: dt.date | None,
    today: dt.date,
) -> AccessStatus:
    """Rejected if anyone rejected; approved when every required capacity approved; expired after expiry."""
    signatures = list(signatures)
    if any(not s.approve for s in signatures):
        return AccessStatus.REJECTED
    if missing(tier, signatures):
        return AccessStatus.PENDING
    if expires_on is not None and today > expires_on:
        return AccessStatus.EXPIRED
    return AccessStatus.APPROVED


def effective_tier(
    requests: Iterable[tuple[AccessTier, AccessStatus]],
) -> AccessTier | None:
    """The highest tier of data an initiative may touch today."""
    approved = [tier for tier, state in requests if state is AccessStatus.APPROVED]
    return max(approved, default=None)

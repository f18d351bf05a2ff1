import datetime as dt

import pytest

from labreview.domain import access
from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import AccessStatus, AccessTier, BoardRole, Capacity, DataSensitivity

OWNER = access.Person(1, "Oscar Owner")
PRIVACY = access.Person(2, "Pat Privacy", BoardRole.PRIVACY_PARTNER)
PRIVACY_2 = access.Person(3, "Pia Privacy", BoardRole.PRIVACY_PARTNER)
SECURITY = access.Person(4, "Sue Security", BoardRole.SECURITY_PARTNER)
CMO = access.Person(5, "Dana Sponsor", BoardRole.SPONSOR)
TODAY = dt.date(2026, 11, 23)
L1, L2, L3 = AccessTier.LEVEL_1, AccessTier.LEVEL_2, AccessTier.LEVEL_3


def sign(tier, capacity, who, owner=OWNER, existing=(), attendees=None):
    access.check_signature(tier, capacity, who, owner, existing, attendees)


def test_required_signatures_per_tier():
    assert access.REQUIRED[L1] == (Capacity.OWNER,)
    assert access.REQUIRED[L2] == (Capacity.PRIVACY,)
    assert access.REQUIRED[L3] == (Capacity.PRIVACY, Capacity.SECURITY)


def test_level_one_is_attested_by_the_owner_only():
    sign(L1, Capacity.OWNER, OWNER)
    with pytest.raises(PolicyRefusal, match="attested by the initiative's owner, Oscar Owner"):
        sign(L1, Capacity.OWNER, PRIVACY)


def test_the_owner_never_approves_their_own_initiative():
    owner_privacy = access.Person(2, "Pat Privacy", BoardRole.PRIVACY_PARTNER)
    with pytest.raises(PolicyRefusal, match="owns this initiative"):
        sign(L2, Capacity.PRIVACY, owner_privacy, owner=owner_privacy)
    assert access.capacities_for(L2, owner_privacy, owner_privacy.person_id) == ()


def test_level_three_needs_two_different_people():
    sign(L3, Capacity.PRIVACY, PRIVACY)
    both = access.Person(9, "Bo Both", BoardRole.PRIVACY_PARTNER)
    first = [access.Signature(9, Capacity.PRIVACY, True)]
    with pytest.raises(PolicyRefusal, match="two different people"):
        sign(L3, Capacity.SECURITY, access.Person(9, "Bo Both", BoardRole.SECURITY_PARTNER), existing=first)
    with pytest.raises(PolicyRefusal, match="already signed"):
        sign(L3, Capacity.PRIVACY, PRIVACY_2, existing=first)
    assert both.role is BoardRole.PRIVACY_PARTNER


def test_signers_need_the_role_and_must_attend():
    with pytest.raises(PolicyRefusal, match="needs the security partner"):
        sign(L3, Capacity.SECURITY, CMO)
    with pytest.raises(PolicyRefusal, match="not attending"):
        sign(L2, Capacity.PRIVACY, PRIVACY, attendees={4, 5})
    with pytest.raises(PolicyRefusal, match="signed by the privacy partner"):
        sign(L2, Capacity.SECURITY, SECURITY)


def test_status_rejected_pending_approved_expired():
    approve = [access.Signature(2, Capacity.PRIVACY, True)]
    assert access.status(L3, approve, TODAY, TODAY) is AccessStatus.PENDING
    assert access.missing(L3, approve) == (Capacity.SECURITY,)
    both = [*approve, access.Signature(4, Capacity.SECURITY, True)]
    assert access.status(L3, both, TODAY, TODAY) is AccessStatus.APPROVED
    assert access.status(L3, both, TODAY, TODAY + dt.timedelta(days=1)) is AccessStatus.EXPIRED
    rejected = [access.Signature(4, Capacity.SECURITY, False)]
    assert access.status(L3, rejected, TODAY, TODAY) is AccessStatus.REJECTED
    assert access.effective_tier([(L1, AccessStatus.APPROVED), (L3, AccessStatus.EXPIRED)]) is L1


def test_requests_are_refused_when_they_could_never_be_approved():
    ok = dict(retention_days=90, expires_on=TODAY + dt.timedelta(days=30), today=TODAY, export_allowed=False)
    access.validate_request(L3, DataSensitivity.IDENTIFIABLE, **ok)
    with pytest.raises(PolicyRefusal, match="needs at least Level 3"):
        access.validate_request(L2, DataSensitivity.IDENTIFIABLE, **ok)
    with pytest.raises(PolicyRefusal, match="may not be exported"):
        access.validate_request(L3, None, **(ok | {"export_allowed": True}))
    with pytest.raises(InvalidInput, match="Retention"):
        access.validate_request(L1, None, **(ok | {"retention_days": 0}))
    with pytest.raises(InvalidInput, match="after today"):
        access.validate_request(L1, None, **(ok | {"expires_on": TODAY}))
    with pytest.raises(InvalidInput, match="at most"):
        access.validate_request(L1, None, **(ok | {"expires_on": TODAY + dt.timedelta(days=500)}))

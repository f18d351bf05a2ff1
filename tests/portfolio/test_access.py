"""Customer-data access requests and their signatures."""

import pytest

from labreview.domain.errors import InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import AccessStatus
from tests.portfolio.conftest import Q


def test_access_policy_through_the_service(portfolio):
    portfolio.start_session(Q)
    request = portfolio.request_access("LAB-2", tier=3, data_description="emails", retention_days=30)
    with pytest.raises(PolicyRefusal, match="owns this initiative"):
        portfolio.sign_access(request.id, "Ines Innovation", capacity="privacy", quarter=Q)
    with pytest.raises(PolicyRefusal, match="finance / procurement; this signature needs the privacy partner"):
        portfolio.sign_access(request.id, "Fay Finance", quarter=Q)
    portfolio.set_attendance(Q, "Pia Privacy", False)
    with pytest.raises(PolicyRefusal, match="Pia Privacy is not attending"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)
    portfolio.set_attendance(Q, "Pia Privacy", True)
    with pytest.raises(InvalidInput, match="needs a reason"):
        portfolio.sign_access(request.id, "Sue Security", approve=False, quarter=Q)
    half = portfolio.sign_access(request.id, "Pat Privacy", conditions="no export", quarter=Q)
    assert half.status is AccessStatus.PENDING and [c.value for c in half.missing] == ["security"]
    with pytest.raises(PolicyRefusal, match="already signed"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)
    done = portfolio.sign_access(request.id, "Sue Security", conditions="hashed ids", quarter=Q)
    assert done.status is AccessStatus.APPROVED and done.conditions == "no export; hashed ids"
    assert int(portfolio.initiative("LAB-2").access_tier) == 3
    with pytest.raises(PolicyRefusal, match="already approved"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)


def test_level_one_attested_by_the_owner(portfolio):
    request = portfolio.request_access("FAC-1", tier=1, data_description="aggregates", retention_days=365)
    with pytest.raises(PolicyRefusal, match="attested by the initiative's owner"):
        portfolio.sign_access(request.id, "Pat Privacy", capacity="owner")
    assert portfolio.sign_access(request.id, "Olga Ops").status is AccessStatus.APPROVED

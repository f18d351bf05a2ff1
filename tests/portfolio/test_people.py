"""People, and text that cannot be stored refused in words (initiatives and people)."""

import pytest

from labreview.domain.errors import InvalidInput
from tests.portfolio.conftest import audit_count


def test_text_that_cannot_be_stored_is_refused_in_words(portfolio):
    before = audit_count(portfolio)
    for attempt in (
        lambda: portfolio.update_initiative("LAB-1", title="Churn \ud800 model"),
        lambda: portfolio.set_intake("LAB-1", "exit_plan", "stop\x00"),
        lambda: portfolio.add_person("Lone \udfff Surrogate"),
        lambda: portfolio.add_person("Eve Email", email="eve\x00@example.com"),
    ):
        with pytest.raises(InvalidInput, match=r"NUL character|broken character"):
            attempt()
    assert audit_count(portfolio) == before
    assert portfolio.add_person("Eve Email", email="  eve@example.com ").email == "eve@example.com"

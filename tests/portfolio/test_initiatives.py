"""Initiatives: edits checked against the version read, look-ups answered in words."""

import pytest

from labreview.domain.errors import NotFound, StaleEdit
from labreview.portfolio import parse_filter


def test_stale_edits_are_refused(portfolio):
    item = portfolio.initiative("LAB-1")
    portfolio.update_initiative("LAB-1", version=item.version, vendor="Acme")
    with pytest.raises(StaleEdit, match="Someone else changed this"):
        portfolio.update_initiative("LAB-1", version=item.version, vendor="Other")
    assert portfolio.initiative("LAB-1").vendor == "Acme"


def test_look_ups_with_a_broken_character_are_answered_in_words(portfolio):
    with pytest.raises(NotFound, match="There is no initiative LAB-\\?"):
        portfolio.initiative("LAB-\ud800")
    assert portfolio.find_initiatives("churn \udfff") == []
    assert portfolio.criteria_changes(key="\ud800") == []
    assert portfolio.backlog(parse_filter("churn x\ud800")).total == 0

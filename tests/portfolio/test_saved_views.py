"""Saved views of the backlog: named filters and sorts kept in the portfolio (the ``saved_views`` setting)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput, NotFound
from labreview.portfolio import Portfolio
from labreview.portfolio.backlog_filter import parse_filter
from labreview.portfolio.saved_views import SETTING, SavedView
from tests.conftest import TickingClock
from tests.hostile import EXTRAS, normalized, sample


def _store_raw(p: Portfolio, value: str) -> None:
    """A hand edit of the setting, behind labreview's back."""
    with p.engine.begin() as connection:
        connection.execute(text("DELETE FROM setting WHERE key = :k"), {"k": SETTING})
        connection.execute(text("INSERT INTO setting (key, value) VALUES (:k, :v)"), {"k": SETTING, "v": value})


def test_save_list_and_delete_a_view(portfolio):
    p = portfolio
    assert p.saved_views().views == () and p.saved_views().problem == ""
    saved = p.save_view("  Lab by cost  ", "stage:lab owner:oscar", Order("cost", True, True))
    assert saved == SavedView("Lab by cost", "stage:lab owner:oscar", "cost", True, True)
    p.save_view("all", "", Order())
    views = p.saved_views()
    assert [v.name for v in views.views] == ["all", "Lab by cost"]
    view = views.find("LAB BY COST")
    assert view is not None and view.order == Order("cost", True, True)
    assert parse_filter(view.filter).stages == ("lab",)
    assert p.audit_log(1)[0].action == "save view"
    # another app on the same portfolio sees them: they are the team's
    other = Portfolio.open(p.engine.url.render_as_string(hide_password=False), actor="Flo", clock=TickingClock())
    try:
        assert [v.name for v in other.saved_views().views] == ["all", "Lab by cost"]
    finally:
        other.close()
    assert p.delete_view("lab BY cost").name == "Lab by cost"
    assert [v.name for v in p.saved_views().views] == ["all"]
    assert p.audit_log(1)[0].action == "delete view"
    with pytest.raises(NotFound, match="no saved view"):
        p.delete_view("Lab by cost")
    assert p.verify_audit().ok  # the setting's history replays to what is stored


def test_names_are_trimmed_bounded_and_unique_whatever_the_case(portfolio):
    p = portfolio
    p.save_view("Mine", "", Order())
    for name, problem in (("", "empty"), ("   ", "empty"), ("x" * 61, "limit is 60"), (" MINE ", "already")):
        with pytest.raises(InvalidInput, match=problem):
            p.save_view(name, "", Order())
    p.save_view("y" * 60, "", Order())
    with pytest.raises(InvalidInput, match="cannot be sorted"):
        p.save_view("Other", "", Order("nonsense"))
    assert len(p.saved_views().views) == 2


def test_hostile_names_are_kept_as_typed(portfolio):
    p = portfolio
    kept: dict[str, str] = {}
    for n, hostile in enumerate(sample(every=25)):
        name = f"{n} {hostile}"
        try:
            saved = p.save_view(name, "", Order())
        except InvalidInput:
            assert "\x00" in name or "\ud83d" in name or len(normalized(name)) > 60 or not normalized(name)
            continue
        kept[saved.name.casefold()] = saved.name
        assert saved.name == normalized(name)
    assert {v.name for v in p.saved_views().views} == set(kept.values())
    markup = next(s for s in EXTRAS if s.startswith("[@click"))
    assert p.saved_views().find(f"{sample(every=25).index(markup)} {markup}") is not None


@pytest.mark.parametrize(
    "value",
    ["{not json", "42", '{"name": "x"}', "[]", ""],
    ids=["broken", "number", "object", "empty-list", "empty"],
)
def test_a_malformed_value_is_ignored_and_said(portfolio, value):
    p = portfolio
    _store_raw(p, value)
    views = p.saved_views()
    assert views.views == ()
    assert bool(views.problem) == (value not in ("[]", ""))
    # saving replaces what could not be read (the audit record keeps it as it was)
    p.save_view("fresh", "stage:lab", Order())
    assert [v.name for v in p.saved_views().views] == ["fresh"] and p.saved_views().problem == ""


def test_entries_that_cannot_be_read_are_left_out_and_the_rest_kept(portfolio):
    p = portfolio
    good = {"name": "good", "filter": "stage:lab", "column": "score", "descending": True, "group": False}
    _store_raw(
        p,
        json.dumps(
            [
                good,
                {"name": "GOOD", "filter": ""},  # a duplicate name
                {"name": "", "filter": ""},
                {"name": "bad column", "filter": "", "column": "DROP TABLE"},
                {"name": "bad flag", "filter": "", "descending": "yes"},
                {"name": 7},
                "a string",
                {"name": "minimal"},
            ]
        ),
    )
    views = p.saved_views()
    assert [v.name for v in views.views] == ["good", "minimal"]
    assert views.problem.startswith("6 saved views could not be read")
    assert views.find("good") == SavedView("good", "stage:lab", "score", True, False)

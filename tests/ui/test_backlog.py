"""The backlog screen: filter, count, facets, sort, groups, the agenda mark; SQL until the memory index has loaded."""

from __future__ import annotations

from textual.widgets import Input, Static

from labreview.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import ready, settle


async def test_backlog_filter_count_facets_and_refusal(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40
        await pilot.press("slash")
        await pilot.press(*"stage:lab owner:kim")
        await settle(pilot)
        assert [table.row(i).key for i in range(len(table.source))] == ["EXP-102", "EXP-108"]
        assert "2 of 40" in str(app.screen.query_one("#count", Static).render())
        app.screen.query_one("#filter", Input).value = "stage:lab owner:kim colour:red"  # as if pasted
        await settle(pilot)
        problem = str(app.screen.query_one("#filter-problem", Static).render())
        assert "Unknown filter 'colour:'" in problem
        assert len(table.source) == 2  # the last good filter stays
        await pilot.press("escape")
        assert app.screen.focused is table


async def test_backlog_sort_group_agenda_and_open(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        for _ in range(5):  # key → title → stage → category → owner → cost
            await pilot.press("greater_than_sign")
        await settle(pilot)
        assert table.sort_column == "cost"
        costs = [table.row(i).cells["cost"] for i in range(3)]
        await pilot.press("r")
        await settle(pilot)
        assert table.row(0).key == "FAC-001"  # the CRM is the most expensive
        assert costs != [table.row(i).cells["cost"] for i in range(3)]
        await pilot.press("G")
        await settle(pilot)
        assert table.row(0).is_heading and "Lab" in table.row(0).heading
        assert table.cursor_key == "EXP-102"  # the cursor stays on the row it was on
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor == 1  # headings are skipped
        key = table.cursor_key
        on_agenda = app.session.position_of(key) is not None
        await pilot.press("space")
        await settle(pilot)
        assert (app.session.position_of(key) is not None) is not on_agenda
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "scorecard" and app.current_key == key


async def test_backlog_works_from_sql_until_the_memory_index_has_loaded(app_factory, monkeypatch):
    from labreview.ui.app import LabReviewApp

    monkeypatch.setattr(LabReviewApp, "_load_backlog_index", lambda self: None)  # as if still loading
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert app.backlog_index is None
        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40 and table.row(39).key == "FAC-019"
        app.screen.query_one("#filter", Input).value = "stage:lab owner:kim"
        await settle(pilot)
        assert [table.row(i).key for i in range(len(table.source))] == ["EXP-102", "EXP-108"]
        assert "2 of 40" in str(app.screen.query_one("#count", Static).render())
        app.screen.query_one("#filter", Input).value = ""
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        headings = [table.row(i).heading for i in range(len(table.source)) if table.row(i).is_heading]
        assert [h.split(" (")[0] for h in headings] == ["── Lab", "── Transition", "── Factory", "── Retired"]
        assert len(table.source) == 44


async def test_backlog_overlap_facet(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        await pilot.press("slash")
        await pilot.press(*"overlap:yes stage:factory")
        await settle(pilot)
        assert [table.row(i).key for i in range(len(table.source))] == ["FAC-002", "FAC-010", "FAC-019"]
        assert "3 of 40" in str(app.screen.query_one("#count", Static).render())

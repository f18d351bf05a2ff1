"""Saved views of the backlog in the app: `v` saves the filter and sort, the palette applies and deletes them."""

from __future__ import annotations

from sqlalchemy import text
from textual.widgets import Input, Label

from labreview.domain.backlog_query import Order
from labreview.ui.dialogs.prompt import PromptDialog
from labreview.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import message, ready, settle

SIZE = (120, 36)


async def palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*query)
    await pilot.pause(0.5)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_save_a_view_apply_it_from_the_palette_and_delete_it(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b", "slash", *"stage:lab owner:kim", "enter")
        await settle(pilot)
        await pilot.press("r", "v")  # key, descending; save
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press(*"  Kim's lab  ", "enter")
        await settle(pilot)
        (view,) = app.portfolio.saved_views().views
        assert (view.name, view.filter, view.column, view.descending) == (
            "Kim's lab",
            "stage:lab owner:kim",
            "key",
            True,
        )
        assert "Saved the view “Kim's lab”" in message(app)
        # a second one with the same name, whatever the case, is refused in the dialog
        await pilot.press("v", *"KIM'S LAB", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        assert "already a view" in str(app.screen.query_one("#problem", Label).render())
        await pilot.press("escape")
        await settle(pilot)
        # elsewhere, with another filter: the palette brings the view back
        app.screen.query_one("#filter", Input).value = "stage:factory"
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await palette(pilot, "view: kim's lab")
        assert app.current_mode == "backlog"
        table = app.screen.query_one(VirtualTable)
        assert app.screen.query_one("#filter", Input).value == "stage:lab owner:kim"
        assert [table.row(i).key for i in range(len(table.source))] == ["EXP-108", "EXP-102"]
        assert table.sort_column == "key" and table.sort_descending
        assert "Showing the view" in message(app)
        await palette(pilot, "delete view: kim's lab")
        assert app.portfolio.saved_views().views == ()
        assert "Deleted the view" in message(app)
        assert app.portfolio.audit_log(1)[0].action == "delete view"


async def test_a_view_applied_before_the_backlog_was_ever_shown(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.portfolio.save_view("[bold]Factory[/] \x1b[2J", "stage:factory", Order("cost", True, True))
        await palette(pilot, "view: [bold]fac")
        assert app.current_mode == "backlog"
        table = app.screen.query_one(VirtualTable)
        assert app.screen.query_one("#filter", Input).value == "stage:factory"
        assert table.row(0).is_heading and table.sort_column == "cost"


async def test_a_malformed_stored_value_is_said_once_and_ignored(app_factory, monkeypatch):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        with app.portfolio.engine.begin() as connection:
            connection.execute(text("INSERT INTO setting (key, value) VALUES ('saved_views', '[{\"name\": 1}')"))
        said: list[str] = []
        monkeypatch.setattr(app, "say", lambda text, error=False: said.append(text))
        for _ in range(2):
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press(*"view")
            await pilot.pause(0.3)
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
        assert said == ["The saved views setting is not valid JSON; it is ignored until a view is saved."]

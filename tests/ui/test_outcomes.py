"""The outcomes screen: action items added and completed; the minutes previewed and written."""

from __future__ import annotations

from textual.widgets import DataTable

from labreview.domain.vocabulary import ActionStatus
from labreview.ui.dialogs.prompt import PromptDialog
from tests.ui.conftest import SIZE, Q, message, ready, settle, start


async def test_outcomes_add_and_complete_action_items(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("o")
        await settle(pilot)
        before = len(app.portfolio.action_items(status=None))
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Say what is to be done" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"Ask analytics for the churn holdout numbers", "enter")
        await settle(pilot)
        items = app.portfolio.action_items()
        assert len(items) == before + 1
        added = next(a for a in items if a.text == "Ask analytics for the churn holdout numbers")
        assert (added.key, added.owner.name, added.quarter) == ("EXP-102", "Kim Novak", Q)
        table = app.screen.query_one("#actions", DataTable)
        table.focus()
        open_before = len(app.portfolio.action_items(status=ActionStatus.OPEN))
        await pilot.press("space")
        await settle(pilot)
        assert len(app.portfolio.action_items(status=ActionStatus.OPEN)) == open_before - 1
        assert "Done:" in message(app)


async def test_minutes_preview_then_write_with_confirmation(app_factory, tmp_path, monkeypatch):
    from textual.widgets import Markdown

    from labreview.ui.screens.minutes import MinutesScreen

    monkeypatch.chdir(tmp_path)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("o", "e")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)
        assert app.screen.text.startswith("# Minutes of the 2026-Q4 portfolio review")
        assert app.screen.query_one(Markdown).source == app.screen.text
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        written = tmp_path / "minutes-2026-Q4.md"
        assert written.read_text() == app.screen.text
        written.write_text("old notes")
        await pilot.press("w", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog) and app.screen.confirm_only  # asks before overwriting
        await pilot.press("escape")
        await settle(pilot)
        assert written.read_text() == "old notes"
        await pilot.press("w", "enter", "enter")
        await settle(pilot)
        assert written.read_text().startswith("# Minutes")
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "outcomes" and not isinstance(app.screen, MinutesScreen)


async def test_palette_exports_minutes(app_factory):
    from labreview.ui.screens.minutes import MinutesScreen

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p", *"export: minutes")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MinutesScreen)

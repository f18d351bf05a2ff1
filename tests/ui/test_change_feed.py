"""The live change feed: what another process commits (a second laptop on the same portfolio) shows in the
running app after its one-second tick, without a key pressed; the app's own changes are not redrawn twice."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio
from labreview.ui.dialogs.field_edit import FieldDialog
from tests.ui.conftest import SIZE, Q, ready, settle, start


def second_laptop(target, act) -> None:
    other = Portfolio.open(target, actor="Second laptop")
    try:
        act(other)
    finally:
        other.close()


async def test_a_score_made_elsewhere_shows_on_the_scorecard_after_the_tick(app_factory, sample_target):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter")  # the scorecard of the first agenda item
        await settle(pilot)
        key, reviewer = app.current_key, app.reviewer_id
        grid = app.screen.query_one("#grid", DataTable)
        await pilot.press("down")  # the cursor on the second criterion: a redraw must leave it there
        cursor, focused = grid.cursor_coordinate, app.screen.focused
        criterion = Criterion.OUTCOME_IMPACT
        assert grid.get_cell(criterion.value, str(reviewer)).plain == "·"

        second_laptop(sample_target, lambda other: other.record_score(Q, key, reviewer, criterion, 4))
        app._tick()  # the one-second interval, without waiting a second for it
        await settle(pilot)
        assert grid.get_cell(criterion.value, str(reviewer)).plain == "4"
        assert grid.cursor_coordinate == cursor and app.screen.focused is focused


async def test_an_item_put_on_the_agenda_elsewhere_shows_on_the_agenda(app_factory, sample_target):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.screen.query_one("#agenda", DataTable)
        on_agenda = {entry.key for entry in app.session.agenda}
        key = next(f"EXP-1{n:02d}" for n in range(1, 22) if f"EXP-1{n:02d}" not in on_agenda)
        rows = table.row_count

        second_laptop(sample_target, lambda other: other.toggle_agenda(Q, key))
        app._tick()
        await settle(pilot)
        assert table.row_count == rows + 1
        assert key in {entry.key for entry in app.session.agenda}
        assert table.get_cell(key, "key") is not None


async def test_the_app_s_own_change_is_not_news(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter", "4")  # an own score, drawn in its cell
        await settle(pilot)
        revision = app.revision
        app._tick()
        await settle(pilot)
        assert app.revision == revision


async def test_news_waits_while_a_dialog_is_open(app_factory, sample_target):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        await pilot.press("enter")
        await settle(pilot)
        key, reviewer = app.current_key, app.reviewer_id
        scorecard = app.screen
        grid = scorecard.query_one("#grid", DataTable)
        await pilot.press("i", "e")  # the intake tab, then edit the business objective in a dialog
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        field = app.screen.query_one("#value", Input)
        field.value = ""
        await pilot.press(*"Half typed")
        revision = app.revision

        second_laptop(sample_target, lambda other: other.record_score(Q, key, reviewer, Criterion.OUTCOME_IMPACT, 5))
        app._tick()
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog) and app.screen.focused is field and field.value == "Half typed"
        assert app.revision == revision  # the scorecard under the dialog still shows what the dialog came from

        await pilot.press("escape")  # cancels the edit
        await settle(pilot)
        assert app.screen is scorecard
        app._tick()
        await settle(pilot)
        assert grid.get_cell(Criterion.OUTCOME_IMPACT.value, str(reviewer)).plain == "5"


async def test_a_tick_while_a_mode_switches_screens_waits_for_the_next(app_factory, monkeypatch):
    """Between two modes' screens the stack is empty for a moment; a tick then must not end the app (seen in CI:
    ScreenStackError from the feed while tests switched screens)."""
    from textual.app import App, ScreenStackError

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)

        def no_screen(_self):
            raise ScreenStackError("No screens on stack")

        monkeypatch.setattr(App, "screen", property(no_screen))
        app._tick()
        assert app._asking is False  # not asked: the next tick will
        monkeypatch.undo()
        await settle(pilot)
        assert app.is_running and app.current_mode == "agenda"

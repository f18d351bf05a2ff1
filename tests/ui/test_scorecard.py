"""The scorecard screen: digits score (in a started session), the reviewer moves, intake fields, criteria changes."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from labreview.domain.vocabulary import Criterion
from labreview.ui.dialogs.field_edit import FieldDialog
from tests.ui.conftest import SIZE, Q, message, ready, settle, start


async def test_scores_need_a_started_session(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert "has not started; start it first" in message(app)


async def test_digits_score_and_move_reviewer_key_and_contested(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter")
        await settle(pilot)
        grid = app.screen.query_one("#grid", DataTable)
        first = app.reviewer_id
        await pilot.press("5", "4", "3", "2", "1")
        await settle(pilot)
        sheet = app.portfolio.score_sheet(Q, "EXP-102")
        assert [sheet.score(first, c) for c in Criterion] == [5, 4, 3, 2, 1]
        assert "scored all five" in message(app)
        await pilot.press("r")
        second = app.reviewer_id
        assert second != first and grid.cursor_coordinate.row == 0
        await pilot.press("2")
        await settle(pilot)
        sheet = app.portfolio.score_sheet(Q, "EXP-102")
        assert sheet.summary.contested == (Criterion.OUTCOME_IMPACT,)
        assert "contested" in str(app.screen.query_one("#totals", Static).render())
        await pilot.press("up", "backspace")
        await settle(pilot)
        assert app.portfolio.score_sheet(Q, "EXP-102").score(second, Criterion.OUTCOME_IMPACT) is None


async def test_intake_fields_and_criteria_change_needs_a_reason(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("enter")  # EXP-102: pilot approved, criteria locked
        await settle(pilot)
        await pilot.press("i")  # the Intake tab: a table of fields, nothing typed into it
        await settle(pilot)
        table = app.screen.query_one("#intake-table", DataTable)
        assert app.screen.focused is table
        await pilot.press("e")  # edit the business objective (the first row) in a dialog of its own
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        value = app.screen.query_one("#value", Input)
        value.value = ""
        await pilot.press(*"Win back lapsing subscribers", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FieldDialog)
        assert app.portfolio.initiative("EXP-102").intake.business_objective == "Win back lapsing subscribers"
        assert "Business objective saved" in message(app)
        table.move_cursor(row=7)  # Target lift (locked)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        app.screen.query_one("#value", Input).value = ""
        await pilot.press(*"+15 %", "enter")  # enter in the value moves to the reason it needs
        await settle(pilot)
        assert app.screen.focused.id == "reason"
        await pilot.press("enter")  # an empty reason is refused in place, nothing typed is lost
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        assert "needs a reason" in str(app.screen.query_one("#problem").render())
        assert app.screen.query_one("#value", Input).value == "+15 %"
        await pilot.press(*"Seasonal baseline shifted", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, FieldDialog)  # one dialog, one save: no second reason prompt
        assert app.portfolio.initiative("EXP-102").target_lift == "+15 %"
        change = app.portfolio.criteria_changes(key="EXP-102")[-1]
        assert (change.reason, change.quarter) == ("Seasonal baseline shifted", Q)
        assert "reason is recorded" in message(app)


async def test_a_digit_outside_the_scorecard_says_where_scoring_happens(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("b", "3")
        await settle(pilot)
        assert "Digits score on the scorecard" in message(app)

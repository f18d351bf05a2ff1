"""A second facilitator changed the field underneath: the edit is refused, what was typed is kept, and the
current value is shown; saving again puts the typed text over it."""

from textual.widgets import Input

from labreview.portfolio import Portfolio
from labreview.ui.dialogs.field_edit import FieldDialog
from labreview.ui.screens.scorecard import ScorecardScreen
from labreview.ui.widgets.message_line import MessageLine
from tests.ui.conftest import ready


async def test_a_stale_intake_edit_is_refused_and_the_typed_text_kept(app_factory, sample_target):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await ready(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        key = app.current_key
        await pilot.press("i", "e")  # the intake tab, then edit the business objective
        await ready(pilot)
        assert isinstance(app.screen, FieldDialog)
        field = app.screen.query_one("#value", Input)
        assert app.screen.focused is field

        other = Portfolio.open(sample_target, actor="Second laptop")
        try:
            other.set_intake(key, "business_objective", "Cut churn among loyalty members by 2 points")
        finally:
            other.close()

        field.value = ""
        await pilot.press(*"Reduce churn", "enter")
        await ready(pilot)

        dialog = app.screen
        assert isinstance(dialog, FieldDialog), "a refused save keeps the dialog open"
        assert field.value == "Reduce churn"
        problem = str(dialog.query_one("#problem").render())
        assert "Someone else changed this since you opened it" in problem
        assert "Cut churn among loyalty members by 2 points" in problem
        assert app.portfolio.initiative(key).intake.business_objective == "Cut churn among loyalty members by 2 points"
        # The dialog now knows the new version: enter again puts the typed text over it.
        await pilot.press("enter")
        await ready(pilot)
        assert not isinstance(app.screen, FieldDialog)
        assert app.portfolio.initiative(key).intake.business_objective == "Reduce churn"
        assert "saved" in str(app.screen.query_one(MessageLine).render())

"""A second facilitator changed the field underneath: the edit is refused and the screen shows the current value."""

from textual.widgets import Input

from labreview.portfolio import Portfolio
from labreview.screens.scorecard import ScorecardScreen
from labreview.widgets.message_line import MessageLine
from tests.ui.conftest import ready


async def test_a_stale_intake_edit_is_refused_and_the_current_value_shown(app_factory, sample_copy):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await ready(pilot)
        assert isinstance(app.screen, ScorecardScreen)
        key = app.current_key
        await pilot.press("i")  # the intake tab; the business objective has the focus
        await pilot.pause()
        field = app.screen.query_one("#f-business_objective", Input)
        assert app.screen.focused is field
        shown_before = field.value

        other = Portfolio.open(sample_copy, actor="Second laptop")
        try:
            other.set_intake(key, "business_objective", "Cut churn among loyalty members by 2 points")
        finally:
            other.close()

        field.value = ""
        await pilot.press(*"Reduce churn", "enter")
        await ready(pilot)

        assert field.value == "Cut churn among loyalty members by 2 points" != shown_before
        message = app.screen.query_one(MessageLine)
        assert message.has_class("-error")
        assert "Someone else changed this since you opened it" in str(message.render())
        assert app.portfolio.initiative(key).intake.business_objective == "Cut churn among loyalty members by 2 points"
        # The refreshed form carries the new version: the same edit, made again, now goes through.
        field.focus()
        field.value = ""
        await pilot.press(*"Reduce churn", "enter")
        await ready(pilot)
        assert app.portfolio.initiative(key).intake.business_objective == "Reduce churn"
        assert "saved" in str(app.screen.query_one(MessageLine).render())

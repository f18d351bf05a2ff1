"""The decision dialog: outcome by letter, rationale, promotion refused by the gates, action items."""

from __future__ import annotations

from textual.widgets import Input, Static

from labreview.domain.vocabulary import DecisionOutcome, Stage
from labreview.ui.dialogs.decision import DecisionDialog
from tests.ui.conftest import SIZE, Q, message, settle, start


async def test_decision_dialog_iterate_with_rationale(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        await pilot.press("enter")  # no outcome chosen yet → asked for one, in place
        await settle(pilot)
        assert "Choose the outcome first: p promote, i iterate" in str(app.screen.query_one("#problem").render())
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen.focused, Input) and app.screen.focused.id == "rationale"
        await pilot.press("enter")
        await settle(pilot)
        assert "needs a rationale" in str(app.screen.query_one("#problem").render())
        await pilot.press(*"more data", "enter")
        await settle(pilot)
        decision = app.portfolio.decision(Q, "EXP-102")
        assert decision.outcome is DecisionOutcome.ITERATE and decision.rationale == "more data"
        assert [a.owner.name for a in decision.action_items] == []
        assert "Recorded: iterate for EXP-102" in message(app)


async def test_promotion_refused_in_the_dialog_and_nothing_recorded(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-118")  # transition, production readiness open
        await settle(pilot)
        await pilot.press("d", "p")
        await pilot.press(*"ready", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionDialog)
        assert "cannot be promoted yet" in str(app.screen.query_one("#problem").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.portfolio.decision(Q, "EXP-118") is None
        assert app.portfolio.initiative("EXP-118").stage is Stage.TRANSITION


async def test_promotion_with_action_item_moves_the_stage_and_the_budget(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.open_item("EXP-119")  # transition, gates ready
        await settle(pilot)
        await pilot.press("d", "p", *"Latency and loss within threshold for 8 weeks")
        dialog = app.screen
        dialog.query_one("#action-0", Input).value = "Hand over to marketing operations"
        await pilot.press("enter")
        await settle(pilot)
        decision = app.portfolio.decision(Q, "EXP-119")
        assert decision.stage_after is Stage.FACTORY
        texts = [a.text for a in decision.action_items]
        assert texts[0] == "Hand over to marketing operations"  # typed in the dialog; then the 90-day plan's steps
        assert [a.plan_days for a in decision.action_items[1:]] == [30, 30, 60, 60, 90]
        await pilot.press("m")
        await settle(pilot)
        assert "moves from iterate to factory" in str(app.screen.query_one("#changes", Static).render())

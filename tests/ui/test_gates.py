"""The gates screen: checklist cycling, waivers with a reason, promotion refusals, gate templates."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from labreview.domain.vocabulary import CheckState, Gate
from labreview.ui.dialogs.prompt import PromptDialog
from tests.ui.conftest import SIZE, message, ready, settle


async def test_gate_cycle_waive_with_reason_and_promotion_refusal(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await settle(pilot)
        readiness = str(app.screen.query_one("#readiness", Static).render())
        assert "Promotion to transition: refused" in readiness and "Evidence review has 2 open" in readiness
        table = app.screen.query_one("#checklist", DataTable)
        row_key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        assert row_key.startswith("i")  # the cursor starts on the first open item of the current gate
        await pilot.press("space")
        await settle(pilot)
        view = app.portfolio.checklist("EXP-102")
        evidence = view.reports[1]
        assert evidence.count(CheckState.MET) == 4
        await pilot.press("down", "w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)  # no reason, no waiver
        await pilot.press(*"Learning note goes out with the Q1 newsletter", "enter")
        await settle(pilot)
        view = app.portfolio.checklist("EXP-102")
        assert view.reports[1].status.label == "met with waivers" and view.promotion_refusals == ()
        assert "the gates allow it" in str(app.screen.query_one("#readiness", Static).render())


async def test_gate_template_add_edit_remove(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await settle(pilot)
        before = len(app.portfolio.templates())
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press(*"Accessibility review", "enter")
        await settle(pilot)
        added = [t for t in app.portfolio.templates() if t.text == "Accessibility review"]
        assert len(app.portfolio.templates()) == before + 1 and added[0].gate is Gate.EVIDENCE_REVIEW
        assert "every initiative" in message(app)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*"Accessibility and inclusion review", "enter")
        await settle(pilot)
        assert [t.text for t in app.portfolio.templates() if t.id == added[0].id] == [
            "Accessibility and inclusion review"
        ]
        await pilot.press("x", "enter")
        await settle(pilot)
        assert len(app.portfolio.templates()) == before
        assert all(t.id != added[0].id for t in app.portfolio.templates())

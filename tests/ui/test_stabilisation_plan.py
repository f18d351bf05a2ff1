"""The 90-day stabilisation plan on the gates screen (under gate 4) and its template's editor."""

from __future__ import annotations

from textual.widgets import DataTable, TextArea

from labreview.ui.dialogs.stabilisation import StabilisationPlanDialog
from tests.ui.conftest import SIZE, message, ready, settle

KEY = "EXP-110"  # promoted into the factory in 2026-Q3: its plan is under way in the sample


def rows(app) -> list[str]:
    table = app.screen.query_one("#checklist", DataTable)
    return [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_the_plan_shows_under_gate_4_and_a_step_is_marked_done(app_factory):
    app = app_factory()
    async with app.run_test(size=(140, 50)) as pilot:
        await ready(pilot)
        app.open_item(KEY, "gates")
        await settle(pilot)
        lines = rows(app)
        at = next(i for i, line in enumerate(lines) if "90-day stabilisation plan" in line)
        assert "3 of 5 steps done, next due 2026-10-19" in lines[at]
        incident = next(i for i, line in enumerate(lines) if "Incident response defined and rehearsed" in line)
        assert "✘" in lines[incident] and "overdue 2026-10-19" in lines[incident] and "Lena Fischer" in lines[incident]
        renewal = next(i for i, line in enumerate(lines) if "Renewal and cost checkpoint:" in line)
        assert "✘" in lines[renewal] and "overdue 2026-11-18 · Grace Liu" in lines[renewal]

        table = app.screen.query_one("#checklist", DataTable)
        table.move_cursor(row=incident)
        await pilot.press("space")
        await settle(pilot)
        assert "Plan step done." in message(app)
        assert "4 of 5 steps done" in rows(app)[at]
        table.move_cursor(row=incident)
        await pilot.press("space")
        await settle(pilot)
        assert "done already" in message(app)
        done = next(
            i for i, line in enumerate(rows(app)) if "Onboarding and documentation in place" in line and "day" in line
        )
        assert "✔" in rows(app)[done] and "done · Ravi Menon" in rows(app)[done]


async def test_the_template_is_edited_in_a_dialog_and_refused_in_words(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, StabilisationPlanDialog)
        area = app.screen.query_one("#plan", TextArea)
        assert area.text.splitlines()[0] == "30 | - | Onboarding and documentation in place"
        area.text = "14 | martech-lead | Runbook signed\nforty | finance | Cost review"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StabilisationPlanDialog)  # refused in place, the text kept
        assert "'forty' is not a number of days" in str(app.screen.query_one("#problem").render())
        area.text = "14 | martech-lead | Runbook signed\n45 | janitor | Cost review"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "janitor" in str(app.screen.query_one("#problem").render())
        area.text = "45 | finance | Cost review [bold]\n14 | martech-lead | Runbook signed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, StabilisationPlanDialog)
        assert "2 steps" in message(app)
    steps = app.portfolio.stabilisation_plan().steps
    assert [(s.days, s.text) for s in steps] == [(14, "Runbook signed"), (45, "Cost review [bold]")]


async def test_the_palette_opens_the_plan_editor(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"stabilisation plan")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StabilisationPlanDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "gates"

"""The KPIs screen: lab and factory side by side per quarter, targets met or missed, the trend, a reading entered."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static
from textual_plotext import PlotextPlot

from labreview.ui.dialogs.kpi_reading import KpiReadingDialog
from labreview.ui.screens.kpis import KpisScreen
from tests.ui.conftest import message, ready, settle

WIDE = (150, 40)


def rows(app, side: str) -> list[str]:
    table = app.screen.query_one(f"#kpi-{side}", DataTable)
    return [" ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


async def test_k_opens_the_kpis_side_by_side_with_targets_and_the_trend(app_factory):
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await settle(pilot)
        assert app.current_mode == "kpis" and isinstance(app.screen, KpisScreen)
        lab, factory = app.screen.query_one("#kpi-lab", DataTable), app.screen.query_one("#kpi-factory", DataTable)
        assert [str(c.label) for c in lab.columns.values()] == ["Measure", "2026-Q2", "2026-Q3", "2026-Q4", "Target"]
        assert rows(app, "lab")[0] == "Experiment throughput 5 ✓ 5 ✓ 0 ✗ ≥ 5"
        assert rows(app, "lab")[1] == "Time to insight 238.4 d ✓ 244.8 d ✗ —   ≤ 240 d"
        assert rows(app, "factory")[5] == "Cost efficiency * 81 % ✗ 84 % ✗ 83 % ✗ ≥ 85 %"
        assert factory.row_count == 8 and lab.row_count == 6
        leadership = str(app.screen.query_one("#kpi-leadership", Static).render())
        assert leadership.startswith("2026-Q4: Learning: no pilot decided yet;")
        assert "factory falls short: 6 of 7 targets met" in leadership
        plot = app.screen.query_one("#kpi-trend", PlotextPlot)
        assert plot.size.height >= 8
        factory.focus()
        factory.move_cursor(row=6)  # uptime: the trend follows the highlighted measure
        await settle(pilot)
        assert app.screen.metric == "uptime"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert [str(c.label) for c in lab.columns.values()][1:4] == ["2026-Q1", "2026-Q2", "2026-Q3"]


async def test_the_palette_opens_the_kpis(app_factory):
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open: KPIs")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "kpis"


async def test_a_reading_is_entered_refused_in_words_and_undone(app_factory):
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await settle(pilot)
        app.screen.query_one("#kpi-factory", DataTable).focus()
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KpiReadingDialog)
        assert dialog.query_one("#quarter", Input).value == "2026-Q4"
        assert dialog.query_one("#metric", Select).value == "adoption"
        await pilot.press(*"lots", "enter")
        await settle(pilot)
        assert "'lots' is not a number" in str(dialog.query_one("#problem").render())
        dialog.query_one("#value", Input).value = ""
        dialog.query_one("#key", Input).value = "fac-001"
        dialog.query_one("#value", Input).focus()
        await pilot.press(*"42.5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, KpisScreen)
        assert "Adoption of FAC-001 in 2026-Q4: 42.5 % recorded." in message(app)
        assert "77 % ✓" in rows(app, "factory")[0]  # the portfolio-wide reading still wins
        readings = {(m, k): v for m, k, v, _at, _by in app.portfolio.kpi_readings("2026-Q4")}
        assert str(readings[("adoption", "FAC-001")]) == "42.5"
        await pilot.press("ctrl+z")
        await settle(pilot)
        readings = {(m, k) for m, k, *_ in app.portfolio.kpi_readings("2026-Q4")}
        assert ("adoption", "FAC-001") not in readings


async def test_a_target_is_set_from_the_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        await pilot.press("k")
        await settle(pilot)
        app.screen.query_one("#kpi-lab", DataTable).move_cursor(row=4)  # validated use cases: no target yet
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"6", "enter")
        await settle(pilot)
        assert "Target of Validated use cases set to 6." in message(app)
        assert rows(app, "lab")[4].endswith("8 ✓ ≥ 6")


async def test_a_malformed_stored_target_is_said_once(app_factory):
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        from sqlmodel import Session

        from labreview.store.models import Setting

        with Session(app.portfolio.engine) as session:
            session.get(Setting, "kpi_targets").value = "{oops"
            session.commit()
        await pilot.press("k")
        await settle(pilot)
        assert "The stored KPI targets are unreadable" in message(app)
        assert rows(app, "lab")[0].split() == ["Experiment", "throughput", "5", "5", "0"]  # no marks, no target
        await pilot.press("b", "k")
        await settle(pilot)
        assert "unreadable" not in message(app)

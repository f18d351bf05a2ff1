"""The stack map screen: opened by key and by the palette; filter, sort, retired tools, the renewal flag and the
overlap mark; the scorecard's consolidation candidates; a consolidation naming its survivor in the dialog."""

from __future__ import annotations

from textual.widgets import Input, Static

from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import message, ready, settle, start

SIZE = (120, 36)


def rows(app) -> list:
    table = app.screen.query_one(VirtualTable)
    return [table.row(i) for i in range(len(table.source))]


def keys(app) -> list[str]:
    return [row.key for row in rows(app) if not row.is_heading]


def headings(app) -> list[str]:
    return [row.heading for row in rows(app) if row.is_heading]


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_open_by_key_renewals_and_overlaps(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert app.current_mode == "stack"
        assert headings(app) == ["── Lab (10)", "── Transition (7)", "── Factory (17)"]  # retired hidden
        assert "34 tools" in text_of(app, "#count")
        horizon = text_of(app, "#horizon")
        assert "Renewals due by 2026-12-31 (end of 2026-Q4): FAC-007, FAC-014 · ≈ 7 overlapping" in horizon
        assert "6 retired (x)" in horizon
        by_key = {row.key: row for row in rows(app) if not row.is_heading}
        assert by_key["FAC-007"].cells["renewal"] == "2026-12-31!" and by_key["FAC-007"].styles["renewal"] == "warn"
        assert by_key["FAC-001"].cells["renewal"] == "2027-06-30" and "renewal" not in by_key["FAC-001"].styles
        marked = {key for key, row in by_key.items() if row.cells["overlap"] == "≈"}
        assert marked == {"EXP-101", "EXP-102", "EXP-108", "EXP-121", "FAC-002", "FAC-010", "FAC-019"}
        assert by_key["FAC-010"].cells["vendor"] == "Quillmark AI" and by_key["FAC-010"].cells["scope"] == "isolated"
        # The cursor starts on the meeting's current item (EXP-102); its overlap is said under the table.
        table = app.screen.query_one(VirtualTable)
        assert table.cursor_key == "EXP-102"
        assert "EXP-102 Predictive churn scoring  ≈ overlaps EXP-108 (same vendor Orbital Analytics)" in text_of(
            app, "#stack-detail"
        )
        table.cursor = next(i for i, row in enumerate(rows(app)) if row.key == "FAC-010")
        await settle(pilot)
        detail = text_of(app, "#stack-detail")
        assert "overlaps EXP-101 (same vendor Quillmark AI); overlaps EXP-121 (same vendor Quillmark AI)" in detail
        await pilot.press("x")
        await settle(pilot)
        assert headings(app)[-1] == "── Retired (6)" and "40 tools" in text_of(app, "#count")
        assert table.cursor_key == "FAC-010"  # the cursor stays on its row
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "scorecard" and app.current_key == "FAC-010"
        candidates = str(app.screen.query_one("#overlaps", Static).render())
        assert candidates.startswith("Consolidation candidates: EXP-101 GenAI email subject-line generator")
        assert "EXP-121 Generative product descriptions (same vendor Quillmark AI)" in candidates


async def test_open_by_palette_filter_and_sort(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open: stack map")
        await pilot.pause(0.3)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "stack"
        await pilot.press("slash")
        await pilot.press(*"overlap:yes")
        await settle(pilot)
        assert keys(app) == ["EXP-102", "EXP-108", "EXP-101", "EXP-121", "FAC-002", "FAC-010", "FAC-019"]
        assert "7 of 34" in text_of(app, "#count")
        app.screen.query_one("#filter", Input).value = "overlap:yes colour:red"  # as if pasted
        await settle(pilot)
        assert "Unknown filter 'colour:'" in text_of(app, "#filter-problem")
        assert len(keys(app)) == 7  # the last good filter stays
        app.screen.query_one("#filter", Input).value = "stage:factory"
        await settle(pilot)
        await pilot.press("escape")
        table = app.screen.query_one(VirtualTable)
        assert app.screen.focused is table
        for _ in range(5):  # key → title → owner → vendor → scope → renewal
            await pilot.press("greater_than_sign")
        await settle(pilot)
        assert table.sort_column == "renewal"
        renewals = [row.cells["renewal"] for row in rows(app) if not row.is_heading]
        assert renewals[:2] == ["2026-12-31!", "2026-12-31!"] and renewals[-1] == ""
        await pilot.press("r")
        await settle(pilot)
        renewals = [row.cells["renewal"] for row in rows(app) if not row.is_heading]
        assert renewals[0] == "2027-10-31" and renewals[-1] == ""  # no date stays last
        await pilot.press("greater_than_sign")
        await settle(pilot)
        costs = [int(row.cells["cost"].replace(",", "")) for row in rows(app) if not row.is_heading]
        assert table.sort_column == "cost" and costs == sorted(costs, reverse=True)


async def test_consolidate_offers_the_overlaps_as_the_survivor(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("f")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        table.cursor = next(i for i, row in enumerate(rows(app)) if row.key == "FAC-019")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecisionDialog) and dialog.initiative.key == "FAC-019"
        assert "overlaps FAC-002 (same vendor Segmentry)" in str(dialog.query_one("#overlap-candidates").render())
        dialog.query_one("#absorbed-by", Input).value = ""
        await pilot.press("c")
        await settle(pilot)
        assert dialog.query_one("#absorbed-by", Input).value == "FAC-002"  # the overlap, offered
        dialog.query_one("#absorbed-by", Input).value = ""
        await pilot.press(*"Audiences move into the CDP", "enter")
        await settle(pilot)
        assert app.screen is dialog and "Name the tool that absorbs FAC-019" in str(
            dialog.query_one("#problem").render()
        )
        dialog.query_one("#absorbed-by", Input).value = "FAC-002"
        dialog.action_record()
        await settle(pilot)
        assert app.screen is not dialog
        assert "Recorded: consolidate for FAC-019 into FAC-002 (factory → retired)" in message(app)
        decision = app.portfolio.decisions("2026-Q4")[-1]
        assert (decision.key, decision.absorbed_by) == ("FAC-019", "FAC-002")
        # The map follows: FAC-019 is retired, FAC-002 overlaps nothing now.
        assert "FAC-019" not in keys(app)
        row = next(row for row in rows(app) if row.key == "FAC-002")
        assert row.cells["overlap"] == ""
        await pilot.press("o")
        await settle(pilot)
        from textual.widgets import DataTable

        decisions = app.screen.query_one("#decisions", DataTable)
        # the survivor, then who signed the sunset off (the sample's rights: marketing operations), then why
        assert str(decisions.get_row("FAC-019")[-1]).startswith("into FAC-002 · signed off by")
        assert decision.signed_off_by == "Lena Fischer"
        assert "FAC-002" in str(decisions.get_row("FAC-019")[-1])


async def test_markup_in_a_title_and_vendor_is_shown_literally(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.portfolio.update_initiative("FAC-019", title="[bold red]Approved[/bold red]", vendor="[/]Segmentry")
        app.portfolio.update_initiative("FAC-002", vendor="[/] segmentry")
        app.changed()
        await pilot.press("f")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        table.cursor = next(i for i, row in enumerate(rows(app)) if row.key == "FAC-019")
        await settle(pilot)
        row = rows(app)[table.cursor]
        assert row.cells["title"] == "[bold red]Approved[/bold red]" and row.cells["overlap"] == "≈"
        detail = text_of(app, "#stack-detail")
        assert "[bold red]Approved[/bold red]" in detail and "overlaps FAC-002 (same vendor [/]Segmentry)" in detail

"""The app frame: first frame before the data, then the agenda of the sample portfolio."""

from textual.widgets import DataTable, Static

from labreview.widgets.meeting_header import MeetingHeader
from tests.ui.conftest import ready


async def test_first_frame_then_the_agenda(app_factory):
    app = app_factory()
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.query_one("#opening", Static)  # painted before the store is loaded
        await ready(pilot)
        assert app.current_mode == "agenda"
        table = app.screen.query_one("#agenda", DataTable)
        assert table.row_count == 12
        header = app.screen.query_one(MeetingHeader)
        assert header.state.quarter == "2026-Q4" and header.state.total == 12
        assert app.portfolio.name.startswith("Northwind")


async def test_backlog_shows_real_rows(app_factory):
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await ready(pilot)
        from labreview.widgets.virtual_table import VirtualTable

        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40
        assert table.row(0).key == "EXP-101"

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


async def test_first_frame_shows_the_agenda_read_without_the_service_layer(app_factory, sample_copy):
    from labreview.store.peek import first_screen

    preview = first_screen(sample_copy)
    assert preview.quarter == "2026-Q4" and len(preview.agenda) == 12 and preview.agenda[0].key == "EXP-102"
    app = app_factory(preview=preview)
    async with app.run_test(size=(100, 32)) as pilot:
        assert app.query_one("#preview", Static)
        assert app.meeting.quarter == "2026-Q4" and app.meeting.total == 12
        await pilot.press("b")  # pressed while opening: honoured once open
        await ready(pilot)
        assert app.current_mode == "backlog"


def test_preview_of_a_portfolio_without_sessions(tmp_path):
    from labreview.store.database import prepare
    from labreview.store.peek import first_screen

    prepare(tmp_path / "p.db", create=True)
    assert first_screen(tmp_path / "p.db") is None
    (tmp_path / "junk.db").write_text("not a database")
    assert first_screen(tmp_path / "junk.db") is None

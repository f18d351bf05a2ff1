"""The app frame: first frame before the data, then the agenda of the sample portfolio."""

from textual.widgets import DataTable, Static

from labreview.ui.widgets.meeting_header import MeetingHeader
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
        from labreview.ui.widgets.virtual_table import VirtualTable

        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == 40
        assert table.row(0).key == "EXP-101"


async def test_first_frame_shows_the_agenda_read_without_the_service_layer(app_factory, sample_target):
    from labreview.store.peek import first_screen

    preview = first_screen(sample_target)
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


async def test_backlog_key_while_opening_shows_its_top_rows_read_without_the_service_layer(
    app_factory, sample_target, monkeypatch
):
    """b pressed before the portfolio is open: the backlog's first rows at once (sqlite3), then the real screen."""
    import asyncio

    from labreview.store.peek import first_screen
    from labreview.ui.app import LabReviewApp
    from labreview.ui.widgets.virtual_table import VirtualTable

    app = app_factory(preview=first_screen(sample_target))
    monkeypatch.setattr(app, "_open", lambda: None)  # hold the portfolio closed until the preview is checked
    async with app.run_test(size=(120, 40)) as pilot:
        app.simulate_key("b")  # Pilot.press would wait for an app that is still opening
        for _ in range(100):
            await asyncio.sleep(0.05)
            if app.screen.query("#preview-backlog"):
                break
        preview = app.screen.query_one("#preview-backlog", VirtualTable)
        assert len(preview.source) == 40 and not app.ready.is_set()
        shown = [preview.row(i) for i in range(30)]
        assert "Backlog · 40 initiatives · opening…" in [str(s.render()) for s in app.screen.query(Static)]
        LabReviewApp._open(app)  # now open it: the key pressed meanwhile is replayed
        await ready(pilot)
        await pilot.pause()
        assert app.current_mode == "backlog"
        table = app.screen.query_one(VirtualTable)
        await ready(pilot)
        real = [table.row(i) for i in range(30)]
    assert [(r.key, r.cells, r.styles) for r in shown] == [(r.key, r.cells, r.styles) for r in real]
    assert any(r.cells["agenda"] == "●" for r in shown) and any(r.cells["score"] for r in shown)

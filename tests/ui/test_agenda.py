"""The agenda screen: starting and ending the session, removing, undoing and reordering items."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from labreview.ui.dialogs.prompt import PromptDialog
from labreview.ui.widgets.meeting_header import MeetingHeader
from tests.ui.conftest import SIZE, Q, message, settle, start


async def test_agenda_start_remove_undo_reorder_and_timebox(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        assert app.screen.query_one(MeetingHeader).state.status == "open"
        await pilot.press("down", "space")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-102", "EXP-105"]
        assert "Took EXP-104 off the agenda" in message(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-102", "EXP-104"]  # back in its place
        assert "Undone" in message(app)
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor stays on the row brought back
        await pilot.press("ctrl+home", "shift+down")
        await settle(pilot)
        assert [e.key for e in app.session.agenda][:2] == ["EXP-104", "EXP-102"]
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor follows the moved item
        for wrong in ("0", "500"):  # refused in the dialog, which stays open with the number typed
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, PromptDialog)
            await pilot.press(*wrong, "enter")
            await settle(pilot)
            assert isinstance(app.screen, PromptDialog)
            assert "1 to 120 minutes" in str(app.screen.query_one("#problem").render())
            assert app.screen.query_one("#answer", Input).value == wrong
            await pilot.press("escape")
            await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("1", "2", "enter")  # the old value is selected on focus
        await settle(pilot)
        assert app.portfolio.session(Q).agenda[1].timebox_seconds == 12 * 60
        assert app.screen.query_one(DataTable).cursor_row == 1  # not sent back to the current item (▶, row 2)
        assert "Timebox of EXP-102 is now 12 minutes" in message(app)


async def test_end_session_asks_first(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("E")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.status.value == "open"
        await pilot.press("E", "enter")
        await settle(pilot)
        assert app.portfolio.session(Q).status.value == "closed"


async def test_attendance_and_planning_dialogs_show_every_person(app_factory):
    """Both dialogs list the whole board at once (a CSS rule meant for the agenda's attendee line once cut
    their list to a single row)."""
    from textual.widgets import SelectionList

    from labreview.ui.dialogs.attendance import AttendanceDialog
    from labreview.ui.dialogs.plan_session import PlanSessionDialog

    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot)
        for open_dialog, kind in ((app.edit_attendance, AttendanceDialog), (app.plan_next_session, PlanSessionDialog)):
            open_dialog()
            await settle(pilot)
            assert isinstance(app.screen, kind)
            people = app.screen.query_one("#attendees", SelectionList)
            shown = people.content_region.height
            assert shown >= min(people.option_count, 8), (kind.__name__, shown, people.option_count)
            await pilot.press("escape")
            await settle(pilot)

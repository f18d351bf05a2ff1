"""The app's part of issue 12: planning a session in a dialog, S on an empty agenda, attendance,
the budget screen's envelope and line edits, the board's weights."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from labreview.config import Config
from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio
from labreview.ui.app import make_app
from labreview.ui.dialogs.plan_session import PlanSessionDialog
from labreview.ui.dialogs.prompt import PromptDialog
from tests.ui.conftest import message, ready, settle

SIZE = (100, 32)


def fresh(tmp_path, clock) -> str:
    db = str(tmp_path / "fresh.db")
    p = Portfolio.open(db, create=True, actor=None, clock=clock)
    p.add_board_member("Kim Novak", "innovation-lead")
    p.add_board_member("Lee Park", "sponsor")
    p.create_initiative("LAB-1", "Idea", category="efficiency", owner="Lee Park", quarterly_cost=1_000_000)
    p.close()
    return db


async def test_s_on_an_empty_agenda_says_so_and_starts_nothing(tmp_path, clock):
    db = fresh(tmp_path, clock)
    app = make_app(db, config=Config(path=tmp_path / "c.toml"), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.plan_next_session()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanSessionDialog)
        dialog.query_one("#date", Input).value = "2026-13-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Write the date as YYYY-MM-DD" in str(dialog.query_one("#problem").render())
        dialog.query_one("#date", Input).value = "2026-11-30"
        await pilot.press("ctrl+s")  # nobody attends yet: refused in place
        await settle(pilot)
        assert app.screen is dialog and "Choose who attends" in str(dialog.query_one("#problem").render())
        await pilot.press("tab", "tab", "space", "ctrl+s")  # facilitator: first in the list; Kim attends
        await settle(pilot)
        assert app.session is not None and app.session.quarter == "2026-Q4" and app.session.agenda == ()
        assert [a.name for a in app.session.attendees] == ["Kim Novak"]
        await pilot.press("h", "S")
        await settle(pilot)
        assert app.session.status.value == "planned"
        assert "The 2026-Q4 agenda is empty, so the session was not started" in message(app)
    p = Portfolio.open(db, actor=None, clock=clock)
    assert p.audit_log(limit=1)[0].actor == "Kim Novak"  # planned in the name of its facilitator
    assert [line.key for line in p.budget("2026-Q4").lines] == ["LAB-1"]
    p.close()


async def test_budget_screen_edits_a_line_and_sets_the_envelope(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one("#budget-lines", DataTable)
        assert table.row_count == 34
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PromptDialog)
        app.screen.query_one(Input).value = "130,000"
        await pilot.press("enter")
        await settle(pilot)
        assert "Budget 2026-Q4: FAC-001 set to EUR 130,000." in message(app)
        await pilot.press("v")
        await settle(pilot)
        app.screen.query_one(Input).value = "900000 / 100000"
        await pilot.press("enter")
        await settle(pilot)
        view = app.portfolio.budget("2026-Q4")
        assert view.envelope.total == 90_000_000 and view.envelope.lab == 10_000_000
        assert view.headroom.total == 90_000_000 - view.mix.total
        assert "headroom" in str(app.screen.query_one("#envelope").render())
        assert [e.actor for e in app.portfolio.audit_log(limit=2)] == ["Kim Novak", "Kim Novak"]


async def test_the_board_sets_weights_from_the_palette_and_attendance_changes_in_the_meeting(app_factory):
    from labreview.ui.commands import LabReviewCommands

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        titles = {title for title, _callback, _help in LabReviewCommands(app.screen)._commands()}
        assert {"session: plan next", "session: attendance", "weights: set"} <= titles
        app.edit_weights()
        await settle(pilot)
        app.screen.query_one(Input).value = "outcome-impact=2"
        await pilot.press("enter")
        await settle(pilot)
        entry = app.portfolio.audit_log(limit=1)[0]
        assert (entry.action, entry.actor) == ("set weights", "Kim Novak")
        assert app.portfolio.weights_override is None and app.portfolio.weights[Criterion.OUTCOME_IMPACT] == 2
        before = {a.name for a in app.session.attendees}
        app.edit_attendance()
        await settle(pilot)
        await pilot.press("home", "space", "escape")
        await settle(pilot)
        after = {a.name for a in app.session.attendees}
        assert len(before ^ after) == 1
        assert app.portfolio.audit_log(limit=1)[0].action == "set attendance"

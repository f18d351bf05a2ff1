"""Pilot tests of the whole meeting on the sample portfolio: timebox, theme, quit and reopen, sizes, end to end."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from labreview.domain.vocabulary import DecisionOutcome, Stage
from labreview.ui.tones import paint
from labreview.ui.widgets.meeting_header import MeetingHeader
from tests.ui.conftest import SIZE, Q, message, ready, settle, start


async def test_theme_change_is_remembered(app_factory, tmp_path):
    import tomllib

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert tomllib.loads((tmp_path / "config.toml").read_text())["theme"] == "nord"


async def test_timebox_runs_turns_red_and_is_stored(app_factory, stopwatch):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        stopwatch.now += 9 * 60
        app._tick()  # the one-second interval, without waiting a second for it
        await settle(pilot)
        state = app.screen.query_one(MeetingHeader).state
        assert state.running and state.over and state.elapsed >= 9 * 60
        # the agenda's row of the running item keeps time with the header, in red once over
        cell = app.screen.query_one("#agenda", DataTable).get_cell("EXP-102", "time")
        over = paint(app, "bold bad")  # the theme's error colour (red in textual-dark), see ui/tones.py
        assert cell.plain == f"{state.elapsed // 60:02d}:{state.elapsed % 60:02d}/08:00" and str(cell.style) == over
        # a draft of the minutes carries the time spent so far, not the last 15-second flush
        stopwatch.now += 5
        await pilot.press("o", "e")
        await settle(pilot)
        assert app.portfolio.session(Q).agenda[0].spent_seconds == state.elapsed + 5
        await pilot.press("escape", "h")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
    entry = app.portfolio.session(Q).agenda[0]
    assert entry.key == "EXP-102" and entry.spent_seconds >= 9 * 60


async def test_quit_and_reopen_resumes_the_session(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("n", "n", "3")
        await settle(pilot)
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert again.session.status.value == "open"
        assert again.current_key == "EXP-105"
        assert again.screen.query_one(MeetingHeader).state.position == 3


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_screens_render_at_small_and_large_sizes(app_factory, size):
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await start(pilot)
        for key in ("b", "s", "g", "a", "m", "o", "h"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen.query_one(MeetingHeader).region.width == size[0]


async def test_end_to_end_meeting(app_factory, sample_target, clock):
    """Start 2026-Q4, score and decide three items from the keyboard, undo one, and check the database."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        plan = [
            ("EXP-102", "i", "more data"),
            ("EXP-104", "k", "supplier demand too thin"),
            ("EXP-105", "h", "wait for the panel vendor"),
        ]
        await pilot.press("enter")  # open the first item's scorecard
        for index, (key, letter, rationale) in enumerate(plan):
            if index:
                await pilot.press("n")
            await settle(pilot)
            assert app.current_key == key
            await pilot.press("4", "3", "5", "2", "4", "r", "3", "3", "4", "2", "5")
            await pilot.press("d", letter, *rationale, "enter")
            await settle(pilot)
        await pilot.press("ctrl+z")  # the hold for EXP-105 was a mistake
        await settle(pilot)
        assert "Undone: Decided hold for EXP-105" in message(app)
    from labreview.portfolio import Portfolio

    p = Portfolio.open(sample_target, actor="check", clock=clock)
    decisions = {d.key: d for d in p.decisions(Q)}
    assert set(decisions) == {"EXP-102", "EXP-104"}
    assert decisions["EXP-102"].outcome is DecisionOutcome.ITERATE and decisions["EXP-102"].rationale == "more data"
    assert decisions["EXP-104"].stage_after is Stage.RETIRED
    assert p.initiative("EXP-104").stage is Stage.RETIRED and p.initiative("EXP-105").stage is Stage.LAB
    for key in ("EXP-102", "EXP-104", "EXP-105"):
        sheet = p.score_sheet(Q, key)
        assert len(sheet.scores) == 10 and sheet.summary.reviewers == 2
    assert p.session(Q).status.value == "open" and p.verify_audit().ok
    undone = [e for e in p.audit_log(200) if e.undone]
    assert [e.summary for e in undone] == ["Decided hold for EXP-105: wait for the panel vendor"]
    p.close()


async def test_keystroke_economy(app_factory):
    """From the agenda: next item, five scores, iterate with a rationale, back on the agenda — at most 12 keys."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        keys = ["n", "4", "3", "5", "2", "4", "d", "i"]
        rationale = list("more data")
        finish = ["enter", "h"]
        for key in keys:
            await pilot.press(key)
        await pilot.press(*rationale)
        await pilot.press(*finish)
        await settle(pilot)
        assert app.current_mode == "agenda"
        decision = app.portfolio.decision(Q, "EXP-104")
        assert decision.outcome is DecisionOutcome.ITERATE and decision.rationale == "more data"
        assert len(app.portfolio.score_sheet(Q, "EXP-104").scores) == 5
        assert len(keys) + len(finish) <= 12

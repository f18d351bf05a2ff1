"""Secret scoring on the scorecard: V opens it, the cells say only who has cast (●), the progress line counts,
a member casting from their own seat (another process) shows through the change feed, U reveals everything at once."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import DataTable, Static

from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio
from tests.ui.conftest import SIZE, Q, message, settle, start
from tests.ui.test_hostile_screens import screen_text

KEY = "EXP-102"


def grid_cells(app, reviewer: int) -> list[str]:
    grid = app.screen.query_one("#grid", DataTable)
    return [grid.get_cell(c.value, str(reviewer)).plain for c in Criterion]


def column(app, name: str) -> list[str]:
    grid = app.screen.query_one("#grid", DataTable)
    return [grid.get_cell(c.value, name).plain for c in Criterion]


def totals(app) -> str:
    return str(app.screen.query_one("#totals", Static).render())


async def open_scorecard(pilot) -> None:
    await start(pilot)
    await pilot.press("enter")  # the first agenda item's scorecard
    await settle(pilot)
    assert pilot.app.current_key == KEY


async def test_secret_scoring_by_key_hides_typed_scores_until_the_reveal(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_scorecard(pilot)
        await pilot.press("V")
        await settle(pilot)
        assert "Secret scoring of EXP-102 is open" in message(app)
        voters = len(app.screen.sheet.ballot.voters)
        assert f"Secret scoring · 0 of {voters} have scored · U reveal" in totals(app)

        first = app.reviewer_id
        await pilot.press("5", "4", "3", "2", "1")  # the facilitator types for someone without a device
        await settle(pilot)
        await pilot.press("r")
        second = app.reviewer_id
        await pilot.press("2", "2")
        await settle(pilot)
        assert second != first
        assert grid_cells(app, first) == ["●"] * 5
        assert grid_cells(app, second) == ["●", "●", "·", "·", "·"]
        assert column(app, "mean") == [""] * 5 and column(app, "spread") == [""] * 5
        assert f"1 of {voters} have scored" in totals(app)
        assert "cast in secret" in message(app) and "2" not in message(app).split(":")[-1]
        text = screen_text(app)
        grid_lines = [line for line in text.splitlines() if line.strip().startswith(("Outcome", "Operational", "Data"))]
        assert grid_lines and not any(d in line for line in grid_lines for d in "12345"), grid_lines
        assert "weighted total" not in text and "contested" not in text
        assert app.portfolio.score_sheet(Q, KEY).score(first, Criterion.OUTCOME_IMPACT) is None  # cast, not given

        await pilot.press("U")
        await settle(pilot)
        assert grid_cells(app, first) == ["5", "4", "3", "2", "1"]
        assert grid_cells(app, second)[:2] == ["2", "2"]
        assert column(app, "spread")[0] == "3 !"  # 5 against 2: contested, shown at once
        assert "contested: outcome impact" in totals(app) and "Secret scoring" not in totals(app)
        assert "Revealed the scores of EXP-102 (2 reviewers)" in message(app)

        await pilot.press("U")  # nothing left to reveal: said on the message line
        await settle(pilot)
        assert "revealed already" in message(app)
        await pilot.press("V")
        await settle(pilot)
        assert "were revealed in this session" in message(app)


async def test_secret_scoring_from_the_palette_and_a_cast_from_a_seat_arrives_through_the_feed(
    app_factory, sample_target
):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_scorecard(pilot)
        await pilot.press("h")  # the palette works from any screen: it brings the scorecard up
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"in secret", "enter")
        await settle(pilot)
        assert app.current_mode == "scorecard"
        ballot = app.screen.sheet.ballot
        assert ballot is not None and ballot.hidden
        voters = len(ballot.voters)
        assert f"0 of {voters} have scored" in totals(app)

        member = next(p for p in ballot.voters if p.id != app.reviewer_id)
        other = Portfolio.open(sample_target, actor="Kim Novak")  # the web service, in another process
        try:
            token = other.issue_seat_link(Q, member.id).token
            for criterion in Criterion:
                other.cast_from_seat(token, KEY, criterion, 3)
        finally:
            other.close()
        assert f"0 of {voters} have scored" in totals(app)  # not before the feed's tick
        app._tick()
        await settle(pilot)
        assert f"1 of {voters} have scored" in totals(app)
        assert grid_cells(app, member.id) == ["●"] * 5

        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"reveal", "enter")
        await settle(pilot)
        assert grid_cells(app, member.id) == ["3"] * 5
        assert "Secret scoring" not in totals(app)
        assert app.portfolio.score_sheet(Q, KEY).score(member.id, Criterion.DATA_RISK) == 3


async def test_secret_scoring_needs_a_started_session(app_factory):
    from tests.ui.conftest import ready

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("enter", "V")
        await settle(pilot)
        assert "has not started" in message(app)
        assert app.portfolio.score_sheet(Q, KEY).ballot is None

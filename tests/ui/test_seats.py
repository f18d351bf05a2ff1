"""The seats screen: the attendees' personal links (issue one, issue all, withdraw), the new link in full with a
QR code that reads back to segno's own matrix, who has scored the item (never a value), hostile names as text."""

from __future__ import annotations

import re

import segno
from textual.widgets import DataTable, Static

from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio
from labreview.ui.widgets import qr
from tests.hostile import strings
from tests.ui.conftest import SIZE, Q, message, ready, settle, start
from tests.ui.test_hostile_screens import assert_intact, screen_text

KEY = "EXP-102"


def segno_matrix(data: str, border: int) -> list[list[bool]]:
    """segno's own matrix of ``data`` (True: dark), with ``border`` light modules around it."""
    return [[bool(b) for b in row] for row in segno.make(data, error="l", micro=False).matrix_iter(border=border)]


def cells(app, column: str) -> list[str]:
    table = app.screen.query_one("#seats", DataTable)
    return [table.get_cell(str(p.id), column).plain for p in app.screen.people]


def panel(app) -> str:
    return str(app.screen.query_one("#link-text", Static).content)


def shown_url(app) -> str:
    return str(app.screen.query_one("#link-text", Static).content).split("\n")[2]


def drawn_code(app) -> list[str]:
    """The QR code as it is on the screen: the #qr widget's cells, read from the rendered screen."""
    region = app.screen.query_one("#qr", Static).content_region
    lines = screen_text(app).split("\n")[region.y : region.bottom]
    return [line[region.x : region.right] for line in lines]


async def open_seats(pilot) -> None:
    await start(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert pilot.app.current_mode == "seats"


async def test_issue_one_then_everyone_then_withdraw(app_factory, sample_target):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_seats(pilot)
        people = app.screen.people
        assert len(people) == len(app.session.attendees) == 8
        assert cells(app, "link") == ["none"] * 8
        assert "No personal link yet" in panel(app)

        await pilot.press("i")
        await settle(pilot)
        first = people[0]
        assert "New link for" in message(app)
        assert cells(app, "link")[0].startswith("live since ")
        url = shown_url(app)
        assert url.startswith(app.portfolio.service_url() + "/s/")
        token = url.rsplit("/", 1)[1]
        assert app.portfolio.seat(token).person.id == first.id  # the link shown is the person's working link
        assert app.screen.query_one("#qr", Static).display

        await pilot.press("I")
        await settle(pilot)
        assert "Issued 7 links" in message(app)
        assert all(state.startswith("live since ") for state in cells(app, "link"))
        assert app.portfolio.seat(token).person.id == first.id  # everyone *without* a live link: hers still works

        await pilot.press("down")
        await settle(pilot)
        second = people[1]
        assert second.name in panel(app) and shown_url(app) != url  # each one's own link and code
        second_token = shown_url(app).rsplit("/", 1)[1]
        await pilot.press("x")
        await settle(pilot)
        assert "Withdrew" in message(app)
        assert cells(app, "link")[1].startswith("withdrawn ")
        assert "withdrawn" in panel(app) and not app.screen.query_one("#qr", Static).display
        try:
            app.portfolio.seat(second_token)
            raise AssertionError("a withdrawn link still works")
        except DomainError:
            pass
        await pilot.press("x")  # nothing left to withdraw: said, not done
        await settle(pilot)
        assert "has no personal link" in message(app)

        await pilot.press("up", "i")  # issued again: the old link stops working, the new one shows
        await settle(pilot)
        assert shown_url(app) != url and "the old one no longer works" in message(app)

        other = Portfolio.open(sample_target, actor="Kim Novak")  # another app issues the third person's link
        try:
            other.issue_seat_link(Q, people[2].id)
        finally:
            other.close()
        app._tick()
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert "issue again to show it; the old link stops working" in panel(app)
        assert not app.screen.query_one("#qr", Static).display


async def test_the_code_on_screen_reads_back_to_segno_s_matrix(app_factory):
    app = app_factory()
    async with app.run_test(size=(110, 40)) as pilot:
        await open_seats(pilot)
        await pilot.press("i")
        await settle(pilot)
        url = shown_url(app)
        lines = drawn_code(app)
        wanted = segno_matrix(url, qr.QUIET)
        back = qr.matrix_of(lines)
        assert back[: len(wanted)] == wanted
        assert all(not dark for row in back[len(wanted) :] for dark in row)  # the half row below is quiet zone
        assert set("".join(lines)) <= {"█", "▀", "▄", " "}
        style = app.screen.query_one("#qr", Static).content.style
        assert (style.color.name, style.bgcolor.name) == ("#ffffff", "#000000")  # light ink on black, any theme


def test_drawing_and_reading_back_are_inverse():
    for data in ("x", "http://127.0.0.1:8765/s/" + "A" * 32, "https://review.example.org:8443/s/" + "z-_9" * 8):
        for border in (0, 2, 4):
            matrix = qr.modules(data, border=border)
            assert matrix == segno_matrix(data, border)
            lines = qr.draw(matrix)
            assert len(lines) == (len(matrix) + 1) // 2 and {len(line) for line in lines} == {len(matrix[0])}
            assert qr.matrix_of(lines)[: len(matrix)] == matrix
            if border:  # the quiet zone is light: drawn as ink
                assert lines[0] == "█" * len(matrix[0])


async def test_who_has_scored_shows_as_counts_never_values(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.portfolio.open_ballot(Q, KEY)
        board = app.session.attendees
        for criterion in Criterion:
            app.portfolio.record_score(Q, KEY, board[0].id, criterion, 4)
        app.portfolio.record_score(Q, KEY, board[1].id, Criterion.DATA_RISK, 2)
        await pilot.press("l")
        await settle(pilot)
        scored = cells(app, "scored")
        assert scored[0] == "✔ scored" and scored[1] == "1 of 5" and scored[2] == "not yet"
        title = str(app.screen.query_one("#seats-title", Static).content)
        assert f"Secret scoring · 1 of {len(board)} have scored" in title
        assert all(cell in ("✔ scored", "not yet", "—") or re.fullmatch(r"[1-4] of 5", cell) for cell in scored)


async def test_hostile_names_show_as_typed(app_factory):
    names = [*[s for s in strings() if ("[" in s and "]" in s) or "\x1b" in s][:6], "[bold red]Mallory[/]"]
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        added = []
        for name in names:
            try:
                person = app.portfolio.add_person(name)
                app.portfolio.set_attendance(Q, person.id, True)
            except DomainError:
                continue
            added.append(person)
        assert len(added) >= 4
        app.changed()
        await start(pilot)
        await pilot.press("l")
        await settle(pilot)
        for person in added:
            row = [p.id for p in app.screen.people].index(person.id)
            app.screen.query_one("#seats", DataTable).move_cursor(row=row)
            await pilot.press("i")
            await settle(pilot)
            text = screen_text(app)
            assert_intact(text, 160, 40, f"seats with {person.name!r}")
            assert app.screen.query_one("#qr", Static).display
        assert "[bold red]Mallory[/]" in screen_text(app)
        assert app.is_running


async def test_the_palette_opens_the_seats(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open: seats", "enter")
        await settle(pilot)
        assert app.current_mode == "seats"
        assert "Start the" not in message(app)
        assert cells(app, "link") == ["none"] * len(app.session.attendees)

"""The audit history screen: the whole log a screenful at a time, one initiative's records, a record in full."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Static

from labreview.ui.widgets.virtual_table import VirtualTable
from tests.ui.conftest import SIZE, message, ready, settle


def shown(widget: Static) -> str:
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.render())
    return console.export_text()


async def test_opened_by_its_key_and_by_the_palette(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert app.current_mode == "audit"
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"open: audit history")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "audit"


async def test_the_whole_log_newest_first_and_far_down_it(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        total = app.portfolio.audit_total()
        assert len(table.source) == total > 1000
        assert "The whole portfolio" in shown(app.screen.query_one("#audit-scope", Static))
        assert table.cursor_key == str(total)
        await pilot.press("pagedown", "pagedown", "down")
        await settle(pilot)
        assert int(table.cursor_key) == total - table.cursor
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_key == "1" and table.cursor == total - 1
        assert "Record 1 " in shown(app.screen.query_one("#audit-record", Static))
        assert table.row(1000).key == str(total - 1000)
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor_key == str(total)


async def test_the_record_under_the_cursor_in_full_with_hostile_text_shown_literally(app_factory):
    from labreview.domain.backlog_query import Order

    app = app_factory()
    async with app.run_test(size=(180, 40)) as pilot:
        await ready(pilot)
        app.portfolio.update_initiative("EXP-102", title="[bold red]Owned[/] \x1b[2J\x1b]0;pwned\x07 title")
        app.portfolio.save_view("[@click=app.quit]Mine[/] \x1b[2J", "", Order())
        app.changed()
        await pilot.press("L")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert "[@click=app.quit]Mine[/]" in table.row(0).cells["summary"]
        line = "".join(segment.text for segment in table.render_line(1))
        assert "view “[@cl" in line and "\x1b" not in line
        detail = shown(app.screen.query_one("#audit-record", Static))
        assert "[@click=app.quit]Mine[/]" in detail and "\x1b" not in detail
        await pilot.press("down")
        await settle(pilot)
        detail = shown(app.screen.query_one("#audit-record", Static))
        assert "update initiative" in detail and "[bold red]Owned[/]" in detail and "title:" in detail
        assert "\x1b" not in detail and "\x07" not in detail
        await pilot.press("ctrl+z", "ctrl+z")  # both undone: marked in the list and said in the record
        await settle(pilot)
        assert table.row(2).cells["undone"] == table.row(3).cells["undone"] == "↶"
        assert table.cursor_key == str(app.portfolio.audit_total() - 3)  # the cursor stays on its record
        assert "undone by record" in shown(app.screen.query_one("#audit-record", Static))
        await pilot.press("enter")  # into the panel, to scroll a long record
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#audit-detail")


async def test_only_the_current_initiative_and_back(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        key = app.current_key
        await pilot.press("L", "i")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        ids = app.portfolio.audit_ids_of(key)
        assert len(table.source) == len(ids) < app.portfolio.audit_total()
        assert [table.row(i).key for i in range(len(ids))] == [str(i) for i in ids]
        assert f"{key} only" in shown(app.screen.query_one("#audit-scope", Static))
        await pilot.press("n")  # another item: the history follows it
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert len(table.source) == len(app.portfolio.audit_ids_of(app.current_key))
        await pilot.press("i")
        await settle(pilot)
        assert len(table.source) == app.portfolio.audit_total()


async def test_verify_on_demand(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("L", "v")
        await settle(pilot)
        assert "chain intact" in message(app)


async def test_hostile_names_and_values_in_the_history_and_the_palette(app_factory):
    from labreview.domain.backlog_query import Order
    from labreview.domain.errors import InvalidInput
    from tests.ui.test_hostile_screens import assert_intact, nasty_titles, screen_text

    app = app_factory()
    size = (160, 40)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        saved = 0
        for n, name in enumerate(nasty_titles()):
            try:
                app.portfolio.save_view(f"{n} {name}"[:60], name[:500], Order())
                app.portfolio.update_initiative("EXP-102", title=name)
            except InvalidInput:
                continue
            saved += 1
        assert saved >= 12
        app.changed()
        await pilot.press("L")
        await settle(pilot)
        for _ in range(6):  # through the records: each in full in the panel
            assert_intact(screen_text(app), *size, f"audit record {app.screen.current_record()}")
            await pilot.press("down")
            await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"view")
        await pilot.pause(0.5)
        await settle(pilot)
        text = screen_text(app)
        assert "view: 0 " in text and "\x1b" not in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running


async def test_on_a_portfolio_fresh_from_init(db_target, clock, stopwatch, tmp_path):
    from labreview.config import Config
    from labreview.portfolio import Portfolio
    from labreview.ui.app import make_app

    Portfolio.open(db_target, create=True, actor="Tess Facilitator", clock=clock).close()
    app = make_app(db_target, config=Config(actor="", path=tmp_path / "c.toml"), clock=clock, monotonic=stopwatch)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("L")
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert len(table.source) == app.portfolio.audit_total() == 1
        assert "Set up the portfolio" in shown(app.screen.query_one("#audit-record", Static))
        assert app.current_key is None
        await pilot.press("i")
        await settle(pilot)
        assert "No initiative is current" in message(app)
        await pilot.press("b", "v", *"Everything", "enter")
        await settle(pilot)
        assert [v.name for v in app.portfolio.saved_views().views] == ["Everything"]
        await pilot.press("L")
        await settle(pilot)
        assert len(table.source) == 2 and table.row(0).cells["action"] == "save view"

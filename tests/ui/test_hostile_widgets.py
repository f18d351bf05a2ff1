"""Stored text reaches every widget as text: markup stays literal, terminal escapes never reach the terminal.

Names like ``[/]`` crashed the decision dialog (Select labels were read as markup), ``Jane Doe [contractor]``
lost its bracket, ``[@click=app.quit]`` became a clickable quit, and OSC 52 / OSC 0 / CSI 2J in an imported
title or intake field reached the terminal through palette hits, the owner Select and the intake inputs.
"""

from __future__ import annotations

from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select

from labreview.ui.dialogs.decision import DecisionDialog
from labreview.ui.dialogs.field_edit import FieldDialog
from tests.hostile import strings
from tests.ui.conftest import ready, settle

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
OSC0 = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J"
OWNER = "[@click=app.quit]q[/] Jane Doe [contractor] [/]"
TITLE = f"Churn model {OSC52}{OSC0}{CLEAR}[link=https://evil.example]x[/link]"
OBJECTIVE = f"Grow {OSC0}[bold]revenue[/bold] {CLEAR}"


def _poison(target):
    """Hostile text written straight into the tables (as another program could), on either backend."""
    from sqlalchemy import text

    from labreview.store.engine import make_engine

    engine = make_engine(target)
    try:
        with engine.begin() as connection:
            owner = connection.execute(text("SELECT owner_id FROM initiative WHERE key = 'EXP-102'")).scalar_one()
            connection.execute(text("UPDATE person SET name = :name WHERE id = :id"), {"name": OWNER, "id": owner})
            connection.execute(text("UPDATE initiative SET title = :title WHERE key = 'EXP-102'"), {"title": TITLE})
            connection.execute(
                text(
                    "UPDATE intake SET business_objective = :objective WHERE initiative_id = "
                    "(SELECT id FROM initiative WHERE key = 'EXP-102')"
                ),
                {"objective": OBJECTIVE},
            )
    finally:
        engine.dispose()


def _plain_text(renderable) -> str:
    return renderable.plain if isinstance(renderable, Text) else str(renderable)


async def test_hostile_names_titles_and_intake_stay_text_in_every_widget(app_factory, sample_target):
    _poison(sample_target)
    app = app_factory()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        await pilot.press("S", "enter")  # start; the scorecard of EXP-102
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DecisionDialog), "the decision dialog opens with a name made of markup"
        owner = dialog.query_one("#owner-0", Select)
        labels = [_plain_text(prompt) for prompt, _value in owner._options]
        assert OWNER in labels, labels  # literally, brackets and all
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running, "a [@click=app.quit] name must not quit"

        await pilot.press("i")
        await settle(pilot)
        table = app.screen.query_one("#intake-table", DataTable)
        shown = _plain_text(table.get_cell("business_objective", "value"))
        assert "\x1b" not in shown and "[bold]revenue[/bold]" in shown
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, FieldDialog)
        value = app.screen.query_one("#value", Input).value
        assert "\x1b" not in value and "\x07" not in value and "[bold]revenue[/bold]" in value
        await pilot.press("escape")  # nothing changed: nothing saved, the stored text stays as it was
        await settle(pilot)
        assert app.portfolio.initiative("EXP-102").intake.business_objective == OBJECTIVE

        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"EXP-102")
        for _ in range(20):
            await settle(pilot)
            hits = [str(option.prompt) for option in app.screen.query("CommandList").first().options]
            if any("jump: EXP-102" in hit for hit in hits):
                break
        jump = next(hit for hit in hits if "jump: EXP-102" in hit)
        assert "\x1b" not in jump and "\x07" not in jump and "[link=https://evil.example]x[/link]" in jump


def test_the_one_text_helper_makes_the_naughty_strings_inert():
    from labreview.ui.widgets.text import plain, safe

    for value in [*strings(), TITLE, OWNER, OBJECTIVE]:
        shown = safe(value)
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in shown), repr(value)
        assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in shown), repr(value)
        assert plain(value).plain == shown  # markup is never read: the text is what was stored, made inert

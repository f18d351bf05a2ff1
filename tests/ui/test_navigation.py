"""The one table of screens and the written-down host: the app, its bindings and the palette agree with them."""

from __future__ import annotations

import importlib

from labreview.ui.app import LabReviewApp
from labreview.ui.dialogs.field_edit import FieldDialog
from labreview.ui.dialogs.help import HelpScreen
from labreview.ui.host import Host, KeepsTyped, PicksItem
from labreview.ui.navigation import BY_MODE, PLACES, keys_of
from labreview.ui.widgets.meeting_header import MeetingHeader
from tests.ui.conftest import SIZE, message, ready, settle


def test_every_place_is_a_mode_with_a_one_key_binding_and_a_screen_class():
    assert set(LabReviewApp.MODES) == set(BY_MODE)
    bindings = {b.id: b for b in LabReviewApp.BINDINGS if getattr(b, "id", None)}
    for place in PLACES:
        binding = bindings[place.binding_id]
        assert (binding.key, binding.action, binding.description, binding.tooltip) == (
            place.key, f"goto('{place.mode}')", place.label, place.tooltip,
        )  # fmt: skip
        assert isinstance(getattr(importlib.import_module(f"labreview.ui.screens.{place.module}"), place.cls), type)
    assert len({p.key for p in PLACES}) == len(PLACES)


def test_the_keys_of_a_screen_follow_the_keymap():
    assert keys_of("backlog", None) == {"b"}
    assert keys_of("backlog", {"labreview.screen.backlog": "f2, ctrl+b"}) == {"f2", "ctrl+b"}


def test_the_app_has_everything_the_host_protocol_names(app_factory):
    app = app_factory()
    names = set(Host.__annotations__) | {n for n in vars(Host) if not n.startswith("_")}
    missing = sorted(n for n in names if not hasattr(LabReviewApp, n) and n not in vars(app))
    assert missing == []


def test_the_screens_that_answer_the_app_implement_its_protocols():
    from labreview.ui.screens.backlog import BacklogScreen

    assert issubclass(BacklogScreen, PicksItem) and issubclass(FieldDialog, KeepsTyped)


async def test_next_and_previous_from_any_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.current_mode == "scorecard" and app.current_key == "EXP-104"
        await pilot.press("g", "n")
        await settle(pilot)
        assert app.current_mode == "gates" and app.current_key == "EXP-105"
        assert app.screen.query_one(MeetingHeader).state.position == 3
        await pilot.press("p", "p", "p")
        await settle(pilot)
        assert app.current_key == "EXP-102" and "first agenda item" in message(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "scorecard"


async def test_every_screen_is_one_key_away(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for key, mode in (
            ("b", "backlog"),
            ("s", "scorecard"),
            ("g", "gates"),
            ("a", "access"),
            ("m", "budget"),
            ("o", "outcomes"),
            ("l", "seats"),
            ("f", "stack"),
            ("L", "audit"),
            ("h", "agenda"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode


async def test_question_mark_lists_the_keys_of_the_screen(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("g", "question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        from rich.console import Console

        console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(app.screen.table)
        text = console.export_text()
        assert "Waive" in text and "labreview.gates.waive" in text and "Everywhere" in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode == "gates" and not isinstance(app.screen, HelpScreen)


async def test_keymap_from_config_remaps_by_binding_id(app_factory, tmp_path):
    from labreview.config import Config

    config = Config(actor="Kim Novak", keymap={"labreview.screen.budget": "f5"}, path=tmp_path / "c.toml")
    app = app_factory(config=config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await settle(pilot)
        assert app.current_mode == "budget"


async def test_palette_jumps_to_an_initiative(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"whatsapp")
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_key == "EXP-112" and app.current_mode == "scorecard"

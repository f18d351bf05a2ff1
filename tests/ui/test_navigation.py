"""The one table of screens and the written-down host: the app, its bindings and the palette agree with them."""

from __future__ import annotations

import importlib

from labreview.ui.app import LabReviewApp
from labreview.ui.host import Host, KeepsTyped, PicksItem
from labreview.ui.navigation import BY_MODE, PLACES, keys_of


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
    from labreview.ui.dialogs.field_edit import FieldDialog
    from labreview.ui.screens.backlog import BacklogScreen

    assert issubclass(BacklogScreen, PicksItem) and issubclass(FieldDialog, KeepsTyped)

"""The user's keymap (``[keymap]`` in config.toml): what cannot work is left out and said, never half-applied."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from textual.binding import Binding

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
QUIT_KEY = "ctrl+q"


def _is_key(key: str) -> bool:
    """Whether ``key`` names a key Textual can bind (``m``, ``f5``, ``ctrl+x``, ``question_mark``)."""
    from textual.keys import Keys, key_to_character

    *modifiers, base = key.split("+")
    if not base or not set(modifiers) <= MODIFIERS:
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    names = {k.value.split("+")[-1] for k in Keys} | {"enter", "space", "tab", "backspace", "delete"}
    return base in names or key_to_character(base) is not None


def checked_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The keymap without what cannot work: keys that are not keys, and ctrl+q (which always quits)."""
    kept: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        usable = []
        for key in (k.strip() for k in keys.split(",")):
            if not _is_key(key):
                problems.append(f"[keymap] {binding_id!r}: {key!r} is not a key; ignored")
            elif key == QUIT_KEY:
                problems.append(f"[keymap] {binding_id!r}: ctrl+q always quits; ignored")
            else:
                usable.append(key)
        if usable:
            kept[binding_id] = ",".join(usable)
    return kept, problems


def binding_ids() -> set[str]:
    """Every binding id of the app and its screens, dialogs and widgets (imports them: call after the first frame)."""
    import pkgutil

    import labreview.ui.dialogs
    import labreview.ui.screens
    import labreview.ui.widgets

    modules = [importlib.import_module("labreview.ui.app")]
    for package in (labreview.ui.screens, labreview.ui.dialogs, labreview.ui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            modules.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    found: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            for binding in getattr(value, "BINDINGS", None) or () if isinstance(value, type) else ():
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found

"""Colours that mean something, taken from the current theme, for Rich text built in Python.

CSS can name ``$success``; a ``rich.text.Text`` cannot. Screens write a style with words of meaning
instead of colour names — ``paint(self, "bold good")`` — and get the theme's own text colour for it,
so a screen in ``textual-light`` (bright rooms, projectors) reads as well as in ``textual-dark``:

========  =======================  ======================================================
``good``  ``$text-success``        met, approved, promote
``warn``  ``$text-warning``        waived, pending, contested, iterate
``bad``   ``$text-error``          not met, rejected, kill
``note``  ``$text-primary``        AI-heavy scrutiny, renew
``muted`` ``$text-muted``          later, expired, hints (a colour, not Rich's ``dim``)
========  =======================  ======================================================

Other words (``bold``, ``italic``, ``on``) pass through. ``alarm`` is a whole style: the theme's error
colour as background with its contrasting text (the item clock when time is up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.color import Color, ColorParseError

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

TONES = {"good": "text-success", "warn": "text-warning", "bad": "text-error", "note": "text-primary"}

_cache: dict[tuple[str, str], str] = {}


def _app(node: DOMNode | App) -> App:
    from textual.app import App

    return node if isinstance(node, App) else node.app


def _solid(variables: dict[str, str], name: str, under: Color) -> Color:
    try:
        colour = Color.parse(variables[name])
    except (KeyError, ColorParseError):  # "auto 87%" and the like: the contrasting text of the background
        colour = under.get_contrast_text(0.87)
    return under + colour  # an alpha colour blended over the surface it is drawn on


def tone(node: DOMNode | App, word: str) -> str:
    """The colour (``#rrggbb``) of a word of meaning in the node's app's current theme."""
    app = _app(node)
    key = (app.theme, word)
    if key not in _cache:
        variables = app.get_css_variables()
        surface = _solid(variables, "surface", Color.parse("#000000"))
        if word == "muted":
            colour = surface + surface.get_contrast_text(0.6)
        elif word == "alarm":
            error = _solid(variables, "error", surface)
            _cache[key] = f"bold {error.get_contrast_text(1.0).hex} on {error.hex}"
            return _cache[key]
        else:
            colour = _solid(variables, TONES[word], surface)
        _cache[key] = colour.hex
    return _cache[key]


def paint(node: DOMNode | App, spec: str) -> str:
    """A Rich style string with the words of meaning in ``spec`` replaced by the theme's colours."""
    words = spec.split()
    if "alarm" in words:
        return tone(node, "alarm")
    return " ".join(tone(node, word) if word in TONES or word == "muted" else word for word in words)

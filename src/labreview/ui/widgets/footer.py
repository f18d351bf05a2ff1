"""Textual's footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The key bar at the bottom of every screen.

    Textual's ``Footer`` rebuilds its keys (one widget each) whenever the screen
    says its bindings were updated, and a change of focus says so twice. Moving
    from the backlog's filter box back to its table cost two rebuilds, ~50 ms
    each at 100k initiatives, paid by the next key pressed. This one compares what it
    would show with what it shows and rebuilds only when that differs.
    """

    _shown: tuple | None = None

    def compose(self) -> ComposeResult:
        """Textual's keys, with ``? Keys`` first: on a narrow screen the end of the bar is cut, and the key
        that lists every other key must stay."""
        widgets = list(super().compose())
        first = [w for w in widgets if getattr(w, "action", None) in ("keys", "app.keys")]
        yield from first
        yield from (w for w in widgets if w not in first)

    def bindings_changed(self, screen: Screen) -> None:
        shown = _keys_shown(screen)
        if shown == self._shown:
            return
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            # Textual's footer rebuilds in exactly this case; only then does it show ``shown``.
            self._shown = shown
        super().bindings_changed(screen)


def _keys_shown(screen: Screen) -> tuple:
    """Everything of the screen's active bindings the footer draws (and the palette key's state)."""
    return tuple(
        (key, binding.key_display, binding.action, binding.description, binding.group, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == screen.app.COMMAND_PALETTE_BINDING
    )


__all__ = ["Footer"]

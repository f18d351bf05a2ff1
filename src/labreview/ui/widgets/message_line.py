"""The line under each screen's body where refusals and confirmations are answered in words."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from labreview.ui.widgets.text import plain


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    MessageLine.-error { color: $text-error; background: $error-muted; text-style: bold; }
    MessageLine.-ok { color: $text-success; }
    """

    _lines = 0

    def show(self, message: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(not error, "-ok")
        self._put(plain(message, one_line=False))

    def hint(self, message: str) -> None:
        """A standing hint of the screen; it never covers an answer to what was just done (the answer
        goes when the meeting moves to another item)."""
        if self.has_class("-error") or self.has_class("-ok"):
            return
        self._put(plain(message, one_line=False))

    def clear(self) -> None:
        self.remove_class("-error", "-ok")
        self._put(Text(""))

    def _put(self, text: Text) -> None:
        """Update; lay the screen out again only when the message needs another number of lines
        (a relayout of the whole screen costs more than everything else a keystroke does)."""
        width = max(1, self.content_region.width or self.size.width or 80)
        lines = min(3, len(text.wrap(self.app.console, width))) if text.plain else 0
        self.update(text, layout=lines != self._lines)
        self._lines = lines

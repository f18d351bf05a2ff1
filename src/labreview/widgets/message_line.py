"""The line under each screen's body where refusals and confirmations are answered in words."""

from __future__ import annotations

from textual.widgets import Static

from labreview.widgets.text import plain


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    MessageLine.-error { color: $text-error; background: $error-muted; text-style: bold; }
    MessageLine.-ok { color: $text-success; }
    """

    def show(self, message: str, *, error: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(not error, "-ok")
        self.update(plain(message, one_line=False))

    def hint(self, message: str) -> None:
        self.remove_class("-error", "-ok")
        self.update(plain(message, one_line=False))

    def clear(self) -> None:
        self.remove_class("-error", "-ok")
        self.update("")

"""The baseline of the startup benchmark: a bare Textual app (Header, Static, Footer).

Run as a script (``python benchmarks/bare_app.py``) so that nothing of labreview
or of the benchmark package is imported: its first frame is what Textual alone costs.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    TITLE = "bare"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Hello from a bare Textual app")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()

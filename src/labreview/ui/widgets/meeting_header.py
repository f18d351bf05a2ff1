"""The one-line header: portfolio, session, agenda position and the current item's timebox clock."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from labreview.ui.tones import paint
from labreview.ui.widgets.text import safe


@dataclass(frozen=True)
class MeetingState:
    """What the header shows; the app replaces it whenever something in it changes."""

    portfolio: str = "labreview"
    quarter: str | None = None
    status: str | None = None
    position: int | None = None
    total: int = 0
    key: str | None = None
    elapsed: int = 0
    timebox: int = 0
    running: bool = False
    banner: str = ""
    """DEMO or READ-ONLY, shown at the right."""

    @property
    def over(self) -> bool:
        return self.timebox > 0 and self.elapsed > self.timebox


def clock(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


class MeetingHeader(Widget):
    """Shows the app's ``meeting`` state; turns the timer red when the item runs over its timebox."""

    DEFAULT_CSS = """
    MeetingHeader { height: 1; background: $primary-background; color: $text; }
    """

    state: reactive[MeetingState] = reactive(MeetingState, layout=False)

    def on_mount(self) -> None:
        self.watch(self.app, "meeting", self._follow, init=True)

    def _follow(self, state: MeetingState) -> None:
        self.state = state

    def render(self) -> Text:
        state = self.state
        left = Text(" labreview", style="bold")
        left.append(" · " + safe(state.portfolio))
        right = Text()
        if state.quarter:
            right.append(f"{state.quarter} {state.status or ''}".rstrip(), style="bold")
        if state.total:
            position = f"{state.position}/{state.total}" if state.position else f"–/{state.total}"
            right.append(f"  agenda {position}")
        if state.key:
            right.append(f"  {state.key}", style="bold")
            if state.timebox:
                timer = f" {clock(state.elapsed)}/{clock(state.timebox)}"
                style = paint(self, "alarm") if state.over else ("bold" if state.running else "dim")
                right.append(timer, style=style)
        if state.banner:
            right.append(f"  {state.banner} ", style="bold reverse")
        right.append(" ")
        width = self.size.width
        spare = width - right.cell_len
        if left.cell_len > spare:
            left.truncate(max(0, spare), overflow="ellipsis")
        left.pad_right(max(0, spare - left.cell_len))
        return left + right

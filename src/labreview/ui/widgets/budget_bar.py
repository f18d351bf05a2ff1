"""A stacked horizontal bar of the three budget tracks, one row per mix (actual, after today, target).

Each track has its own colour (from the theme) and its own fill character, so the
bar still reads in monochrome or when colours are hard to tell apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from labreview.domain.vocabulary import Track

FILL = {Track.FACTORY: "█", Track.ITERATE: "▓", Track.LAB: "░"}
LABEL_WIDTH = 12


def allocate(shares: Sequence[Decimal], width: int) -> list[int]:
    """Cells per share so that they add up to ``width`` (largest remainders get the leftover cells)."""
    total = sum(shares)
    if width <= 0 or total <= 0:
        return [0 for _ in shares]
    exact = [s * width / total for s in shares]
    cells = [int(e) for e in exact]
    leftover = width - sum(cells)
    by_remainder = sorted(range(len(shares)), key=lambda i: exact[i] - cells[i], reverse=True)
    for index in by_remainder[:leftover]:
        cells[index] += 1
    return cells


class BudgetBar(Widget):
    """Rows of (label, shares per track in percent); a legend line underneath."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"budget-bar--factory", "budget-bar--iterate", "budget-bar--lab"}

    DEFAULT_CSS = """
    BudgetBar { height: auto; }
    BudgetBar > .budget-bar--factory { color: $primary; }
    BudgetBar > .budget-bar--iterate { color: $warning; }
    BudgetBar > .budget-bar--lab { color: $success; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[str, dict[Track, Decimal]]] = []

    def show(self, rows: list[tuple[str, dict[Track, Decimal]]]) -> None:
        self.rows = rows
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.rows) + 1

    def colour(self, track: Track) -> tuple[int, int, int]:
        """The track's colour as red, green, blue (the budget chart draws its bars in the same colours)."""
        colour = self._style(track).color
        return colour.get_truecolor() if colour is not None else (128, 128, 128)

    def _style(self, track: Track) -> Style:
        return self.get_component_rich_style(f"budget-bar--{track.value}")

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y < len(self.rows):
            label, shares = self.rows[y]
            bar_width = max(0, width - LABEL_WIDTH - 1)
            cells = allocate([shares.get(t, Decimal(0)) for t in Track], bar_width)
            segments = [Segment(label[:LABEL_WIDTH].ljust(LABEL_WIDTH) + " ", base)]
            for track, count in zip(Track, cells, strict=True):
                if count <= 0:
                    continue
                share = f"{shares.get(track, Decimal(0)):.0f}%"
                fill = FILL[track] * count
                if count >= len(share) + 2:
                    middle = (count - len(share)) // 2
                    segments.append(Segment(fill[:middle], base + self._style(track)))
                    segments.append(Segment(share, base + self._style(track) + Style(reverse=True, bold=True)))
                    segments.append(Segment(fill[middle + len(share) :], base + self._style(track)))
                else:
                    segments.append(Segment(fill, base + self._style(track)))
            return Strip(segments).adjust_cell_length(width, base)
        if y == len(self.rows):
            segments = [Segment(" " * (LABEL_WIDTH + 1), base)]
            for track in Track:
                segments.append(Segment(FILL[track] * 2, base + self._style(track)))
                segments.append(Segment(f" {track.label}   ", base))
            return Strip(segments).adjust_cell_length(width, base)
        return Strip.blank(width, base)

"""A table that draws only the rows on screen, fetching them on demand.

The rows live elsewhere (SQL, arrays); the table knows only how many there are
and asks its ``RowSource`` for a block when it needs to draw one. Group rows
(headings) can be interleaved; the cursor skips them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from labreview.ui.widgets.text import safe

BLOCK = 64


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    """Cells wide; 0 makes the column take what is left (at least ``min_width``)."""
    drop: int = 0
    """When the table is narrow, columns with the highest ``drop`` go first (0 never goes)."""
    align: str = "left"
    min_width: int = 12


@dataclass(frozen=True)
class Row:
    key: str
    """Identifies the row (e.g. an initiative key); empty for a group heading."""
    cells: dict[str, str] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)
    """Per-column component class suffixes (e.g. ``"over"``) or Rich styles."""
    heading: str = ""

    @property
    def is_heading(self) -> bool:
        return bool(self.heading)


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def rows(self, start: int, stop: int) -> Sequence[Row]:
        """Rows ``start`` to ``stop`` (exclusive). A source may also offer ``locate_key(key) -> index | None``."""
        ...


class EmptySource:
    def __len__(self) -> int:
        return 0

    def rows(self, start: int, stop: int) -> Sequence[Row]:
        return ()


class VirtualTable(ScrollView, can_focus=True):
    """Rows fetched per viewport; keyboard and mouse navigation; a sortable header."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Open", id="labreview.table.open", tooltip="Open the row under the cursor"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--heading",
        "virtual-table--dim",
        "virtual-table--mark",
        "virtual-table--warn",
    }

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; background: $surface; overflow-x: hidden; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; color: $text; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    VirtualTable > .virtual-table--heading { text-style: bold; color: $accent; }
    VirtualTable > .virtual-table--dim { color: $text-muted; }
    VirtualTable > .virtual-table--mark { color: $text-success; text-style: bold; }
    VirtualTable > .virtual-table--warn { color: $text-warning; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, table: VirtualTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class Selected(Message):
        def __init__(self, table: VirtualTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

    class HeaderClicked(Message):
        def __init__(self, table: VirtualTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

    def __init__(
        self, columns: Sequence[Column], *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.source: RowSource = EmptySource()
        self.sort_column: str | None = None
        self.sort_descending = False
        self._cache: dict[int, Row] = {}
        self._layout: list[tuple[Column, int]] = []
        self._layout_width = -1
        self._base_style: Style | None = None
        self.empty_text = "Nothing to show."

    # ----------------------------------------------------------------- data

    def set_source(self, source: RowSource, *, keep_key: str | None = None, cursor: int | None = None) -> None:
        """Show ``source``; the cursor stays on ``keep_key`` when it is among the first rows fetched."""
        self.source = source
        self._cache.clear()
        total = len(source)
        self.virtual_size = Size(0, total + 1)
        target = 0 if cursor is None else cursor
        if keep_key is not None:
            found = self._find(keep_key)
            if found is not None:
                target = found
        self.cursor = self._settle(max(0, min(target, total - 1)), 1)
        self.refresh()

    def _find(self, key: str) -> int | None:
        """Where ``key`` is: asked of the source when it can tell, else looked for in the first rows."""
        locate = getattr(self.source, "locate_key", None)
        if locate is not None:
            return locate(key)
        for index, row in enumerate(self._rows(0, min(len(self.source), BLOCK * 4))):
            if row.key == key:
                return index
        return None

    def row(self, index: int) -> Row | None:
        if not 0 <= index < len(self.source):
            return None
        if index not in self._cache:
            start = index - index % BLOCK
            for offset, row in enumerate(self.source.rows(start, min(len(self.source), start + BLOCK))):
                self._cache[start + offset] = row
            if len(self._cache) > BLOCK * 40:  # keep memory flat while scrolling far
                keep = range(start - BLOCK * 4, start + BLOCK * 5)
                self._cache = {k: v for k, v in self._cache.items() if k in keep}
        return self._cache.get(index)

    def _rows(self, start: int, stop: int) -> list[Row]:
        return [r for i in range(start, stop) if (r := self.row(i)) is not None]

    @property
    def cursor_key(self) -> str | None:
        row = self.row(self.cursor)
        return row.key if row and not row.is_heading else None

    def refresh_rows(self) -> None:
        """Forget fetched rows (the data changed) and redraw."""
        self._cache.clear()
        self.refresh()

    # ----------------------------------------------------------------- navigation

    def _settle(self, index: int, direction: int) -> int:
        """Move off a heading row in ``direction`` (then the other way if at an end)."""
        total = len(self.source)
        if total == 0:
            return 0
        for step in (direction, -direction):
            probe = index
            while 0 <= probe < total:
                row = self.row(probe)
                if row is None or not row.is_heading:
                    return probe
                probe += step
        return index

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Highlighted(self, key))

    def _scroll_cursor_into_view(self) -> None:
        visible = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        total = len(self.source)
        if total:
            self.cursor = self._settle(max(0, min(total - 1, self.cursor + delta)), 1 if delta > 0 else -1)

    def action_page(self, direction: int) -> None:
        page = max(1, self.size.height - 2)
        self.action_cursor(direction * page)

    def action_jump(self, where: int) -> None:
        total = len(self.source)
        if total:
            self.cursor = self._settle(0 if where == 0 else total - 1, 1 if where == 0 else -1)

    def action_select(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Selected(self, key))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                self.post_message(self.HeaderClicked(self, column.key))
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < len(self.source) and not (self.row(index) or Row("")).is_heading:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index

    def _column_at(self, x: int) -> Column | None:
        position = 0
        for column, width in self._columns_for(self.scrollable_content_region.width):
            if position <= x < position + width + 1:
                return column
            position += width + 1
        return None

    # ----------------------------------------------------------------- drawing

    def _columns_for(self, width: int) -> list[tuple[Column, int]]:
        if width == self._layout_width:
            return self._layout
        columns = list(self.columns)
        flexible = [c for c in columns if c.width == 0]

        def needed(cols: list[Column]) -> int:
            return sum((c.width or c.min_width) + 1 for c in cols)

        while needed(columns) > width and any(c.drop for c in columns):
            columns.remove(max((c for c in columns if c.drop), key=lambda c: c.drop))
        spare = width - sum(c.width + 1 for c in columns if c.width)
        flex_width = max(4, spare // max(1, len(flexible)) - 1) if flexible else 0
        self._layout = [(c, c.width or flex_width) for c in columns]
        self._layout_width = width
        return self._layout

    def render_lines(self, crop: Region) -> list[Strip]:
        self._base_style = self.rich_style  # once for all the lines (it walks every ancestor's styles)
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._columns_for(width)
        if y == 0:
            return self._header_strip(layout, width)
        index = int(self.scroll_y) + y - 1
        base = self._base_style or self.rich_style
        if index >= len(self.source):
            if index == 0:
                dim = self.get_component_rich_style("virtual-table--dim")
                return Strip([Segment(set_cell_size(" " + self.empty_text, width), base + dim)], width)
            return Strip.blank(width, base)
        row = self.row(index)
        if row is None:
            return Strip.blank(width, base)
        if row.is_heading:
            style = base + self.get_component_rich_style("virtual-table--heading")
            return Strip([Segment(set_cell_size(" " + safe(row.heading), width), style)], width)
        style = base
        on_cursor = index == self.cursor
        if on_cursor:
            style = base + self.get_component_rich_style("virtual-table--cursor")
        segments = []
        for column, col_width in layout:
            text = safe(row.cells.get(column.key, ""))
            cell_style = style
            extra = row.styles.get(column.key)
            if extra:
                cell_style = style + self._extra_style(extra)
                if on_cursor:  # the cursor's own colours: a warning colour on the cursor's background may not read
                    cell_style += Style(color=style.color)
            if column.align == "right":
                text = text[-col_width:] if cell_len(text) > col_width else " " * (col_width - cell_len(text)) + text
            segments.append(Segment(set_cell_size(_ellipsis(text, col_width), col_width) + " ", cell_style))
        used = sum(w + 1 for _c, w in layout)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width).crop(0, width)

    def _extra_style(self, name: str) -> Style:
        component = f"virtual-table--{name}"
        if component in self.COMPONENT_CLASSES:
            # Not partial: a colour with alpha ($text-muted is "auto 60%") is only a colour once blended over the
            # background; the partial style would keep the row's own (full-strength) colour.
            full = self.get_component_rich_style(component)
            return Style(color=full.color, bold=full.bold, italic=full.italic)
        return Style.parse(name)

    def _header_strip(self, layout: list[tuple[Column, int]], width: int) -> Strip:
        style = (self._base_style or self.rich_style) + self.get_component_rich_style("virtual-table--header")
        segments = []
        for column, col_width in layout:
            label = column.label
            if column.key == self.sort_column:
                label += " ▼" if self.sort_descending else " ▲"
            if column.align == "right":
                label = label.rjust(col_width)
            segments.append(Segment(set_cell_size(_ellipsis(label, col_width), col_width) + " ", style))
        used = sum(w + 1 for _c, w in layout)
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width).crop(0, width)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_width = -1
        self.virtual_size = Size(0, len(self.source) + 1)


def _ellipsis(text: str, width: int) -> str:
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"

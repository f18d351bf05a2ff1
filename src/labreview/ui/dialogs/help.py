"""The keys of the screen on show, and the keys that work everywhere."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", id="labreview.help.close", tooltip="Close the keys"),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        title = getattr(self.for_screen, "TITLE_TEXT", "") or "labreview"
        with Vertical(classes="dialog wide", id="help"):
            yield Label(Text(f"Keys — {title}", style="bold"), classes="dialog-title")
            with VerticalScroll():
                self.table = self._table()
                yield Static(self.table, id="keys")
            yield Label(Text("Remap any key by its id in the [keymap] table of the config file.", style="dim"))

    def _table(self) -> Table:
        """Every binding active on the screen underneath, with its key as remapped, grouped by where it works."""
        table = Table(box=None, show_header=True, header_style="bold", expand=True, pad_edge=False)
        table.add_column("Key", no_wrap=True)
        table.add_column("Does")
        table.add_column("Id", style="dim", no_wrap=True)
        groups: dict[str, dict[str, tuple[list[str], str]]] = {"This screen": {}, "Everywhere": {}, "Moving around": {}}
        for key, active in self.for_screen.active_bindings.items():
            binding = active.binding
            if binding.key == "1-5" or binding.system:
                continue
            if active.node is self.app:
                group = groups["Everywhere"]
            elif active.node is self.for_screen:
                group = groups["This screen"]
            else:
                group = groups["Moving around"]
            name = binding.id or f"{binding.action}"
            keys, text = group.setdefault(name, ([], binding.tooltip or binding.description))
            keys.append(binding.key_display or self.app.get_key_display(replace(binding, key=key)))
        for title, entries in groups.items():
            table.add_row(Text(title, style="bold underline"), "", "")
            for name, (keys, text) in entries.items():
                table.add_row(
                    Text(" ".join(dict.fromkeys(keys)), style="bold"),
                    text,
                    name if name.startswith("labreview.") else "",
                )
        table.add_row(Text("Always", style="bold underline"), "", "")
        table.add_row(
            Text("ctrl+p", style="bold"),
            "Command palette: jump to an initiative, open a screen, start or end the session, change the theme",
            "",
        )
        table.add_row(Text("ctrl+q", style="bold"), "Quit (every change is already saved)", "")
        return table

    def action_close(self) -> None:
        self.dismiss(None)

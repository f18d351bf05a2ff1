"""A new customer-data access request for an initiative: tier, data, retention, export, expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.widgets import Checkbox, Input, Label, Select

from labreview.domain import access as policy
from labreview.domain import fields
from labreview.domain.vocabulary import AccessTier
from labreview.ui.dialogs.form import FormDialog

if TYPE_CHECKING:
    from labreview.portfolio.views import InitiativeView


class RequestDialog(FormDialog[bool]):
    """A new access request: tier, data, retention, export, expiry. ``save`` records it, or says why not (the
    form then stays open with what was typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="labreview.dialog.cancel", tooltip="Close without recording"),
    ]
    FRAME_CLASSES = "dialog wide"
    OK = "Record request"
    CANCELLED = False

    def __init__(self, item: InitiativeView, today: dt.date, save: Callable[[dict], str | None]) -> None:
        super().__init__()
        self.item = item
        self.today = today
        self.save = save

    def heading(self) -> Text:
        return Text(f"New access request for {self.item.key}", style="bold")

    def fields(self) -> ComposeResult:
        sensitivity = self.item.intake.data_sensitivity
        tier = policy.MIN_TIER[sensitivity] if sensitivity else AccessTier.LEVEL_1
        with Grid(classes="form", id="request-form"):  # one line a field: compact widgets, no borders
            yield Label("Tier")
            yield Select(
                [(Text(f"{t.label}: {t.description}"), int(t)) for t in AccessTier],
                value=int(tier),
                allow_blank=False,
                id="tier",
                compact=True,
            )
            yield Label("Data")
            yield Input(
                placeholder="what data, from which system",
                id="data",
                max_length=fields.LIMITS["data description"],
                compact=True,
            )
            yield Label("Retention (days)")
            yield Input("90", restrict=r"\d*", id="retention", max_length=4, compact=True)
            yield Label("Export allowed")
            yield Checkbox("", value=False, id="export", compact=True)
            yield Label("Expires on")
            yield Input((self.today + dt.timedelta(days=90)).isoformat(), id="expires", max_length=10, compact=True)

    def on_mount(self) -> None:
        self.query_one("#data", Input).focus()

    def submit(self) -> None:
        data = self.query_one("#data", Input).value.strip()
        if not data:
            self.problem("Say what data the initiative needs.")
            return
        retention = self.query_one("#retention", Input).value
        if not retention.isdigit():
            self.problem("Retention is a whole number of days.")
            return
        try:
            expires = dt.date.fromisoformat(self.query_one("#expires", Input).value.strip())
        except ValueError:
            self.problem("Write the expiry date as YYYY-MM-DD.")
            return
        problem = self.save(
            {
                "tier": AccessTier(self.query_one("#tier", Select).value),
                "data_description": data,
                "retention_days": int(retention),
                "export_allowed": self.query_one("#export", Checkbox).value,
                "expires_on": expires,
            }
        )
        if problem is None:
            self.dismiss(True)
        else:
            self.problem(problem)

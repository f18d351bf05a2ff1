"""Enter a KPI reading (the KPIs screen's ``e``): quarter, metric, initiative (empty: the whole portfolio), value.

Saved through the service layer as one audited change; a refusal is said on the problem line with everything
typed kept.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Select

from labreview.domain import kpis
from labreview.domain.errors import DomainError
from labreview.ui.dialogs.form import FormDialog
from labreview.ui.host import host


class KpiReadingDialog(FormDialog[str | None]):
    """Dismisses with a sentence saying what was recorded (None: cancelled)."""

    CANCELLED: ClassVar[str | None] = None

    def __init__(self, quarter: str, metric: str | None = None) -> None:
        super().__init__()
        self.quarter = quarter
        self.metric = metric if metric in {m.key for m in kpis.READ_METRICS} else kpis.READ_METRICS[0].key

    def heading(self) -> Text:
        return Text("Record a KPI reading", style="bold")

    def fields(self) -> ComposeResult:
        with Grid(classes="form"):
            yield Label("Quarter")
            yield Input(self.quarter, id="quarter", max_length=7, compact=True)
            yield Label("Metric")
            yield Select(
                [(f"{m.label} ({m.unit})", m.key) for m in kpis.READ_METRICS],
                value=self.metric,
                allow_blank=False,
                id="metric",
                compact=True,
            )
            yield Label("Initiative")
            yield Input(placeholder="key, or empty for the whole portfolio", id="key", max_length=24, compact=True)
            yield Label("Value")
            yield Input(placeholder="a number, e.g. 99.5", id="value", max_length=20, compact=True)

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def submit(self) -> None:
        quarter = self.query_one("#quarter", Input).value
        metric = str(self.query_one("#metric", Select).value)
        key = self.query_one("#key", Input).value.strip().upper() or None
        value = self.query_one("#value", Input).value
        if not value.strip():
            self.problem("Write the reading's value, a number such as 99.5.")
            return
        try:
            number = host(self.app).portfolio.record_kpi_reading(quarter, metric, value, key=key)
        except DomainError as exc:
            self.problem(exc.message)
            return
        found = kpis.BY_KEY[metric]
        where = f" of {key}" if key else ""
        self.dismiss(f"{found.label}{where} in {quarter.strip()}: {kpis.format_value(found, number)} recorded.")

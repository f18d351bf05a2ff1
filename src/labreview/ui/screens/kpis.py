"""KPIs: the lab's and the factory's measures side by side per quarter, against the board's targets (✓ met,
✗ missed), the trend of the highlighted measure over the quarters, and the one line leadership reads."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from labreview.domain import kpis
from labreview.domain.vocabulary import Quarter
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.kpi_facts import KpiView

MET, MISSED = "✓", "✗"


class KpisScreen(MeetingScreen):
    TITLE_TEXT = "KPIs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "e", "reading", "Enter reading", id="labreview.kpis.reading", tooltip="Record a KPI reading of a quarter"
        ),
        Binding(
            "t",
            "target",
            "Set target",
            id="labreview.kpis.target",
            tooltip="Set the board's target of the highlighted measure",
        ),
        Binding(
            "left_square_bracket",
            "quarter(-1)",
            "Earlier",
            id="labreview.kpis.previous",
            tooltip="Show one quarter earlier",
        ),
        Binding(
            "right_square_bracket", "quarter(1)", "Later", id="labreview.kpis.next", tooltip="Show one quarter later"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.last: str | None = None
        self.view: KpiView | None = None
        self.said: set[str] = set()
        """Problems of the stored targets already said (each is said once)."""
        self.metric = kpis.METRICS[0].key

    def body(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # deferred: plotting is only needed on the screens that plot

        yield Static(id="kpi-leadership", classes="summary")
        with Horizontal(id="kpi-sides"):
            with Vertical(classes="kpi-side"):
                yield Static(Text("Lab: learning", style="bold"), classes="kpi-heading")
                yield DataTable(id="kpi-lab", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="kpi-side"):
                yield Static(Text.assemble(("Factory: running", "bold"), "  (* from readings)"), classes="kpi-heading")
                yield DataTable(id="kpi-factory", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="kpi-trend")

    def refresh_view(self) -> None:
        if self.last is None:
            session = self.lab.session
            self.last = session.quarter if session else None
        # The table shows the quarters that fit; the trend below it at least four.
        self.view = view = self.portfolio.kpis(self.last, count=max(4, self.quarters_shown()))
        self.last = view.quarters[-1]
        if view.problem and view.problem not in self.said:
            self.said.add(view.problem)
            self.say(view.problem, error=True)
        quarter = view.quarters[-1]
        line = Text()
        line.append(f"{quarter}: ", style="bold")
        line.append(view.leadership(quarter))
        self.query_one("#kpi-leadership", Static).update(line)
        self._fill("#kpi-lab", kpis.Side.LAB, view)
        self._fill("#kpi-factory", kpis.Side.FACTORY, view)
        self._plot()

    def quarters_shown(self) -> int:
        """As many quarters as fit on each side: one at 80 columns, three at 150, up to eight."""
        return max(1, min(8, (self.size.width // 2 - 39) // 11))

    def _fill(self, selector: str, side: kpis.Side, view: KpiView) -> None:
        table = self.query_one(selector, DataTable)
        row = table.cursor_row
        quarters = view.quarters[-self.quarters_shown() :]
        width = max(12, min(32, self.size.width // 2 - 11 * len(quarters) - 16))
        self.reset_table(
            table,
            [
                ("Measure", "measure", width),
                *[(q, q, 9) for q in quarters],
                ("Target", "target", 8),
            ],
        )
        metrics = view.table.side(side)
        for m in metrics:
            cells = []
            for q in quarters:
                cell = view.table.cell(m.key, q)
                text = Text(_cell(m, cell.value), justify="right")
                if cell.met is not None:
                    mark = MET if cell.met else MISSED
                    text.append(f" {mark}", style=paint(self, "bold good" if cell.met else "bold bad"))
                else:
                    text.append("  ")
                cells.append(text)
            target = view.table.targets.get(m.key)
            arrow = "≥" if m.direction is kpis.Direction.HIGHER else "≤"
            shown = f"{arrow} {_cell(m, target)}" if target is not None else ""
            unit = f" ({view.currency})" if m.unit == "money" else ""
            mark = "" if m.source is kpis.Source.COMPUTED else " *"
            name = m.label + unit if len(m.label + unit + mark) <= width else m.short
            label = plain(name + mark)
            table.add_row(label, *cells, Text(shown, justify="right"), key=m.key)
        if metrics:
            table.move_cursor(row=min(row, len(metrics) - 1))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value in kpis.BY_KEY:
            self.metric = event.row_key.value
            self._plot()

    def _plot(self) -> None:
        from textual_plotext import PlotextPlot

        if self.view is None:
            return
        plot = self.query_one("#kpi-trend", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        m = kpis.BY_KEY[self.metric]
        quarters = list(self.view.quarters)
        values = self.view.table.series(m.key)
        points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
        if points:
            plt.plot([i for i, _ in points], [v for _, v in points], marker="hd")
        target = self.view.table.targets.get(m.key)
        if target is not None:
            plt.hline(float(target))
        plt.xticks(list(range(len(quarters))), quarters)
        plt.xlim(-0.5, len(quarters) - 0.5)
        unit = {"money": self.view.currency, "count": ""}.get(m.unit, m.unit)
        goal = f", target {kpis.format_value(m, target, self.view.currency)}" if target is not None else ""
        plt.title(f"{m.label} by quarter{' (' + unit + ')' if unit else ''}; {m.direction.label}{goal}")
        plot.refresh()

    def action_reading(self) -> None:
        from labreview.ui.dialogs.kpi_reading import KpiReadingDialog

        quarter = self.last or str(Quarter.of(self.portfolio.today()))

        def done(said: str | None) -> None:
            if said:
                self.lab.changed()
                self.say(said)

        self.app.push_screen(KpiReadingDialog(quarter, self.metric), done)

    def action_target(self) -> None:
        from labreview.ui.dialogs.prompt import PromptDialog

        m = kpis.BY_KEY[self.metric]
        current = self.view.table.targets.get(m.key) if self.view else None

        def save(answer: str | None) -> None:
            if answer is None:
                return
            shown = "removed" if not answer.strip() else f"set to {answer.strip()}"
            self.attempt(self.portfolio.set_kpi_targets, {m.key: answer}, done=f"Target of {m.label} {shown}.")

        self.app.push_screen(
            PromptDialog(
                f"Target of {m.label} ({m.direction.label}); empty removes it:",
                value=f"{current:f}" if current is not None else "",
            ),
            save,
        )

    def action_quarter(self, step: int) -> None:
        if self.last is None:
            return
        quarter = Quarter.parse(self.last)
        self.last = str(quarter.next() if step > 0 else quarter.previous())
        self.refresh_view()


def _cell(m: kpis.Metric, value: object) -> str:
    """A number in a cell: money without its currency (the measure's label carries it)."""
    return kpis.format_value(m, value)  # type: ignore[arg-type]

"""Budget: the 70/20/10 mix of this quarter against target, after today's decisions, and over time;
the envelope with its headroom; the lines (planned) beside each initiative's current cost, editable."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import Quarter, Track, format_money, parse_money
from labreview.exchange.budget_text import budget_text, envelope_text, mix_text
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint, tone
from labreview.ui.widgets.budget_bar import BudgetBar
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import BudgetView


def text_form(view: BudgetView) -> str:
    """The numbers of the screen as plain aligned text (for screen readers and copy-paste)."""
    return budget_text(view)


def y_ticks(rows: int) -> list[int]:
    """Round percentages that fall exactly on rows, for a chart of ``rows`` rows spanning 0–100 %.

    5 rows: 0/25/50/75/100; 6 or 11 rows: steps of 20; 3 or 7 rows: 0/50/100; otherwise only 0 and 100
    (a tick between two rows would be drawn on the nearer one, a third of a row off)."""
    intervals = max(1, rows - 1)
    for step in (25, 20, 50):
        if step * intervals % 100 == 0:
            return list(range(0, 101, step))
    return [0, 100]


class BudgetScreen(MeetingScreen):
    TITLE_TEXT = "Budget"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y", "copy", "Copy numbers", id="labreview.budget.copy", tooltip="Copy the numbers as text to the clipboard"
        ),
        Binding(
            "left_square_bracket",
            "quarter(-1)",
            "Prev quarter",
            id="labreview.budget.previous",
            tooltip="Show the previous quarter",
        ),
        Binding(
            "right_square_bracket",
            "quarter(1)",
            "Next quarter",
            id="labreview.budget.next",
            tooltip="Show the next quarter",
        ),
        Binding(
            "e", "edit_line", "Edit amount", id="labreview.budget.edit", tooltip="Change the highlighted line's amount"
        ),
        Binding(
            "v",
            "envelope",
            "Envelope",
            id="labreview.budget.envelope",
            tooltip="Set the quarter's total budget and the ring-fenced lab budget",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.quarter: str | None = None
        self.view: BudgetView | None = None

    def body(self) -> ComposeResult:
        from textual_plotext import PlotextPlot  # deferred: plotting is only needed on this screen

        with Vertical(id="budget-top"):
            yield BudgetBar(id="bar")
            yield Static(id="numbers", classes="numbers")
            yield Static(id="envelope", classes="summary")
            yield Static(id="changes", classes="summary")
        yield DataTable(id="budget-lines", cursor_type="row", zebra_stripes=True)
        yield PlotextPlot(id="history")

    def refresh_view(self) -> None:
        if self.quarter is None:
            session = self.lab.session
            self.quarter = session.quarter if session else str(Quarter.of(self.portfolio.today()))
        self.view = view = self.portfolio.budget(self.quarter)
        rows = [(f"{view.quarter}", {d.track: d.actual for d in view.drift})]
        if view.changes:
            rows.append(("After today", {d.track: d.actual for d in view.projected_drift}))
        rows.append(("Target", {t: view.target.share(t) for t in Track}))
        self.query_one("#bar", BudgetBar).show(rows)
        self.query_one("#numbers", Static).update(Text(mix_text(view)))
        self.query_one("#envelope", Static).update(Text(envelope_text(view, how="v sets one")))
        self._show_lines(view)
        changes = Text()
        if view.changes:
            changes.append("Today's decisions: ", style="bold")
            changes.append("; ".join(view.changes))
        else:
            changes.append("No decision of this session moves money yet.", style="dim")
        self.query_one("#changes", Static).update(changes)
        self._plot(view)

    def _show_lines(self, view: BudgetView) -> None:
        """Each planned line beside the initiative's current quarterly cost; ``≠`` where they differ."""
        table = self.query_one("#budget-lines", DataTable)
        row = table.cursor_row
        self.reset_table(
            table,
            [
                ("Key", "key", None),
                ("Initiative", "title", self.room(66, least=12)),
                ("Track", "track", 7),
                ("Planned", "amount", 10),
                ("Cost/qtr", "cost", 10),
                ("", "differs", 2),
            ],
        )
        for line in view.lines:
            table.add_row(
                plain(line.key),
                plain(line.title),
                line.track.label,
                Text(format_money(line.amount, ""), justify="right"),
                Text(format_money(line.cost, ""), justify="right"),
                Text("≠", style=paint(self, "bold warn")) if line.differs else "",
                key=line.key,
            )
        if view.lines:
            table.move_cursor(row=min(row, len(view.lines) - 1))

    def action_edit_line(self) -> None:
        """Change the highlighted line's amount (one audited change)."""
        if self.view is None or not self.view.lines:
            self.say("There are no budget lines to edit in this quarter.", error=True)
            return
        from labreview.ui.dialogs.prompt import PromptDialog

        table = self.query_one("#budget-lines", DataTable)
        line = self.view.lines[min(table.cursor_row, len(self.view.lines) - 1)]
        quarter = self.view.quarter

        def save(answer: str | None) -> None:
            if answer is None:
                return
            try:
                amount = parse_money(answer)
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.attempt(
                self.portfolio.set_budget_line,
                quarter,
                line.key,
                amount,
                done=f"Budget {quarter}: {line.key} set to {format_money(amount, self.view.currency)}.",
            )

        self.app.push_screen(
            PromptDialog(
                f"Planned amount of {line.key} in {quarter} (its cost/qtr is {format_money(line.cost, '').strip()}):",
                value=format_money(line.amount, "").strip(),
                required="Write an amount, e.g. 12500.",
            ),
            save,
        )

    def action_envelope(self) -> None:
        """Set the quarter's whole budget and the ring-fenced lab budget (``total / lab``)."""
        if self.view is None:
            return
        from labreview.ui.dialogs.prompt import PromptDialog

        quarter = self.view.quarter
        current = self.view.envelope
        value = (
            f"{format_money(current.total, '').strip()} / {format_money(current.lab, '').strip()}"
            if current
            else f"{format_money(self.view.mix.total, '').strip()} / 0"
        )

        def save(answer: str | None) -> None:
            if answer is None:
                return
            total, _sep, lab = answer.partition("/")
            try:
                amounts = parse_money(total), parse_money(lab or "0")
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.attempt(self.portfolio.set_budget_envelope, quarter, *amounts, done=f"Budget envelope {quarter} set.")

        self.app.push_screen(
            PromptDialog(
                f"Envelope of {quarter}: total / ring-fenced lab budget", value=value, required="Write total / lab."
            ),
            save,
        )

    def on_resize(self) -> None:
        if self.view is not None:  # the ticks follow the chart's height
            self.call_after_refresh(self._plot, self.view)

    def _plot(self, view: BudgetView) -> None:
        from textual_plotext import PlotextPlot

        plot = self.query_one("#history", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        quarters = [q for q, _mix in view.history]
        if not quarters:
            plot.refresh()
            return
        shares = [[round(float(mix.share(track)), 1) for _q, mix in view.history] for track in Track]
        # No legend: it would cover the first bar. The bar above is the legend, so each track takes its colour.
        bar = self.query_one("#bar", BudgetBar)
        colours = [tuple(bar.colour(track)) for track in Track]
        plt.stacked_bar(quarters, shares, width=0.6, color=colours)
        target_lab = float(view.target.share(Track.LAB))
        muted = Color.parse(tone(self, "muted")).rgb
        plt.hline(100 - target_lab, color=muted)  # lab share above this line is over target
        plt.ylim(0, 100)
        ticks = y_ticks(plot.size.height - 4)  # the title, the frame above and below, the quarters
        plt.yticks(ticks, [f"{t}%" for t in ticks])
        plt.title(f"Mix by quarter, % of spend (line: lab target {view.target.share(Track.LAB).normalize():f} %)")
        plot.refresh()

    def action_copy(self) -> None:
        if self.view is not None:
            self.app.copy_to_clipboard(text_form(self.view))
            self.say("The numbers are on the clipboard (if your terminal allows it).")

    def action_quarter(self, step: int) -> None:
        if self.quarter is None:
            return
        quarter = Quarter.parse(self.quarter)
        self.quarter = str(quarter.next() if step > 0 else quarter.previous())
        self.refresh_view()

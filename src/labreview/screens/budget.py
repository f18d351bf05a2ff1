"""Budget: the 70/20/10 mix of this quarter against target, after today's decisions, and over time."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from labreview.domain.budget import round_points
from labreview.domain.vocabulary import Quarter, Track, format_money
from labreview.screens.base import MeetingScreen
from labreview.widgets.budget_bar import BudgetBar

if TYPE_CHECKING:
    from labreview.portfolio.views import BudgetView


def text_form(view: BudgetView) -> str:
    """The numbers of the screen as plain aligned text (for screen readers and copy-paste)."""
    currency = view.currency
    lines = [
        f"Budget {view.quarter}: {format_money(view.mix.total, currency)} per quarter · target {view.target}",
        f"{'Track':<8}{currency:>11}{'Share':>7}{'Target':>7}{'Drift':>8}{'Drift ' + currency:>12}"
        f"{'After':>8}{'Drift':>8}",
    ]
    for now, after in zip(view.drift, view.projected_drift, strict=True):
        lines.append(
            f"{now.track.label:<8}{_amount(view.mix.amount(now.track)):>11}{round_points(now.actual):>6}%"
            f"{format(now.target.normalize(), 'f'):>6}%{_signed(now.points):>7}p{_signed_amount(now.money):>12}"
            f"{round_points(after.actual):>7}%{_signed(after.points):>7}p"
        )
    return "\n".join(lines)


def _amount(minor: int) -> str:
    return format_money(minor, "").strip()


def _signed(points) -> str:
    value = round_points(points)
    return f"+{value}" if value > 0 else f"{value}"


def _signed_amount(minor: int) -> str:
    return ("+" if minor > 0 else "-" if minor < 0 else "") + _amount(abs(minor))


PLOT_COLOURS = ["blue", "orange", "green"]
"""factory, iterate, lab: the same hues as the bar above (theme primary, warning, success)."""


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
            yield Static(id="changes", classes="summary")
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
        self.query_one("#numbers", Static).update(Text(text_form(view)))
        changes = Text()
        if view.changes:
            changes.append("Today's decisions: ", style="bold")
            changes.append("; ".join(view.changes))
        else:
            changes.append("No decision of this session moves money yet.", style="dim")
        self.query_one("#changes", Static).update(changes)
        self._plot(view)

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
        plt.stacked_bar(quarters, shares, labels=[t.label for t in Track], width=0.6, color=PLOT_COLOURS)
        target_lab = float(view.target.share(Track.LAB))
        plt.hline(100 - target_lab, color="gray")  # lab share above this line is over target
        plt.ylim(0, 100)
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

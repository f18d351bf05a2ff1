"""Edit the template of the 90-day stabilisation plan: one step a line, ``DAYS | ROLE | WHAT``.

``ROLE`` is a board role (``finance``, ``analytics-lead``…) whose member owns the step, or ``-`` for the tool's
owner. The plan changes for the next promotion into the factory; plans under way keep their steps. A line that
does not read is refused in place, with everything typed kept.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, TextArea

from labreview.domain.errors import DomainError
from labreview.domain.stabilisation import PlanStep
from labreview.domain.vocabulary import BoardRole
from labreview.ui.dialogs.form import FormDialog
from labreview.ui.host import host

OWNER = "-"


def as_lines(steps: tuple[PlanStep, ...]) -> str:
    return "\n".join(f"{s.days} | {s.role.value if s.role else OWNER} | {s.text}" for s in steps)


def read_lines(text: str) -> list[dict]:
    """The typed lines as steps for ``set_stabilisation_plan`` (which checks them); a malformed line raises."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3:
            raise ValueError(f"Line {number} is not DAYS | ROLE | WHAT: {line.strip()[:60]!r}.")
        days, role, what = parts
        if not days.isdigit():
            raise ValueError(f"Line {number}: {days[:20]!r} is not a number of days.")
        steps.append({"days": int(days), "role": None if role in ("", OWNER) else role, "text": what})
    return steps


class StabilisationPlanDialog(FormDialog[int | None]):
    """The plan's template in a text area; OK (or ctrl+s) saves it through the service layer and dismisses
    with the number of steps (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *FormDialog.BINDINGS,
        Binding("ctrl+s", "save", "Save", id="labreview.plan.save", tooltip="Save the plan's template"),
    ]
    FRAME_CLASSES: ClassVar[str] = "dialog wide"
    CANCELLED: ClassVar[int | None] = None

    def heading(self) -> Text:
        return Text("The 90-day stabilisation plan of a tool entering the factory")

    def fields(self) -> ComposeResult:
        view = host(self.app).portfolio.stabilisation_plan()
        roles = ", ".join(r.value for r in BoardRole)
        yield Label(
            f"One step a line: DAYS | ROLE | WHAT. ROLE owns the step ({roles}); {OWNER} for the tool's owner. "
            "The next promotion gets it; plans under way keep theirs. ctrl+s or OK saves.",
            classes="hint",
        )
        if view.problem:
            yield Label(view.problem, classes="problem -error")
        yield TextArea(as_lines(view.steps), id="plan", soft_wrap=True, show_line_numbers=True)

    def on_mount(self) -> None:
        self.query_one("#plan", TextArea).focus()

    def action_save(self) -> None:
        self.submit()

    def submit(self) -> None:
        text = self.query_one("#plan", TextArea).text
        try:
            steps = read_lines(text)
            view = host(self.app).portfolio.set_stabilisation_plan(steps)
        except ValueError as exc:
            self.problem(str(exc))
            return
        except DomainError as exc:
            self.problem(exc.message)
            return
        self.dismiss(len(view.steps))

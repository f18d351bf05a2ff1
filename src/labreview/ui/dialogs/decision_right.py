"""Grant a decision right (the decision rights screen's ``a``): the kind of decision, the holder (a board role
or one person) and the highest quarterly cost the holder may sign off (empty: any cost).

Saved through the service layer as one audited change; a refusal is said on the problem line with everything
chosen kept.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Select

from labreview.domain import rights as rights_rules
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import BoardRole, RightKind, parse_money
from labreview.ui.dialogs.form import FormDialog
from labreview.ui.host import host
from labreview.ui.widgets.text import plain

ROLE = "role:"
PERSON = "person:"


class DecisionRightDialog(FormDialog[str | None]):
    """Dismisses with a sentence saying what was granted (None: cancelled)."""

    CANCELLED: ClassVar[str | None] = None

    def __init__(self, kind: RightKind = RightKind.PILOT) -> None:
        super().__init__()
        self.kind = kind

    def heading(self) -> Text:
        return Text("Grant a decision right", style="bold")

    def fields(self) -> ComposeResult:
        people = host(self.app).portfolio.people()
        holders = [(f"the {role.label} (role)", f"{ROLE}{role.value}") for role in BoardRole]
        holders += [(plain(p.name), f"{PERSON}{p.id}") for p in people]
        with Grid(classes="form"):
            yield Label("Decision")
            yield Select(
                [(f"{k.label} ({rights_rules.outcomes_of(k)})", k.value) for k in RightKind],
                value=self.kind.value,
                allow_blank=False,
                id="kind",
                compact=True,
            )
            yield Label("Held by")
            yield Select(holders, prompt="a board role or a person", id="holder", compact=True)
            yield Label("Up to")
            yield Input(
                placeholder="quarterly cost, e.g. 25,000 (empty: any cost)", id="limit", max_length=20, compact=True
            )

    def on_mount(self) -> None:
        self.query_one("#holder", Select).focus()

    def submit(self) -> None:
        kind = RightKind(str(self.query_one("#kind", Select).value))
        holder = self.query_one("#holder", Select).value
        if holder is Select.NULL:
            self.problem("Choose who holds the right: a board role, or one person.")
            return
        limit_text = self.query_one("#limit", Input).value.strip()
        try:
            limit = parse_money(limit_text) if limit_text else None
            holder = str(holder)
            role = holder.removeprefix(ROLE) if holder.startswith(ROLE) else None
            person = int(holder.removeprefix(PERSON)) if holder.startswith(PERSON) else None
            right = host(self.app).portfolio.grant_decision_right(kind, role=role, person=person, cost_limit=limit)
        except DomainError as exc:
            self.problem(exc.message)
            return
        holder = right.holder[:1].upper() + right.holder[1:]
        self.dismiss(f"{holder} may sign off {kind.label} ({right.limit}). ctrl+z undoes it.")

"""Decision rights: who may sign off which kind of decision, up to what quarterly cost.

The table is the portfolio's (``Portfolio.decision_rights``); the decision dialog applies it. ``a`` grants a
right, ``x`` revokes the one under the cursor (ctrl+z brings it back).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label, Static

from labreview.domain import rights as rights_rules
from labreview.domain.vocabulary import RightKind, format_money
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import DecisionRightView

COVERS = "  ".join(f"{kind.label.capitalize()}: {rights_rules.outcomes_of(kind)}." for kind in RightKind)
RULES = (
    "A decision of a kind with rights is recorded only with a sign-off by an attendee who holds one covering the "
    "initiative's quarterly cost; nobody signs off their own initiative. Kill and hold need no sign-off, nor does "
    "a kind without rights."
)


class RightsScreen(MeetingScreen):
    TITLE_TEXT = "Decision rights"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "grant", "Grant", id="labreview.rights.grant", tooltip="Grant a decision right"),
        Binding("x", "revoke", "Revoke", id="labreview.rights.revoke", tooltip="Revoke the right under the cursor"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rights: list[DecisionRightView] = []

    def body(self) -> ComposeResult:
        yield Label("", id="rights-title", classes="section")
        yield DataTable(id="rights", cursor_type="row", zebra_stripes=True)
        yield Static(f"{COVERS}\n{RULES}", id="rights-rules")

    def refresh_view(self) -> None:
        self.rights = self.portfolio.decision_rights()
        table = self.query_one("#rights", DataTable)
        keep = table.cursor_row
        self.reset_table(
            table,
            (
                ("Decision", "kind", 20),
                ("Held by", "holder", None),
                ("Up to", "limit", 21),
            ),
        )
        currency = self.portfolio.currency
        for right in self.rights:
            table.add_row(
                Text(right.kind.label, style="bold"),
                self._holder(right),
                "any cost" if right.cost_limit is None else f"≤ {format_money(right.cost_limit, currency)}/quarter",
                key=str(right.id),
            )
        if self.rights:
            table.move_cursor(row=min(keep, len(self.rights) - 1))
        kinds = {r.kind for r in self.rights}
        open_kinds = [k.label for k in RightKind if k not in kinds]
        title = f"Decision rights: {len(self.rights)}"
        if not self.rights:
            title += " · none set: every board decision stands without a sign-off (a grants one)"
        elif open_kinds:
            title += f" · no right set for {', '.join(open_kinds)} (the board decides those alone)"
        self.query_one("#rights-title", Label).update(Text(title, style="bold"))
        if not self.focused:
            table.focus()

    def _holder(self, right: DecisionRightView) -> Text:
        """Who holds it today first, then the role it comes with: ``Kim Novak (the marketing innovation lead)``;
        a role nobody holds says so."""
        if right.role is None:
            text = plain(right.holder)
        else:
            text = plain(", ".join(right.people)) if right.people else Text("nobody", "italic")
            text.append_text(plain(f" ({right.holder})", "dim"))
        text.truncate(self.room(20 + 21 + 8, least=16), overflow="ellipsis")
        return text

    def action_grant(self) -> None:
        from labreview.ui.dialogs.decision_right import DecisionRightDialog

        table = self.query_one("#rights", DataTable)
        kind = self.rights[table.cursor_row].kind if self.rights else RightKind.PILOT

        def granted(sentence: str | None) -> None:
            if sentence:
                self.lab.changed()
                self.say(sentence)

        self.app.push_screen(DecisionRightDialog(kind), granted)

    def action_revoke(self) -> None:
        if not self.rights:
            self.say("There is no decision right to revoke; a grants one.", error=True)
            return
        right = self.rights[min(self.query_one("#rights", DataTable).cursor_row, len(self.rights) - 1)]
        self.attempt(
            self.portfolio.revoke_decision_right,
            right.id,
            done=f"Revoked: {right.holder} no longer signs off {right.kind.label}. ctrl+z brings it back.",
        )

"""Access: the current initiative's customer-data access requests, and signing them under the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from labreview.domain import access as policy
from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import AccessStatus, AccessTier
from labreview.ui.dialogs.access_request import RequestDialog
from labreview.ui.dialogs.prompt import PickDialog, PromptDialog
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import AccessRequestView, InitiativeView

STATUS_STYLE = {
    AccessStatus.APPROVED: "bold good",
    AccessStatus.PENDING: "bold warn",
    AccessStatus.REJECTED: "bold bad",
    AccessStatus.EXPIRED: "muted",
}


class AccessScreen(MeetingScreen):
    TITLE_TEXT = "Access"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "y",
            "sign(True, False)",
            "Approve",
            id="labreview.access.approve",
            tooltip="Approve the request as an attending board member",
        ),
        Binding(
            "c",
            "sign(True, True)",
            "Approve with conditions",
            id="labreview.access.conditions",
            tooltip="Approve with conditions (retention, export, scope)",
        ),
        Binding(
            "x",
            "sign(False, True)",
            "Reject",
            id="labreview.access.reject",
            tooltip="Reject the request (a reason is required)",
        ),
        Binding(
            "r",
            "request",
            "New request",
            id="labreview.access.request",
            tooltip="Record a new access request for this initiative",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[AccessRequestView] = []
        self.initiative: InitiativeView | None = None

    def body(self) -> ComposeResult:
        yield Static(id="item-title", classes="summary")
        yield DataTable(id="requests", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail", classes="summary")
        yield Static(id="policy", classes="summary dim")

    def refresh_view(self) -> None:
        key = self.lab.current_key
        if key is None:
            return
        self.initiative = item = self.portfolio.initiative(key)
        self.requests = self.portfolio.access_requests(key)
        title = Text()
        title.append(f"{item.key} ", style="bold")
        title.append_text(plain(item.title, "bold"))
        title.append(" · owner ")
        title.append_text(plain(item.owner.name))
        sensitivity = item.intake.data_sensitivity
        if sensitivity:
            title.append(f" · handles {sensitivity.label} data (needs {policy.MIN_TIER[sensitivity].label} or higher)")
        title.append(f" · may use: {item.access_tier.label if item.access_tier else 'no customer data'}", style="bold")
        self.query_one("#item-title", Static).update(title)
        table = self.query_one("#requests", DataTable)
        keep = table.cursor_row
        self.reset_table(
            table,
            (
                ("Tier", "tier", 7),
                ("Data", "data", None),
                ("Keep", "retention", 5),
                ("Export", "export", 6),
                ("Expires", "expires", 10),
                ("Status", "status", 9),
            ),
        )
        for request in self.requests:
            table.add_row(
                request.tier.label,
                plain(request.data_description, width=self.room(60)),
                f"{request.retention_days}d",
                "yes" if request.export_allowed else "no",
                request.expires_on.isoformat(),
                Text(request.status.label, style=paint(self, STATUS_STYLE[request.status])),
                key=str(request.id),
            )
        if self.requests:
            table.move_cursor(row=min(keep, len(self.requests) - 1))
        else:
            self.query_one("#detail", Static).update(Text("No access requests. r records one.", style="dim"))
        self.query_one("#policy", Static).update(
            "Level 1: the owner attests · Level 2: a privacy partner approves · Level 3: a privacy and a "
            "security partner, two people · nobody approves access to their own initiative · "
            "signers attend the session"
        )
        table.focus()
        self._show_detail()

    @on(DataTable.RowHighlighted, "#requests")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _selected(self) -> AccessRequestView | None:
        table = self.query_one("#requests", DataTable)
        if not self.requests or table.row_count == 0:
            return None
        return self.requests[min(table.cursor_row, len(self.requests) - 1)]

    def _show_detail(self) -> None:
        request = self._selected()
        if request is None:
            return
        text = Text()
        text.append(f"{request.tier.label}: {request.tier.description}. ", style="bold")
        text.append(
            f"Requested {request.requested_on.isoformat()}, retention {request.retention_days} days, "
            f"export {'allowed' if request.export_allowed else 'not allowed'}, "
            f"expires {request.expires_on.isoformat()}.\n"
        )
        for signature in request.signatures:
            verb = "approved" if signature.approve else "rejected"
            text.append(f"  {'✔' if signature.approve else '✘'} ")
            text.append_text(plain(signature.person.name))
            text.append(f" ({signature.capacity.label}) {verb} {signature.signed_at.date().isoformat()}")
            if signature.conditions:
                text.append(": ")
                text.append_text(plain(signature.conditions, "italic"))
            text.append("\n")
        if request.status is AccessStatus.PENDING and request.missing:
            text.append(
                "Waiting for: " + " and ".join(c.label for c in request.missing), style=paint(self, "bold warn")
            )
        self.query_one("#detail", Static).update(text)

    def action_sign(self, approve: bool, ask: bool) -> None:
        request = self._selected()
        session = self.lab.session
        if request is None:
            self.say("There is no request to sign; r records one.", error=True)
            return
        if session is None or session.status.value != "open":
            self.say(
                "Access is signed in an open session, by attending board members; start the session first.", error=True
            )
            return
        item = self.initiative
        choices = []
        eligible = None
        for person in session.attendees:
            capacities = policy.capacities_for(
                request.tier, policy.Person(person.id, person.name, person.role), item.owner.id
            )
            usable = [c for c in capacities if c in request.missing]
            note = f"{person.role_label}" + (f" — can sign as {usable[0].label}" if usable else "")
            if usable and eligible is None:
                eligible = str(person.id)
            choices.append((str(person.id), person.name, note))
        if item.owner.id not in {p.id for p in session.attendees} and request.tier is AccessTier.LEVEL_1:
            choices.insert(0, (str(item.owner.id), item.owner.name, "owner — attests Level 1"))
            eligible = eligible or str(item.owner.id)
        verb = "approves" if approve else "rejects"

        def signed_by(person_id: str | None) -> None:
            if person_id is None:
                return
            if not ask:
                self._sign(request, int(person_id), approve, "")
                return
            question = "Conditions of the approval:" if approve else "Why is the request rejected?"
            self.app.push_screen(
                PromptDialog(
                    question,
                    placeholder="e.g. retention 90 days, no export, aggregates only",
                    required=None if approve else "A rejection needs a reason.",
                ),
                lambda text: None if text is None else self._sign(request, int(person_id), approve, text),
            )

        self.app.push_screen(
            PickDialog(f"Who {verb} {request.tier.label} access for {item.key}?", choices, selected=eligible), signed_by
        )

    def _sign(self, request: AccessRequestView, person_id: int, approve: bool, conditions: str) -> None:
        session = self.lab.session
        result = self.attempt(
            self.portfolio.sign_access,
            request.id,
            person_id,
            approve=approve,
            conditions=conditions,
            quarter=session.quarter if session else None,
            version=request.version,
        )
        if result is not None:
            state = result.status.label
            waiting = " and ".join(c.label for c in result.missing)
            self.say(
                f"Signed. The request is {state}"
                + (f"; still waiting for the {waiting}." if result.status is AccessStatus.PENDING else ".")
            )

    def action_request(self) -> None:
        item = self.initiative
        if item is None:
            return

        def create(values: dict) -> str | None:
            """Record the request; a refusal is said in the form, which keeps everything typed."""
            try:
                self.portfolio.request_access(item.key, **values)
            except DomainError as exc:
                return exc.message
            self.lab.changed()
            self.say("Request recorded; it waits for signatures.")
            return None

        self.app.push_screen(RequestDialog(item, self.portfolio.today(), create))

"""Seats: the session's attendees at their own devices — their personal links, and who has scored the item.

A row per attendee (board members and others): the state of their personal link (none, live since when,
withdrawn) and how far they have scored the current item (counts only: a value cast in secret is never
shown). ``i`` issues a link for the highlighted person, ``I`` for everyone without a live one, ``x``
withdraws one. A link's secret is kept nowhere but in the link, so it can be shown only by the app that
issued it, while it runs: the panel beside the table shows it in full with a QR code to scan from a phone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from labreview.domain.errors import DomainError
from labreview.domain.vocabulary import Criterion
from labreview.ui.screens.base import MeetingScreen
from labreview.ui.tones import paint
from labreview.ui.widgets.text import plain

if TYPE_CHECKING:
    from labreview.portfolio.views import PersonView, ScoreSheet, SeatLinkView

NOT_SHOWN = "Its secret is not stored, so only the app that issued it can show it: issue again to show it; the old link stops working."  # noqa: E501
ROOMY = (100, 30)
"""From this many columns and rows the code gets the full quiet zone of four modules; below, two (it still
scans), and the hint line gives its row to the code."""
PANEL = 44
"""Columns beside the table for the link and its code (41 for a code of version 4 with its quiet zone)."""


@dataclass(frozen=True)
class Shown:
    """A link issued by this app while it runs: its secret, and when it was issued (to know it is still the newest)."""

    token: str
    issued_at: dt.datetime


def clock(moment: dt.datetime) -> str:
    """``14:02`` in the facilitator's local time."""
    return moment.astimezone().strftime("%H:%M")


class SeatsScreen(MeetingScreen):
    TITLE_TEXT = "Seats"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "i",
            "issue",
            "Issue link",
            id="labreview.seats.issue",
            tooltip="A new personal link for the highlighted person (their old link stops working)",
        ),
        Binding(
            "I",
            "issue_all",
            "Issue all",
            id="labreview.seats.issue_all",
            tooltip="Personal links for every attendee without a live one",
        ),
        Binding(
            "x",
            "withdraw",
            "Withdraw",
            id="labreview.seats.withdraw",
            tooltip="Withdraw the highlighted person's link: it stops working at once",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.people: list[PersonView] = []
        self.links: dict[int, SeatLinkView] = {}
        self.shown: dict[int, Shown] = {}
        """The links this app issued while it runs, by person (the only place their secret is)."""
        self.sheet: ScoreSheet | None = None

    def body(self) -> ComposeResult:
        yield Static(id="seats-title", classes="summary")
        with Horizontal(id="seats-row"):
            yield DataTable(id="seats", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="link-panel"):
                yield Static(id="qr")
                yield Static(id="link-text")
        yield Static(
            "i new link · I links for all without one · x withdraw · a link works until the session ends",
            id="seats-hint",
            classes="summary dim",
        )

    # ----------------------------------------------------------------- view

    def refresh_view(self) -> None:
        session = self.lab.session
        table = self.query_one("#seats", DataTable)
        keep = table.cursor_row
        compact = self._compact()
        self.set_class(compact, "-compact")
        self.reset_table(table, (("Attendee", "name", None), ("Link", "link", 16), ("Scored", "scored", 8)))
        if session is None:
            self.people, self.links, self.sheet = [], {}, None
            self.query_one("#seats-title", Static).update("Seats belong to a session; plan one first.")
            self._show_panel()
            return
        self.people = list(session.attendees)
        try:
            self.links = {view.person.id: view for view in self.portfolio.seat_links(session.quarter)}
            key = self.lab.current_key
            self.sheet = self.portfolio.score_sheet(session.quarter, key) if key else None
        except DomainError as exc:
            self.links, self.sheet = {}, None
            self.say(exc.message, error=True)
        width = self.room(PANEL - 4 * compact + 16 + 8 + 10, least=8)
        for person in self.people:
            table.add_row(
                plain(person.name, width=width), self._link_state(person), self._scored(person), key=str(person.id)
            )
        if self.people:
            table.move_cursor(row=min(keep, len(self.people) - 1))
        if not self.focused:
            table.focus()
        self._show_title()
        self._show_panel()

    def _show_title(self) -> None:
        session = self.lab.session
        live = sum(1 for view in self.links.values() if view.live)
        line = Text()
        line.append(f"Seats · {session.quarter}", style="bold")
        line.append(f" · {len(self.people)} attending · {live} live link{'s' * (live != 1)}")
        sheet = self.sheet
        if sheet is not None:
            line.append(f" · {sheet.key}: ")
            ballot = sheet.ballot
            if ballot is None:
                line.append("scored in the open")
            elif ballot.hidden:
                line.append(f"Secret scoring · {ballot.progress}", style=paint(self, "bold note"))
            else:
                line.append(ballot.progress)
        self.query_one("#seats-title", Static).update(line)

    def _link_state(self, person: PersonView) -> Text:
        view = self.links.get(person.id)
        if view is None:
            return Text("none", style="dim")
        if view.live:
            return Text(f"live since {clock(view.issued_at)}", style=paint(self, "good"))
        if view.revoked_at is not None:
            return Text(f"withdrawn {clock(view.revoked_at)}", style=paint(self, "warn"))
        return Text("ended with the session", style="dim")

    def _scored(self, person: PersonView) -> Text:
        """How far ``person`` has scored the current item: counts, never values."""
        sheet = self.sheet
        if sheet is None:
            return Text("")
        if all(p.id != person.id for p in sheet.reviewers):
            return Text("—", style="dim")  # not on the board: follows, does not score
        ballot = sheet.ballot
        if ballot is not None and ballot.hidden:
            done = sum(1 for c in Criterion if ballot.has_cast(person.id, c))
        else:
            done = sum(1 for c in Criterion if sheet.score(person.id, c) is not None)
        if done == len(Criterion):
            return Text("✔ scored", style=paint(self, "good"))
        if done == 0:
            return Text("not yet", style="dim")
        return Text(f"{done} of {len(Criterion)}")

    def _compact(self) -> bool:
        return self.size.width < ROOMY[0] or self.size.height < ROOMY[1]

    def _highlighted(self) -> PersonView | None:
        table = self.query_one("#seats", DataTable)
        if not self.people or table.row_count == 0:
            return None
        return self.people[min(table.cursor_row, len(self.people) - 1)]

    def _show_panel(self) -> None:
        """The highlighted person's link: in full with its QR code when this app issued it, else why not."""
        text, code = self.query_one("#link-text", Static), self.query_one("#qr", Static)
        person = self._highlighted()
        code.display = False
        if person is None:
            text.update("Nobody attends yet: ctrl+p → session: attendance.")
            return
        view = self.links.get(person.id)
        line = Text()
        line.append_text(plain(person.name, "bold"))
        line.append(f" · {person.role_label}\n")
        shown = self.shown.get(person.id)
        if view is None:
            line.append("No personal link yet: i issues one.")
        elif not view.live:
            line.append(
                "The link was withdrawn; i issues a new one."
                if view.revoked_at is not None
                else "The link ended with the session."
            )
        elif shown is None or shown.issued_at != view.issued_at:
            line.append(f"Live since {clock(view.issued_at)}. {NOT_SHOWN}")
        else:
            from labreview.ui.widgets.qr import QUIET, qr_text  # deferred: segno is needed only when a code shows

            link = self.portfolio.seat_url(shown.token)
            code.update(qr_text(link, border=2 if self._compact() else QUIET))
            code.display = True
            line.append(f"Live since {clock(view.issued_at)}: scan the code or send the link\n")
            line.append_text(plain(link, "bold"))
            line.append("\nShown while this app runs. " + NOT_SHOWN, style="dim")
        text.update(line)

    @on(DataTable.RowHighlighted, "#seats")
    def _row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_panel()

    # ----------------------------------------------------------------- links

    def _issue(self, person: PersonView) -> bool:
        """Issue ``person``'s link and keep its secret for the panel (a refusal is said; False)."""
        session = self.lab.session
        try:
            issued = self.portfolio.issue_seat_link(session.quarter, person.id)
            newest = {view.person.id: view for view in self.portfolio.seat_links(session.quarter)}
        except DomainError as exc:
            self.say(exc.message, error=True)
            return False
        if person.id in newest:
            self.shown[person.id] = Shown(issued.token, newest[person.id].issued_at)
        return True

    def action_issue(self) -> None:
        person = self._highlighted()
        if person is None or self.lab.session is None:
            self.say("Nobody to issue a link for: the session has no attendees.", error=True)
            return
        renewed = self.links.get(person.id) is not None and self.links[person.id].live
        if not self._issue(person):
            return
        self.lab.changed()
        self.say(f"New link for {person.name}" + ("; the old one no longer works." if renewed else "."))

    def action_issue_all(self) -> None:
        if self.lab.session is None or not self.people:
            self.say("Nobody to issue links for: the session has no attendees.", error=True)
            return
        waiting = [p for p in self.people if not (p.id in self.links and self.links[p.id].live)]
        if not waiting:
            self.say("Everyone attending has a live link; i issues a new one for the highlighted person.")
            return
        issued = 0
        for person in waiting:
            if not self._issue(person):
                break
            issued += 1
        self.lab.changed()
        if issued == len(waiting):
            self.say(f"Issued {issued} link{'s' * (issued != 1)}: move the cursor to show each one's code.")

    def action_withdraw(self) -> None:
        person = self._highlighted()
        session = self.lab.session
        if person is None or session is None:
            return
        try:
            self.portfolio.revoke_seat_link(session.quarter, person.id)
        except DomainError as exc:
            self.say(exc.message, error=True)
            return
        self.shown.pop(person.id, None)
        self.lab.changed()
        self.say(f"Withdrew {person.name}'s link: it no longer works.")

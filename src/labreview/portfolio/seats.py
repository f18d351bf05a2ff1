"""Seats: board members and remote attendees at their own devices.

An attendee of a session gets a personal link (``issue_seat_link``): a secret of 192 bits, shown once;
only its hash is stored. Whoever holds the link acts as that person (the audit log names them) until the
link is withdrawn or the session ends. ``seat_page`` is everything a link's page shows, read in one
transaction, with no value cast in secret by anyone but the person themself before the reveal.

Presence says where the meeting is (the current item, its clock); one app at a time holds the clock
(``beat``), so that two apps on one meeting never count the same minute twice. Not audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.vocabulary import Criterion, SessionStatus
from labreview.portfolio.derived import Derived
from labreview.portfolio.present import person_view
from labreview.portfolio.views import IssuedLink, PresenceView, Seat, SeatLinkView, SeatPage
from labreview.store import rows as lookup
from labreview.store.models import (
    AccessRequest,
    ActionItem,
    BallotScore,
    Decision,
    Initiative,
    Presence,
    ReviewSession,
    SeatLink,
    ServiceState,
)

TOKEN_BYTES = 24
"""A personal link's secret: 24 random bytes (192 bits), 32 URL-safe characters."""

SERVICE_URL_SETTING = "service_url"
"""Where ``labreview serve`` last said it can be reached (the links' base), kept so the app can show links."""

DEFAULT_SERVICE_URL = "http://127.0.0.1:8765"
"""The links' base before any ``labreview serve`` has said where it is (its own default address)."""

CLOCK_LEASE = dt.timedelta(seconds=10)
"""An app that has not beaten for this long no longer holds the clock: another may take it."""


class Seats(Derived):
    """Personal links, what a seat sees, and where the meeting is."""

    # ------------------------------------------------------------------ personal links

    def issue_seat_link(self, quarter: str, person: int | str) -> IssuedLink:
        """A new personal link of an attendee to the session (their previous one stops working)."""
        with self.audited("issue link") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            if row.status == SessionStatus.CLOSED.value:
                raise PolicyRefusal(f"The {row.quarter} session has ended; its links are closed.")
            who = lookup.person(session, person)
            if who.id not in lookup.attendee_ids(session, row.id):
                raise PolicyRefusal(f"{who.name} is not attending the {row.quarter} session; add them first.")
            withdrawn = self._withdraw(rec, row, who.id)
            token = secrets.token_urlsafe(TOKEN_BYTES)
            rec.add(
                SeatLink(session_id=row.id, person_id=who.id, token_hash=lookup.token_hash(token), issued_at=self.now())
            )
            rec.summary = f"{'New' if withdrawn else 'Issued a'} personal link for {who.name} ({row.quarter})"
            return IssuedLink(person_view(who), row.quarter, token)

    def revoke_seat_link(self, quarter: str, person: int | str) -> None:
        """Withdraw an attendee's personal link to the session."""
        with self.audited("withdraw link") as rec:
            session = rec.session
            row = lookup.session_row(session, quarter)
            who = lookup.person(session, person)
            if not self._withdraw(rec, row, who.id):
                raise NotFound(f"{who.name} has no personal link to the {row.quarter} session.")
            rec.summary = f"Withdrew {who.name}'s personal link ({row.quarter})"

    def _withdraw(self, rec, row: ReviewSession, person_id: int) -> int:
        live = rec.session.scalars(
            select(SeatLink).where(
                SeatLink.session_id == row.id, SeatLink.person_id == person_id, SeatLink.revoked_at.is_(None)
            )
        ).all()
        for link in live:
            rec.update(link, revoked_at=self.now())
        return len(live)

    def announce_service(self, url: str) -> None:
        """``labreview serve`` says where members reach it (not audited: not a decision of the board)."""
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or any(ch.isspace() or ord(ch) < 32 for ch in url):
            raise InvalidInput(f"A service address starts with http:// or https:// and has no spaces; got {url!r}.")
        if self.read_only:
            return
        table = ServiceState.__table__
        with self.read() as session:
            known = session.get(ServiceState, SERVICE_URL_SETTING) is not None
        statement = (
            table.update().where(table.c.key == SERVICE_URL_SETTING).values(value=url)
            if known
            else table.insert().values(key=SERVICE_URL_SETTING, value=url)
        )
        self.bookkeeping_write(statement)

    def service_url(self) -> str:
        """The base of the personal links: where ``labreview serve`` said it is, else its default address."""
        with self.read() as session:
            found = session.get(ServiceState, SERVICE_URL_SETTING)
            return found.value if found is not None else DEFAULT_SERVICE_URL

    def seat_url(self, token: str) -> str:
        """A personal link in full."""
        return f"{self.service_url()}/s/{token}"

    def seat_links(self, quarter: str) -> list[SeatLinkView]:
        """Each person's newest link to the session, by name."""
        with self.read() as session:
            row = lookup.session_row(session, quarter)
            links = session.scalars(
                select(SeatLink).where(SeatLink.session_id == row.id).order_by(SeatLink.issued_at, SeatLink.id)
            ).all()
            newest = {link.person_id: link for link in links}
            closed = row.status == SessionStatus.CLOSED.value
            out = [
                SeatLinkView(
                    person_view(lookup.person(session, person_id)),
                    link.issued_at,
                    link.revoked_at,
                    live=link.revoked_at is None and not closed,
                )
                for person_id, link in newest.items()
            ]
            return sorted(out, key=lambda v: v.person.name)

    def seat(self, token: str) -> Seat:
        """Who a personal link's holder is, or why the link does not work (``NotFound``, ``PolicyRefusal``)."""
        with self.read() as session:
            return _seat(session, *lookup.live_seat(session, token))

    def seat_page(self, token: str) -> SeatPage:
        """Everything the link's page shows, as of one moment."""
        with self.read() as session:
            link, row, who = lookup.live_seat(session, token)
            seat = _seat(session, link, row, who)
            board = who.board_role is not None
            view = self.session_view(session, row)
            clock = _presence(session, row)
            key = clock.key if clock is not None and clock.key else view.current_key
            if key is None and view.agenda:
                key = view.agenda[0].key
            current = checklist = ballot = sheet = None
            own: dict[Criterion, int] = {}
            access = ()
            if key is not None:
                initiative = lookup.initiative(session, key)
                current = self.initiative_view(session, initiative)
                checklist = self.checklist_view(session, initiative)
                found = lookup.ballot(session, row.id, initiative.id)
                hidden = found is not None and found.revealed_at is None
                ballot = self.ballot_state(session, row, initiative)
                if hidden:
                    own = {
                        Criterion(c): v
                        for c, v in session.execute(
                            select(BallotScore.criterion, BallotScore.value).where(
                                BallotScore.ballot_id == found.id, BallotScore.reviewer_id == who.id
                            )
                        ).all()
                    }
                else:
                    sheet = self.sheet_view(session, row, initiative)
                    own = {c: v for (r, c), v in sheet.scores.items() if r == who.id}
                if board:
                    access = tuple(
                        self.access_view(session, initiative, r)
                        for r in session.scalars(
                            select(AccessRequest)
                            .where(AccessRequest.initiative_id == initiative.id)
                            .order_by(AccessRequest.requested_on.desc(), AccessRequest.id.desc())
                        ).all()
                    )
            decisions = tuple(
                self.decision_view(session, d)
                for d in session.scalars(
                    select(Decision).where(Decision.session_id == row.id).order_by(Decision.decided_at, Decision.id)
                ).all()
            )
            actions = tuple(
                self.action_view(session, a)
                for a in session.scalars(
                    select(ActionItem).where(ActionItem.session_id == row.id).order_by(ActionItem.due, ActionItem.id)
                ).all()
            )
            return SeatPage(seat, view, clock, current, checklist, ballot, own, sheet, decisions, actions, access)

    # ------------------------------------------------------------------ presence

    def presence(self, quarter: str) -> PresenceView | None:
        """Where the meeting is, as the app holding the clock last said (None: no app has said yet)."""
        with self.read() as session:
            return _presence(session, lookup.session_row(session, quarter))

    def beat(self, quarter: str, holder: str, key: str | None, elapsed: int, running: bool) -> PresenceView:
        """Say where the meeting is, holding the clock, if no other app holds it (its last beat is recent).

        Returns the presence as it now stands: ``holder`` is this app's when it holds the clock; else
        another app's, whose current item and clock this app should show (and not count time itself).
        An app that does not hold the clock only reads (no write lock) until the holder goes quiet.
        """
        with self.read() as session:
            row = lookup.session_row(session, quarter)
            seen = _presence(session, row)
        if self.read_only or (seen is not None and not self._may_take(seen, holder)):
            return seen or PresenceView(quarter, key, int(elapsed), bool(running), self.now(), holder)
        with self._write_session() as (session, _actor):  # the write lock: two apps never both take the clock
            row = lookup.session_row(session, quarter)
            found = session.get(Presence, row.id)
            if found is not None and not self._may_take(_presence(session, row), holder):
                view = _presence(session, row)  # another app took it in between
                session.rollback()
                return view
            initiative_id = None
            if key is not None:
                initiative_id = session.execute(select(Initiative.id).where(Initiative.key == key)).scalar()
            now = self.now()
            if found is None:
                found = Presence(session_id=row.id, holder=holder, beat_at=now)
                session.add(found)
            found.holder = holder
            found.initiative_id = initiative_id
            found.elapsed_seconds = int(elapsed)
            found.running = bool(running)
            found.beat_at = now
            session.commit()
            return PresenceView(row.quarter, key, int(elapsed), bool(running), now, holder)

    def _may_take(self, seen: PresenceView, holder: str) -> bool:
        return seen.holder == holder or seen.beat_at <= self.now() - CLOCK_LEASE

    def release_clock(self, quarter: str, holder: str) -> None:
        """This app stops holding the clock (it quits): another may take it at once."""
        if self.read_only:
            return
        table = Presence.__table__
        with self.read() as session:
            row = lookup.session_row(session, quarter)
        self.bookkeeping_write(
            table.update()
            .where(table.c.session_id == row.id, table.c.holder == holder)
            .values(running=False, beat_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _seat(session: Session, link: SeatLink, row: ReviewSession, who) -> Seat:
    voter = who.board_role is not None  # live_seat has checked that they attend
    return Seat(link.id, person_view(who), row.quarter, voter)


def _presence(session: Session, row: ReviewSession) -> PresenceView | None:
    found = session.get(Presence, row.id)
    if found is None:
        return None
    key = None
    if found.initiative_id is not None:
        key = session.execute(select(Initiative.key).where(Initiative.id == found.initiative_id)).scalar()
    return PresenceView(row.quarter, key, found.elapsed_seconds, found.running, _aware(found.beat_at), found.holder)

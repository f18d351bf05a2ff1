"""One row by its key, or not found in words: the look-ups every use case shares (person, initiative,
session, open session, decision, attending board, signatures, template rows) and the version check."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labreview.domain import access as access_rules
from labreview.domain import rights as rights_rules
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import (
    BoardRole,
    Capacity,
    Quarter,
    RightKind,
    SessionStatus,
)
from labreview.store.models import (
    AccessSignature,
    Attendee,
    Ballot,
    BallotScore,
    Decision,
    DecisionRight,
    GateTemplateItem,
    Initiative,
    Person,
    ReviewSession,
    Score,
    SeatLink,
)
from labreview.store.portable import matchable


def person(session: Session, ref: int | str) -> Person:
    if isinstance(ref, int):
        person = session.get(Person, ref)
    else:
        wanted = ref.strip().lower()
        candidates = [p for p in session.scalars(select(Person)) if wanted in p.name.lower()]
        exact = [p for p in candidates if p.name.lower() == wanted]
        if len(candidates) > 1 and not exact:
            names = ", ".join(p.name for p in candidates[:5])
            raise InvalidInput(f"'{ref}' matches several people ({names}); write more of the name.")
        person = (exact or candidates or [None])[0]
    if person is None:
        raise NotFound(f"Nobody called '{ref}' is in the portfolio.")
    return person


def initiative(session: Session, key: str) -> Initiative:
    wanted = queryable(str(key).strip().upper())
    row = session.scalars(select(Initiative).where(Initiative.key == wanted)).first() if matchable(wanted) else None
    if row is None:
        raise NotFound(f"There is no initiative {queryable(str(key))}.")
    return row


def session_row(session: Session, quarter: str) -> ReviewSession:
    quarter = str(Quarter.parse(quarter))
    row = session.scalars(select(ReviewSession).where(ReviewSession.quarter == quarter)).first()
    if row is None:
        raise NotFound(f"There is no {quarter} session.")
    return row


def open_session(session: Session, quarter: str) -> ReviewSession:
    row = session_row(session, quarter)
    if row.status == SessionStatus.PLANNED.value:
        raise PolicyRefusal(f"The {row.quarter} session has not started; start it first.")
    if row.status == SessionStatus.CLOSED.value:
        raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")
    return row


def attendee_ids(session: Session, session_id: int) -> set[int]:
    return set(session.execute(select(Attendee.person_id).where(Attendee.session_id == session_id)).scalars())


def decision_row(session: Session, session_id: int, initiative_id: int) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.session_id == session_id, Decision.initiative_id == initiative_id)
    ).first()


def board_attending(session: Session, session_id: int) -> list[Person]:
    """Board members attending the session, by name: the scorecard's reviewers."""
    return list(
        session.scalars(
            select(Person)
            .join(Attendee, Attendee.person_id == Person.id)
            .where(Attendee.session_id == session_id, Person.board_role.is_not(None))
            .order_by(Person.name)
        ).all()
    )


def decision_rights(session: Session) -> list[rights_rules.Right]:
    """The decision rights table, by kind, then in the order granted."""
    found = session.execute(
        select(DecisionRight, Person.name)
        .outerjoin(Person, Person.id == DecisionRight.person_id)
        .order_by(DecisionRight.kind, DecisionRight.id)
    ).all()
    return [as_right(row, name) for row, name in found]


def as_right(row: DecisionRight, holder_name: str | None) -> rights_rules.Right:
    """A row of ``decision_right`` as the rule reads it (``holder_name``: the person's, for a right held by name)."""
    return rights_rules.Right(
        row.id,
        RightKind(row.kind),
        BoardRole(row.board_role) if row.board_role else None,
        row.person_id,
        holder_name or "",
        row.cost_limit,
    )


def named_exactly(session: Session, ref: object, *, what: str) -> Person:
    """A person given by id or by their whole name (case aside): a signature names one person, never a part of a
    name (``lookup.person`` takes "kim" for Kim Novak; a sign-off must not)."""
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise InvalidInput(f"Name the {what} by their name or id; got {ref!r}.")
    if isinstance(ref, int):
        return person(session, ref)
    wanted = ref.strip()
    found = [p for p in session.scalars(select(Person)) if p.name.casefold() == wanted.casefold()]
    exact = [p for p in found if p.name == wanted]
    if len(found) > 1 and len(exact) != 1:
        raise InvalidInput(f"Several people are called '{ref}'; choose the {what} from the list (by id).")
    if not found:
        raise NotFound(f"Nobody is called exactly '{ref}'; write the {what}'s whole name.")
    return (exact or found)[0]


def signer(row: Person) -> rights_rules.Signer:
    return rights_rules.Signer(row.id, row.name, BoardRole(row.board_role) if row.board_role else None, row.active)


def score_triples(session: Session, session_id: int, initiative_id: int) -> list[tuple[int, str, int]]:
    return [
        tuple(r)
        for r in session.execute(
            select(Score.reviewer_id, Score.criterion, Score.value).where(
                Score.session_id == session_id, Score.initiative_id == initiative_id
            )
        ).all()
    ]


def signatures(session: Session, request_id: int) -> list[access_rules.Signature]:
    return [
        access_rules.Signature(s.person_id, Capacity(s.capacity), s.approve)
        for s in session.scalars(select(AccessSignature).where(AccessSignature.request_id == request_id))
    ]


def template_rows(session: Session) -> list[GateTemplateItem]:
    return list(
        session.scalars(
            select(GateTemplateItem)
            .where(GateTemplateItem.active)
            .order_by(GateTemplateItem.gate, GateTemplateItem.position)
        )
    )


def queryable(text: str) -> str:
    """``text`` with any lone surrogate (which SQLite cannot take) as ``?``: for look-ups, never for storing."""
    return text.encode("utf-8", "replace").decode("utf-8")


STALE = (
    "Someone else changed this since you opened it; the screen now shows the current values. "
    "Make your change again if it still applies."
)


def check_version(row: Any, version: int | None) -> None:
    if version is not None and row.version != version:
        raise StaleEdit(STALE)


def require_not_closed(row: ReviewSession) -> None:
    if row.status == SessionStatus.CLOSED.value:
        raise PolicyRefusal(f"The {row.quarter} session has ended; its record is closed.")


def ballot(session: Session, session_id: int, initiative_id: int) -> Ballot | None:
    """The item's secret ballot in the session, if one was opened."""
    return session.scalars(
        select(Ballot).where(Ballot.session_id == session_id, Ballot.initiative_id == initiative_id)
    ).first()


def ballot_cast(session: Session, ballot_id: int) -> dict[int, set[str]]:
    """Which criteria each reviewer has cast on a ballot (never the values)."""
    cast: dict[int, set[str]] = {}
    for reviewer_id, criterion in session.execute(
        select(BallotScore.reviewer_id, BallotScore.criterion).where(BallotScore.ballot_id == ballot_id)
    ).all():
        cast.setdefault(reviewer_id, set()).add(criterion)
    return cast


TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
"""What a personal link's secret looks like (``secrets.token_urlsafe``); anything else is refused unread."""


def token_hash(token: str) -> str:
    """What is stored of a personal link's secret."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def live_seat(session: Session, token: str) -> tuple[SeatLink, ReviewSession, Person]:
    """The personal link ``token`` and its session and person, or why it does not work, in words."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise NotFound("This link is not a labreview link; ask the facilitator for yours.")
    link = session.scalars(select(SeatLink).where(SeatLink.token_hash == token_hash(token))).first()
    if link is None:
        raise NotFound("This link is not known; ask the facilitator for yours.")
    row = session.get(ReviewSession, link.session_id)
    who = session.get(Person, link.person_id)
    if link.revoked_at is not None:
        raise PolicyRefusal("This link was withdrawn; ask the facilitator for a new one.")
    if row.status == SessionStatus.CLOSED.value:
        raise PolicyRefusal(f"The {row.quarter} session has ended; this link no longer works.")
    if who.id not in attendee_ids(session, row.id):
        raise PolicyRefusal(f"{who.name} is no longer on the {row.quarter} attendance list; this link no longer works.")
    return link, row, who

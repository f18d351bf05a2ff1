"""The board's scores of an agenda item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labreview.domain import scoring
from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.domain.vocabulary import (
    Criterion,
    SessionStatus,
)
from labreview.portfolio import ledger
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    BallotState,
    ScoreSheet,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    AgendaItem,
    Ballot,
    BallotScore,
    Initiative,
    Person,
    ReviewSession,
    Score,
)


class Scores(Derived):
    """The board's scores of an agenda item."""

    def record_score(
        self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str, value: object
    ) -> ScoreSheet:
        """Record (or change) one reviewer's score of one criterion.

        While the item's secret ballot is open the score is cast on it, hidden until the reveal (also when
        the facilitator types it for someone without a device); the summary line never names the value."""
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        score = scoring.validate_score(value)
        with self.audited("record score") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            board = lookup.board_attending(session, row.id)
            who = self._check_reviewer(session, row, reviewer, board)
            ballot = lookup.ballot(session, row.id, initiative.id)
            if ballot is not None and ballot.revealed_at is None:
                self._cast(rec, ballot, who, criterion, score)
                rec.summary = f"{who.name} cast a hidden score of {initiative.key} {criterion.label}"
                return self.sheet_view(session, row, initiative, board=board)
            existing = session.scalars(
                select(Score).where(
                    Score.session_id == row.id,
                    Score.initiative_id == initiative.id,
                    Score.reviewer_id == who.id,
                    Score.criterion == criterion.value,
                )
            ).first()
            if existing is None:
                rec.add(
                    Score(
                        session_id=row.id,
                        initiative_id=initiative.id,
                        reviewer_id=who.id,
                        criterion=criterion.value,
                        value=score,
                        recorded_at=self.now(),
                    )
                )
                was = ""
            else:
                was = f" (was {existing.value})"
                rec.update(existing, value=score, recorded_at=self.now())
            triples = self.refresh_scores(rec, initiative, row)
            rec.summary = f"{who.name} scored {initiative.key} {criterion.label} {score}{was}"
            # What was just read is reused: every query here is part of the scorecard's keystroke.
            return self.sheet_view(session, row, initiative, board=board, triples=triples)

    def _cast(self, rec: ledger.Recorder, ballot: Ballot, who: Person, criterion: Criterion, score: int) -> None:
        existing = rec.session.scalars(
            select(BallotScore).where(
                BallotScore.ballot_id == ballot.id,
                BallotScore.reviewer_id == who.id,
                BallotScore.criterion == criterion.value,
            )
        ).first()
        if existing is None:
            rec.add(
                BallotScore(
                    ballot_id=ballot.id, reviewer_id=who.id, criterion=criterion.value, value=score, cast_at=self.now()
                )
            )
        else:
            rec.update(existing, value=score, cast_at=self.now())

    def clear_score(self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str) -> ScoreSheet:
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        with self.audited("clear score") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            who = lookup.person(session, reviewer)
            ballot = lookup.ballot(session, row.id, initiative.id)
            if ballot is not None and ballot.revealed_at is None:
                cast = rec.session.scalars(
                    select(BallotScore).where(
                        BallotScore.ballot_id == ballot.id,
                        BallotScore.reviewer_id == who.id,
                        BallotScore.criterion == criterion.value,
                    )
                ).first()
                if cast is not None:
                    rec.delete(cast)
                rec.summary = f"Cleared {who.name}'s hidden {criterion.label} score of {initiative.key}"
                return self.sheet_view(session, row, initiative)
            existing = session.scalars(
                select(Score).where(
                    Score.session_id == row.id,
                    Score.initiative_id == initiative.id,
                    Score.reviewer_id == who.id,
                    Score.criterion == criterion.value,
                )
            ).first()
            triples = None
            if existing is not None:
                rec.delete(existing)
                triples = self.refresh_scores(rec, initiative, row)
            rec.summary = f"Cleared {who.name}'s {criterion.label} score of {initiative.key}"
            return self.sheet_view(session, row, initiative, triples=triples)

    def open_ballot(self, quarter: str, key: str) -> ScoreSheet:
        """Score the item in secret: from now until the reveal, what anyone scores is hidden from everyone.

        Scores already given in the open stay as they are (a new round would have to be cleared first)."""
        with self.audited("open ballot") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            self._on_agenda(session, row, initiative)
            found = lookup.ballot(session, row.id, initiative.id)
            if found is not None:
                if found.revealed_at is None:
                    raise PolicyRefusal(f"Scoring of {initiative.key} is already open; reveal it when all have scored.")
                raise PolicyRefusal(
                    f"The scores of {initiative.key} were revealed in this session; change one on the scorecard."
                )
            rec.add(Ballot(session_id=row.id, initiative_id=initiative.id, opened_at=self.now()))
            rec.summary = f"Opened secret scoring of {initiative.key}"
            return self.sheet_view(session, row, initiative)

    def reveal_ballot(self, quarter: str, key: str) -> ScoreSheet:
        """Show what was cast: the hidden scores become the item's scores, all at once."""
        with self.audited("reveal scores") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            found = lookup.ballot(session, row.id, initiative.id)
            if found is None:
                raise PolicyRefusal(f"Scoring of {initiative.key} is not secret; there is nothing to reveal.")
            if found.revealed_at is not None:
                raise PolicyRefusal(f"The scores of {initiative.key} have been revealed already.")
            cast = session.scalars(
                select(BallotScore).where(BallotScore.ballot_id == found.id).order_by(BallotScore.id)
            ).all()
            given = {
                (s.reviewer_id, s.criterion): s
                for s in session.scalars(
                    select(Score).where(Score.session_id == row.id, Score.initiative_id == initiative.id)
                ).all()
            }
            for hidden in cast:
                existing = given.get((hidden.reviewer_id, hidden.criterion))
                if existing is None:
                    rec.add(
                        Score(
                            session_id=row.id,
                            initiative_id=initiative.id,
                            reviewer_id=hidden.reviewer_id,
                            criterion=hidden.criterion,
                            value=hidden.value,
                            recorded_at=hidden.cast_at,
                        )
                    )
                else:
                    rec.update(existing, value=hidden.value, recorded_at=hidden.cast_at)
                rec.delete(hidden)
            rec.update(found, revealed_at=self.now())
            triples = self.refresh_scores(rec, initiative, row)
            voters = len({s.reviewer_id for s in cast})
            rec.summary = f"Revealed the scores of {initiative.key} ({voters} reviewer{'s' if voters != 1 else ''})"
            return self.sheet_view(session, row, initiative, triples=triples)

    def cast_from_seat(self, token: str, key: str, criterion: Criterion | str, value: object) -> BallotState:
        """A board member scores one criterion from their own device, through their personal link.

        Only on a secret ballot that is open, only for themself (the link says who: the client never
        chooses the reviewer), changeable until the reveal. The audit log names the member."""
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        score = scoring.validate_score(value)
        with self.read() as session:
            _link, _row, who = lookup.live_seat(session, token)
            name = who.name
        with self.audited("cast score", actor=name) as rec:
            session = rec.session
            _link, row, who = lookup.live_seat(session, token)  # again, inside the write: withdrawn meanwhile?
            initiative = lookup.initiative(session, key)
            board = lookup.board_attending(session, row.id)
            if row.status != SessionStatus.OPEN.value:
                raise PolicyRefusal(f"The {row.quarter} session has not started; scoring opens in the meeting.")
            who = self._check_reviewer(session, row, who.id, board)
            ballot = lookup.ballot(session, row.id, initiative.id)
            if ballot is None:
                raise PolicyRefusal(f"Scoring of {initiative.key} has not been opened; wait for the facilitator.")
            if ballot.revealed_at is not None:
                raise PolicyRefusal(
                    f"The scores of {initiative.key} have been revealed; ask the facilitator to change one."
                )
            self._cast(rec, ballot, who, criterion, score)
            rec.summary = f"{who.name} cast a hidden score of {initiative.key} {criterion.label}"
            return self.ballot_state(session, row, initiative, board)

    def _on_agenda(self, session: Session, row: ReviewSession, initiative: Initiative) -> None:
        on = session.execute(
            select(AgendaItem.id).where(AgendaItem.session_id == row.id, AgendaItem.initiative_id == initiative.id)
        ).first()
        if on is None:
            raise NotFound(f"{initiative.key} is not on the {row.quarter} agenda.")

    def score_sheet(self, quarter: str, key: str) -> ScoreSheet:
        with self.read() as session:
            return self.sheet_view(session, lookup.session_row(session, quarter), lookup.initiative(session, key))

    def _check_reviewer(self, session: Session, row: ReviewSession, reviewer: int | str, board: list[Person]) -> Person:
        """The reviewer, who must be on the board and attending (``board``: ``_board_attending`` of ``row``)."""
        who = lookup.person(session, reviewer)
        if who.board_role is None:
            raise PolicyRefusal(f"{who.name} is not on the review board and cannot score.")
        if all(p.id != who.id for p in board):
            raise PolicyRefusal(f"{who.name} is not attending the {row.quarter} session and cannot score in it.")
        return who

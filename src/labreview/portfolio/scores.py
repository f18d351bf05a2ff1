"""The board's scores of an agenda item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labreview.domain import scoring
from labreview.domain.errors import PolicyRefusal
from labreview.domain.vocabulary import (
    Criterion,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    ScoreSheet,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    Person,
    ReviewSession,
    Score,
)


class Scores(Derived):
    """The board's scores of an agenda item."""

    def record_score(
        self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str, value: object
    ) -> ScoreSheet:
        """Record (or change) one reviewer's score of one criterion."""
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        score = scoring.validate_score(value)
        with self.audited("record score") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            board = lookup.board_attending(session, row.id)
            who = self._check_reviewer(session, row, reviewer, board)
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

    def clear_score(self, quarter: str, key: str, reviewer: int | str, criterion: Criterion | str) -> ScoreSheet:
        criterion = Criterion.parse(criterion) if isinstance(criterion, str) else Criterion(criterion)
        with self.audited("clear score") as rec:
            session = rec.session
            row = lookup.open_session(session, quarter)
            initiative = lookup.initiative(session, key)
            who = lookup.person(session, reviewer)
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

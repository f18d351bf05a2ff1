"""Planning the next session, who attends it, and the portfolio's scoring weights: palette commands that
open a dialog and make one audited change each (a mixin of ``LabReviewApp``, whose state they use)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from labreview.domain.errors import DomainError

if TYPE_CHECKING:
    from labreview.config import Config
    from labreview.portfolio.service import Portfolio
    from labreview.portfolio.views import SessionView


class Planning:
    """The session's planning commands (``session: plan next``, ``session: attendance``, ``weights: set``)."""

    portfolio: Portfolio
    session: SessionView | None
    config: Config

    def plan_next_session(self) -> None:
        """Plan the quarter after the latest session: a dialog for its date, facilitator and attendees.

        The service carries items over onto its agenda and proposes its budget from quarterly costs.
        """
        from labreview.domain.vocabulary import Quarter
        from labreview.ui.dialogs.plan_session import PlanSessionDialog

        sessions = self.portfolio.sessions()
        latest = sessions[-1] if sessions else None
        quarter = Quarter.parse(latest.quarter).next() if latest else Quarter.of(self.portfolio.today())
        people = self._people_choices()
        if not any(p.role for p in people):
            self.say("There is no review board in this portfolio yet, so there is nobody to attend.", error=True)
            return
        facilitator = latest.facilitator.id if latest else None
        attendees = [p.id for p in latest.attendees] if latest else []
        default = quarter.first_day + dt.timedelta(days=52)

        def create(plan) -> None:
            if plan is None:
                return
            try:
                view = self.portfolio.plan_session(
                    str(quarter),
                    held_on=plan.held_on,
                    facilitator=plan.facilitator_id,
                    attendees=plan.attendee_ids,
                    timebox_minutes=self.config.timebox_minutes,
                )
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.session = self.portfolio.active_session()
            self.changed()
            carried = sum(1 for e in view.agenda if e.carried_reason)
            self.say(
                f"Planned the {quarter} review on {plan.held_on.isoformat()}: {carried} items carried over "
                "(space on the agenda takes one off); add more from the backlog."
            )

        self.push_screen(
            PlanSessionDialog(str(quarter), people, held_on=default, facilitator=facilitator, attendees=attendees),
            create,
        )

    def edit_attendance(self) -> None:
        """Who attends the session (late arrivals): each toggle is one audited change."""
        from labreview.ui.dialogs.attendance import AttendanceDialog

        if self.session is None:
            self.say("There is no session yet: plan one first (ctrl+p, session: plan next).", error=True)
            return
        quarter = self.session.quarter

        def toggle(person_id: int, present: bool) -> bool:
            try:
                self.session = self.portfolio.set_attendance(quarter, person_id, present)
            except DomainError as exc:
                self.say(exc.message, error=True)
                return False
            self.changed()
            return True

        attendees = [p.id for p in self.session.attendees]
        self.push_screen(AttendanceDialog(quarter, self._people_choices(), attendees, toggle))

    def edit_weights(self) -> None:
        """The board sets the portfolio's scoring weights (one audited change); the scorecard shows them."""
        from labreview.domain.scoring import format_weights
        from labreview.ui.dialogs.prompt import PromptDialog

        def save(answer: str | None) -> None:
            if answer is None:
                return
            try:
                weights = self.portfolio.set_weights(answer)
            except DomainError as exc:
                self.say(exc.message, error=True)
                return
            self.changed()
            self.say(f"Scoring weights: {format_weights(weights)}")

        self.push_screen(
            PromptDialog(
                "Scoring weights of the portfolio (criterion=number; criteria left out weigh 1):",
                value=format_weights(self.portfolio.weights),
                required="Write at least one criterion=number.",
            ),
            save,
        )

    def _people_choices(self):
        from labreview.ui.dialogs.plan_session import PersonChoice

        people = self.portfolio.people()
        people.sort(key=lambda p: (p.role is None, p.name))
        return [PersonChoice(p.id, p.name, p.role.label if p.role else "") for p in people]

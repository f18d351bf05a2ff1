"""Budget lines, the envelope and the 70/20/10 mix of a quarter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import func, select

from labreview.domain import budget as budget_rules
from labreview.domain.fields import (
    check_key,
    check_money,
)
from labreview.domain.vocabulary import (
    Quarter,
    Stage,
    Track,
    format_money,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    BudgetLineView,
    BudgetView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    BudgetEnvelope,
    BudgetLine,
    Decision,
    Initiative,
    ReviewSession,
)


class Budget(Derived):
    """Budget lines, the envelope and the 70/20/10 mix of a quarter."""

    def set_budget_line(self, quarter: str, key: str, amount: int, track: Track | str | None = None) -> None:
        quarter = str(Quarter.parse(quarter))
        amount = check_money(amount)
        with self.audited("set budget") as rec:
            session = rec.session
            initiative = lookup.initiative(session, key)
            track = (Track.parse(track) if isinstance(track, str) else track) or Track(initiative.track)
            line = session.scalars(
                select(BudgetLine).where(BudgetLine.quarter == quarter, BudgetLine.initiative_id == initiative.id)
            ).first()
            if line is None:
                rec.add(BudgetLine(quarter=quarter, initiative_id=initiative.id, track=track.value, amount=amount))
            else:
                rec.update(line, track=track.value, amount=amount)
            rec.summary = f"Budget {quarter}: {initiative.key} {track.label} {amount / 100:,.2f}"

    def budget(self, quarter: str) -> BudgetView:
        """The quarter's mix against target, and the mix after this quarter's session decisions."""
        quarter = str(Quarter.parse(quarter))
        target = self.target_mix()
        currency = self.currency
        with self.read() as session:
            history_rows = session.execute(
                select(BudgetLine.quarter, BudgetLine.track, func.sum(BudgetLine.amount))
                .group_by(BudgetLine.quarter, BudgetLine.track)
                .order_by(BudgetLine.quarter)
            ).all()
            lines = {
                initiative_id: (Track(track), amount)
                for initiative_id, track, amount in session.execute(
                    select(BudgetLine.initiative_id, BudgetLine.track, BudgetLine.amount).where(
                        BudgetLine.quarter == quarter
                    )
                ).all()
            }
            decided = session.execute(
                select(Decision, Initiative.key)
                .join(ReviewSession, ReviewSession.id == Decision.session_id)
                .join(Initiative, Initiative.id == Decision.initiative_id)
                .where(ReviewSession.quarter == quarter)
                .order_by(Decision.decided_at, Decision.id)
            ).all()
        by_quarter: dict[str, list[tuple[Track, int]]] = {}
        for q, track, amount in history_rows:
            by_quarter.setdefault(q, []).append((Track(track), int(amount)))
        history = tuple((q, budget_rules.Mix.of(v)) for q, v in sorted(by_quarter.items()) if q <= quarter)
        moves = (
            (d.initiative_id, key, d.outcome, Track(d.track_after) if d.track_after else None) for d, key in decided
        )
        view = BudgetView.after_decisions(quarter, currency, target, lines, moves, history)
        return replace(view, envelope=self.budget_envelope(quarter), lines=self._budget_lines(quarter))

    def set_budget_lines(self, quarter: str, lines: Sequence[tuple[str, object, Track | str | None]]) -> int:
        """Set many budget lines of a quarter at once (a CSV file): ``(key, amount, track or None)``,
        all or nothing, one audited action. Returns how many lines changed."""
        quarter = str(Quarter.parse(quarter))
        checked = []
        for key, amount, track in lines:
            track = Track.parse(track) if isinstance(track, str) and track.strip() else (track or None)
            checked.append((check_key(key), check_money(amount), track))
        with self.audited("set budget lines") as rec:
            session = rec.session
            changed = 0
            for key, amount, track in checked:
                initiative = lookup.initiative(session, key)
                track = track or Track(initiative.track)
                line = session.scalars(
                    select(BudgetLine).where(BudgetLine.quarter == quarter, BudgetLine.initiative_id == initiative.id)
                ).first()
                if line is None:
                    rec.add(BudgetLine(quarter=quarter, initiative_id=initiative.id, track=track.value, amount=amount))
                    changed += 1
                elif rec.update(line, track=track.value, amount=amount):
                    changed += 1
            rec.summary = f"Budget {quarter}: {changed} of {len(checked)} lines set from a file"
        return changed

    def budget_envelope(self, quarter: str) -> budget_rules.Envelope | None:
        with self.read() as session:
            row = session.get(BudgetEnvelope, str(Quarter.parse(quarter)))
            return budget_rules.Envelope(row.total, row.lab) if row else None

    def set_budget_envelope(self, quarter: str, total: object, lab: object = 0) -> budget_rules.Envelope:
        """Set a quarter's whole budget and the ring-fenced lab budget inside it (minor units)."""
        quarter = str(Quarter.parse(quarter))
        envelope = budget_rules.Envelope(check_money(total), check_money(lab))
        currency = self.currency
        with self.audited("set budget envelope") as rec:
            row = rec.session.get(BudgetEnvelope, quarter)
            if row is None:
                rec.add(BudgetEnvelope(quarter=quarter, total=envelope.total, lab=envelope.lab))
            else:
                rec.update(row, total=envelope.total, lab=envelope.lab)
            rec.summary = (
                f"Budget envelope {quarter}: {format_money(envelope.total, currency)}, "
                f"of which lab (ring-fenced) {format_money(envelope.lab, currency)}"
            )
        return envelope

    def _budget_lines(self, quarter: str) -> tuple[BudgetLineView, ...]:
        with self.read() as session:
            rows = session.execute(
                select(BudgetLine, Initiative.key, Initiative.title, Initiative.quarterly_cost, Initiative.stage)
                .join(Initiative, Initiative.id == BudgetLine.initiative_id)
                .where(BudgetLine.quarter == quarter)
                .order_by(BudgetLine.amount.desc(), Initiative.key)
            ).all()
        return tuple(
            BudgetLineView(key, title, Track(line.track), line.amount, cost, Stage(stage))
            for line, key, title, cost, stage in rows
        )

    def propose_budget(self, quarter: str) -> int:
        """Add a line for each live initiative without one: its quarterly cost on its track. Returns how many."""
        quarter = str(Quarter.parse(quarter))
        with self.audited("propose budget") as rec:
            added = self.propose_budget_lines(rec, quarter)
            rec.summary = f"Proposed {added} budget lines for {quarter} from the initiatives' quarterly costs"
        return added

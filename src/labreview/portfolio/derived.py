"""The columns other rows determine: score summaries, the current gate, the access tier, the proposed
budget lines, and their re-derivation after undo.

Called by the use cases (in their own transaction), by undo and by the import; never by the UI."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labreview.domain import access as access_rules
from labreview.domain import budget as budget_rules
from labreview.domain import gates as gate_rules
from labreview.domain import overlap as overlap_rules
from labreview.domain import scoring
from labreview.domain.vocabulary import (
    AccessTier,
    BoardRole,
    CheckState,
    Criterion,
    Gate,
    Track,
)
from labreview.portfolio import ledger
from labreview.portfolio.present import Present
from labreview.store import queries
from labreview.store import rows as lookup
from labreview.store.models import (
    AccessRequest,
    AccessSignature,
    AuditEvent,
    BudgetLine,
    GateCheck,
    Initiative,
    Person,
    ReviewSession,
    Score,
)


class Derived(Present):
    """The columns other rows determine, kept right by the use cases, undo and the import."""

    def overlaps(self) -> dict[str, tuple[overlap_rules.Overlap, ...]]:
        """Every live initiative that overlaps another (same vendor; same category, metric and titles alike),
        with the reasons, by key (``domain.overlap``). Read by the stack map, the backlog's ``overlap:`` facet,
        the scorecard and the decision dialog (consolidation candidates).

        Found again only when the audit log has grown since (every change is audited, another process's too;
        about 3 s at 100,000 initiatives), else given from the last time after one read of the newest record's id."""
        with self.read() as session:
            connection = session.connection()
            mark = connection.execute(select(func.max(AuditEvent.id))).scalar() or 0
            cached = self._overlaps_found
            if cached is not None and cached[0] == mark:
                return cached[1]
            found = self.overlaps_in(connection)
        self._overlaps_found = (mark, found)
        return found

    _overlaps_found: tuple[int, dict[str, tuple[overlap_rules.Overlap, ...]]] | None = None
    """(the newest audit record's id, the overlaps found then)."""

    @staticmethod
    def overlaps_in(connection: Any) -> dict[str, tuple[overlap_rules.Overlap, ...]]:
        """``overlaps`` read on an open connection (one read of six columns)."""
        return overlap_rules.find_overlaps(overlap_rules.Tool(*row) for row in queries.overlap_columns(connection))

    def refresh_scores(
        self, rec: ledger.Recorder, initiative: Initiative, row: ReviewSession | None = None
    ) -> list[tuple[int, str, int]] | None:
        """Keep the backlog's score columns equal to the summary of the latest session that scored it.

        ``row`` is the session just scored in: unless a later quarter has scores for this
        initiative (rare), it is the latest, which saves looking it up. Returns the scores of
        ``row`` when it read them (``_score_triples``), else None.
        """
        session = rec.session
        latest = None
        if row is not None:
            later = session.execute(
                select(Score.id)
                .join(ReviewSession, ReviewSession.id == Score.session_id)
                .where(Score.initiative_id == initiative.id, ReviewSession.quarter > row.quarter)
                .limit(1)
            ).first()
            latest = row.id if later is None else None
        if latest is None:
            latest = session.execute(
                select(ReviewSession.id)
                .join(Score, Score.session_id == ReviewSession.id)
                .where(Score.initiative_id == initiative.id)
                .order_by(ReviewSession.quarter.desc())
                .limit(1)
            ).scalar()
        values: dict[str, Any] = {f"score_{c.value.replace('-', '_')}": None for c in Criterion}
        values["score_spread"] = None
        triples = None
        if latest is not None:
            triples = lookup.score_triples(session, latest, initiative.id)
            summary = scoring.summarize((r, Criterion(c), v) for r, c, v in triples)
            for criterion, stats in summary.stats.items():
                values[f"score_{criterion.value.replace('-', '_')}"] = stats.mean
            values["score_spread"] = summary.spread
        rec.update(initiative, **values)
        return triples if row is not None and latest == row.id else None

    def gate_reports(self, session: Session, initiative: Initiative) -> tuple[gate_rules.GateReport, ...]:
        states = {
            c.item_id: c for c in session.scalars(select(GateCheck).where(GateCheck.initiative_id == initiative.id))
        }
        items = []
        for template in lookup.template_rows(session):
            if template.ai_only and not initiative.ai_heavy:
                continue
            check = states.get(template.id)
            items.append(
                gate_rules.CheckItem(
                    item_id=template.id,
                    gate=Gate(template.gate),
                    text=template.text,
                    state=CheckState(check.state) if check else CheckState.PENDING,
                    reason=check.reason if check else "",
                )
            )
        return gate_rules.evaluate(items)

    def refresh_gate(self, rec: ledger.Recorder, initiative: Initiative) -> None:
        reports = self.gate_reports(rec.session, initiative)
        current = gate_rules.current_gate(reports)
        values: dict[str, Any] = {"current_gate": int(current) if current else None}
        if initiative.pilot_approved_on is None and reports[0].passed:
            values["pilot_approved_on"] = self.today()
        rec.update(initiative, **values)

    def refresh_all_gates_without_checks(self, rec: ledger.Recorder) -> None:
        """Initiatives with no checks at all only move if a gate became empty; recompute those cheaply."""
        templates = lookup.template_rows(rec.session)
        empty_gates = [g for g in Gate if not any(t.gate == g and not t.ai_only for t in templates)]
        if not empty_gates:
            return
        for initiative in rec.session.scalars(
            select(Initiative).where(Initiative.current_gate.in_([int(g) for g in empty_gates]))
        ).all():
            self.refresh_gate(rec, initiative)

    def refresh_access(self, rec: ledger.Recorder, initiative: Initiative) -> None:
        today = self.today()
        requests = rec.session.scalars(select(AccessRequest).where(AccessRequest.initiative_id == initiative.id))
        pairs = [
            (
                AccessTier(r.tier),
                access_rules.status(AccessTier(r.tier), lookup.signatures(rec.session, r.id), r.expires_on, today),
            )
            for r in requests
        ]
        tier = access_rules.effective_tier(pairs)
        rec.update(initiative, access_tier=int(tier) if tier else None)

    def rederive(self, rec: ledger.Recorder, initiative_ids: Iterable[int], request_ids: Iterable[int]) -> None:
        """Recompute the columns other rows determine, for the rows an undo touched."""
        session = rec.session
        initiatives = set(initiative_ids)
        for request_id in sorted(set(request_ids)):
            request = session.get(AccessRequest, request_id)
            if request is None:
                continue
            initiatives.add(request.initiative_id)
            signatures = lookup.signatures(session, request.id)
            state = access_rules.status(AccessTier(request.tier), signatures, request.expires_on, self.today())
            conditions = "; ".join(
                s.conditions
                for s in session.scalars(
                    select(AccessSignature)
                    .where(AccessSignature.request_id == request.id, AccessSignature.approve)
                    .order_by(AccessSignature.id)
                )
                if s.conditions
            )
            rec.update(request, status=state.value, conditions=conditions)
        for initiative_id in sorted(initiatives):
            initiative = session.get(Initiative, initiative_id)
            if initiative is None:
                continue
            self.refresh_access(rec, initiative)
            self.refresh_gate(rec, initiative)
            self.refresh_scores(rec, initiative)

    def propose_budget_lines(self, rec: ledger.Recorder, quarter: str) -> int:
        session = rec.session
        have = set(session.execute(select(BudgetLine.initiative_id).where(BudgetLine.quarter == quarter)).scalars())
        live = session.execute(
            select(Initiative.id, Initiative.stage, Initiative.track, Initiative.quarterly_cost).order_by(
                Initiative.key
            )
        ).all()
        proposed = budget_rules.proposed_lines((i, stage, Track(track), cost) for i, stage, track, cost in live)
        added = 0
        for initiative_id, (track, amount) in proposed.items():
            if initiative_id not in have:
                rec.add(BudgetLine(quarter=quarter, initiative_id=initiative_id, track=track.value, amount=amount))
                added += 1
        return added


def as_signer(row: Person) -> access_rules.Person:
    return access_rules.Person(row.id, row.name, BoardRole(row.board_role) if row.board_role else None)

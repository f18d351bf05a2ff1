"""The gate checklists and their templates."""

from __future__ import annotations

from sqlalchemy import func, select

from labreview.domain import gates as gate_rules
from labreview.domain.errors import NotFound, PolicyRefusal
from labreview.domain.fields import (
    LIMITS,
    clean_text,
)
from labreview.domain.vocabulary import (
    CheckState,
    Gate,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.views import (
    ChecklistView,
    TemplateItemView,
)
from labreview.store import rows as lookup
from labreview.store.models import (
    GateCheck,
    GateTemplateItem,
    Initiative,
)


class Gates(Derived):
    """The gate checklists and their templates."""

    def templates(self) -> list[TemplateItemView]:
        with self.read() as session:
            rows = session.scalars(
                select(GateTemplateItem)
                .where(GateTemplateItem.active)
                .order_by(GateTemplateItem.gate, GateTemplateItem.position)
            )
            return [TemplateItemView(r.id, Gate(r.gate), r.position, r.text, r.ai_only) for r in rows]

    def add_template_item(self, gate: Gate | int, text: str, *, ai_only: bool = False) -> TemplateItemView:
        gate = Gate(int(gate))
        text = clean_text(text, what="checklist item", limit=LIMITS["checklist item"], required=True)
        with self.audited("edit gate template") as rec:
            last = rec.session.execute(
                select(func.max(GateTemplateItem.position)).where(GateTemplateItem.gate == int(gate))
            ).scalar_one()
            row = rec.add(GateTemplateItem(gate=int(gate), position=(last or 0) + 1, text=text, ai_only=ai_only))
            rec.summary = f"Added “{text}” to the {gate.label} checklist"
            return TemplateItemView(row.id, gate, row.position, row.text, row.ai_only)

    def rename_template_item(self, item_id: int, text: str) -> TemplateItemView:
        text = clean_text(text, what="checklist item", limit=LIMITS["checklist item"], required=True)
        with self.audited("edit gate template") as rec:
            row = rec.session.get(GateTemplateItem, item_id)
            if row is None or not row.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            old = row.text
            rec.update(row, text=text)
            rec.summary = f"Renamed checklist item “{old}” to “{text}”"
            return TemplateItemView(row.id, Gate(row.gate), row.position, row.text, row.ai_only)

    def retire_template_item(self, item_id: int) -> None:
        with self.audited("edit gate template") as rec:
            row = rec.session.get(GateTemplateItem, item_id)
            if row is None or not row.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            rec.update(row, active=False)
            rec.summary = f"Removed “{row.text}” from the {Gate(row.gate).label} checklist"
            for initiative_id in (
                rec.session.execute(select(GateCheck.initiative_id).where(GateCheck.item_id == item_id)).scalars().all()
            ):
                self.refresh_gate(rec, rec.session.get(Initiative, initiative_id))
            self.refresh_all_gates_without_checks(rec)

    def checklist(self, key: str) -> ChecklistView:
        with self.read() as session:
            return self.checklist_view(session, lookup.initiative(session, key))

    def set_check(self, key: str, item_id: int, state: CheckState | str, reason: str = "") -> ChecklistView:
        """Mark a checklist item met, not met, pending, or waived (a waiver needs a reason)."""
        state = CheckState.parse(state) if isinstance(state, str) else state
        reason = gate_rules.validate_check(state, clean_text(reason, what="reason", limit=LIMITS["check reason"]))
        with self.audited("set gate check") as rec:
            session = rec.session
            initiative = lookup.initiative(session, key)
            item = session.get(GateTemplateItem, item_id)
            if item is None or not item.active:
                raise NotFound(f"There is no checklist item {item_id}.")
            if item.ai_only and not initiative.ai_heavy:
                raise PolicyRefusal(f"“{item.text}” applies to AI-heavy initiatives only; {key} is not one.")
            existing = session.get(GateCheck, (initiative.id, item.id))
            if existing is None:
                rec.add(
                    GateCheck(
                        initiative_id=initiative.id,
                        item_id=item.id,
                        state=state.value,
                        reason=reason,
                        updated_at=self.now(),
                        updated_by=self.actor,
                    )
                )
            else:
                rec.update(existing, state=state.value, reason=reason, updated_at=self.now(), updated_by=self.actor)
            self.refresh_gate(rec, initiative)
            extra = f" — {reason}" if reason else ""
            rec.summary = f"{initiative.key} {Gate(item.gate).label}: “{item.text}” {state.label}{extra}"
            return self.checklist_view(session, initiative)

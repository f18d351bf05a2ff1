"""Gates: the checklist of each gate, its status, and whether promotion may happen.

Gates are taken in order: a gate counts as passed only when every gate before
it has passed, and promotion out of a stage needs the gates that lead to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import CheckState, Gate, GateStatus, Stage

DEFAULT_TEMPLATES: Mapping[Gate, tuple[str, ...]] = {
    Gate.PILOT_APPROVAL: (
        "Clear business objective and question",
        "Low-risk design (sandbox, synthetic or redacted data where possible)",
        "Budget agreed for the test period",
        "Named owner and sponsor",
        "Success criteria pre-registered (baseline, target lift, test period, threshold)",
    ),
    Gate.EVIDENCE_REVIEW: (
        "Results measured against the pre-registered baseline",
        "Target lift reached within the test period",
        "Operational threshold held",
        "Measurement validated by analytics",
        "Learnings written up and shared",
    ),
    Gate.PRODUCTION_READINESS: (
        "Integration stability and integration map",
        "Vendor support quality and SLA",
        "Cost implications and procurement review",
        "Compliance review (security and privacy)",
        "Reporting compatibility",
        "Ownership clarity (support owner named)",
        "Data inputs and outputs documented, field definitions",
        "Error handling and alerting",
        "Consent and deletion workflows",
        "Access controls and audit logs",
        "Training and support plan",
    ),
    Gate.SCALE_MONITORING: (
        "Onboarding and documentation in place",
        "Training delivered",
        "Reporting ownership assigned",
        "Incident response defined",
        "Adoption, reliability and business impact tracked",
        "Renewal and cost checkpoints in the 90-day plan",
    ),
}
"""The checklist templates of DOMAIN.md; the board can edit them."""

PROMOTION_GATES: Mapping[Stage, tuple[Gate, ...]] = {
    Stage.LAB: (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW),
    Stage.TRANSITION: (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW, Gate.PRODUCTION_READINESS),
}
"""The gates that must have passed before an initiative leaves this stage by promotion."""


@dataclass(frozen=True)
class CheckItem:
    """One line of a gate's checklist and its state for one initiative."""

    item_id: int
    gate: Gate
    text: str
    state: CheckState = CheckState.PENDING
    reason: str = ""


def validate_check(state: CheckState, reason: str | None) -> str:
    """A waiver always carries a reason; other states keep none. Returns the reason to store."""
    reason = (reason or "").strip()
    if state is CheckState.WAIVED and not reason:
        raise InvalidInput("A waiver needs a reason: say why this check does not apply.")
    return reason if state is CheckState.WAIVED else ""


def next_state(state: CheckState) -> CheckState:
    """Space cycles pending → met → not met → pending (a waiver goes back to pending)."""
    return {
        CheckState.PENDING: CheckState.MET,
        CheckState.MET: CheckState.NOT_MET,
        CheckState.NOT_MET: CheckState.PENDING,
        CheckState.WAIVED: CheckState.PENDING,
    }[state]


def gate_status(items: Iterable[CheckItem]) -> GateStatus:
    """Not met if any item is not met; pending if any is pending; else met (with waivers)."""
    states = [item.state for item in items]
    if CheckState.NOT_MET in states:
        return GateStatus.NOT_MET
    if CheckState.PENDING in states:
        return GateStatus.PENDING
    if CheckState.WAIVED in states:
        return GateStatus.MET_WITH_WAIVERS
    return GateStatus.MET


@dataclass(frozen=True)
class GateReport:
    """A gate's items, its own status and whether it counts (all earlier gates passed)."""

    gate: Gate
    items: tuple[CheckItem, ...]
    status: GateStatus
    reached: bool

    @property
    def passed(self) -> bool:
        return self.reached and self.status.passed

    def count(self, state: CheckState) -> int:
        return sum(1 for item in self.items if item.state is state)


def evaluate(items: Iterable[CheckItem]) -> tuple[GateReport, ...]:
    """The four gates in order, each with its status; later gates are reached only in order."""
    by_gate: dict[Gate, list[CheckItem]] = {gate: [] for gate in Gate}
    for item in items:
        by_gate[Gate(item.gate)].append(item)
    reports: list[GateReport] = []
    reached = True
    for gate in Gate:
        status = gate_status(by_gate[gate])
        reports.append(GateReport(gate, tuple(by_gate[gate]), status, reached))
        reached = reached and status.passed
    return tuple(reports)


def current_gate(reports: Iterable[GateReport]) -> Gate | None:
    """The first gate not yet passed, or None when all four have passed."""
    for report in reports:
        if not report.passed:
            return report.gate
    return None


def describe(report: GateReport) -> str:
    """Why a gate is not passed, in one sentence."""
    if report.status is GateStatus.NOT_MET:
        failing = [i.text for i in report.items if i.state is CheckState.NOT_MET]
        return f"{report.gate.label} is not met: {_listing(failing)}."
    if report.status is GateStatus.PENDING:
        pending = [i.text for i in report.items if i.state is CheckState.PENDING]
        return f"{report.gate.label} has {len(pending)} open item{'s' * (len(pending) != 1)}: {_listing(pending)}."
    return f"{report.gate.label} is {report.status.label}."


def promotion_refusals(stage: Stage, reports: Iterable[GateReport]) -> list[str]:
    """Reasons promotion out of ``stage`` is refused; empty when it may go ahead."""
    needed = PROMOTION_GATES.get(stage)
    if needed is None:
        return [f"A {stage.label} initiative cannot be promoted."]
    by_gate = {r.gate: r for r in reports}
    return [describe(by_gate[g]) for g in needed if not by_gate[g].status.passed]


def _listing(texts: list[str], limit: int = 3) -> str:
    shown = "; ".join(texts[:limit])
    more = len(texts) - limit
    return shown + (f" and {more} more" if more > 0 else "")

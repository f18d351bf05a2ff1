"""The 90-day stabilisation plan of a tool that reaches the factory (DOMAIN.md, gate 4: scale monitoring).

Promoting an initiative into the factory creates one action item per step of the plan, due so many days after
the decision, owned by the board member in the step's role (else the initiative's owner). The board edits the
template like a gate checklist; it is stored as JSON in the portfolio's settings (``PLAN_SETTING``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from labreview.domain.errors import InvalidInput
from labreview.domain.fields import clean_text
from labreview.domain.vocabulary import BoardRole

PLAN_SETTING = "stabilisation_plan"
"""The setting that holds the plan's template (``format_plan``)."""

MAX_STEPS = 12
MAX_DAYS = 365
TEXT_LIMIT = 200


@dataclass(frozen=True)
class PlanStep:
    """One step: what is done, by how many days after the promotion, by whom (a board role, else the owner)."""

    text: str
    days: int
    role: BoardRole | None = None

    @property
    def label(self) -> str:
        return f"day {self.days}: {self.text}"


DEFAULT_PLAN: tuple[PlanStep, ...] = (
    PlanStep("Onboarding and documentation in place", 30),
    PlanStep("Training delivered to the teams using it", 30),
    PlanStep("Reporting ownership assigned and first report delivered", 60, BoardRole.ANALYTICS_LEAD),
    PlanStep("Incident response defined and rehearsed", 60, BoardRole.MARKETING_OPS),
    PlanStep("Renewal and cost checkpoint: use against licence, cost against plan", 90, BoardRole.FINANCE),
)
"""The plan of the source documents: onboarding and documentation, training, reporting ownership, incident
response, renewal and cost checkpoints, over 30/60/90 days."""

ACTION_PREFIX = "Stabilisation"


def action_text(step: PlanStep) -> str:
    """The action item a step becomes."""
    return f"{ACTION_PREFIX}, day {step.days}: {step.text}"


def check_steps(steps: Iterable[PlanStep | dict]) -> tuple[PlanStep, ...]:
    """Steps as the board typed them, cleaned; a problem is said in words (``InvalidInput``)."""
    out: list[PlanStep] = []
    for number, step in enumerate(steps, start=1):
        if isinstance(step, dict):
            step = PlanStep(step.get("text", ""), step.get("days", 0), step.get("role"))  # type: ignore[arg-type]
        text = clean_text(step.text, what=f"step {number} of the plan", limit=TEXT_LIMIT, required=True)
        days = step.days
        if isinstance(days, bool) or not isinstance(days, int) or not (1 <= days <= MAX_DAYS):
            raise InvalidInput(f"Step {number} of the plan is due 1 to {MAX_DAYS} days after promotion; got {days!r}.")
        role = step.role
        if role is not None and not isinstance(role, BoardRole):
            try:
                role = BoardRole.parse(str(role))
            except InvalidInput as exc:
                raise InvalidInput(f"Step {number} of the plan: {exc.message}") from exc
        out.append(PlanStep(text, days, role))
    if not out:
        raise InvalidInput("A stabilisation plan has at least one step.")
    if len(out) > MAX_STEPS:
        raise InvalidInput(f"A stabilisation plan has at most {MAX_STEPS} steps; got {len(out)}.")
    return tuple(sorted(out, key=lambda s: s.days))


def format_plan(steps: Sequence[PlanStep]) -> str:
    return json.dumps(
        [{"text": s.text, "days": s.days, "role": s.role.value if s.role else None} for s in steps],
        ensure_ascii=False,
    )


def parse_plan(stored: str | None) -> tuple[tuple[PlanStep, ...], str]:
    """The stored template and "" — or the default and why the stored one was not used (edited by hand)."""
    if stored is None:
        return DEFAULT_PLAN, ""
    try:
        raw = json.loads(stored)
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise InvalidInput("it is not a list of steps")
        return check_steps(raw), ""
    except (ValueError, InvalidInput) as exc:
        why = exc.message if isinstance(exc, InvalidInput) else "it is not JSON"
        return DEFAULT_PLAN, f"The stored stabilisation plan is unreadable ({why}); the default plan is used."


def due(decided_on: dt.date, step: PlanStep) -> dt.date:
    return decided_on + dt.timedelta(days=step.days)

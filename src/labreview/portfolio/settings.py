"""The portfolio's settings and the criterion weights."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from fractions import Fraction

from sqlalchemy import func, select

from labreview.domain import budget as budget_rules
from labreview.domain import gates as gate_rules
from labreview.domain import scoring, stabilisation
from labreview.domain.errors import InvalidInput
from labreview.domain.fields import (
    LIMITS,
    clean_text,
)
from labreview.domain.vocabulary import (
    AI_CHECKS,
    DEFAULT_SETTINGS,
    Criterion,
    Gate,
)
from labreview.portfolio.derived import Derived
from labreview.portfolio.unit import WEIGHTS_SETTING
from labreview.portfolio.views import StabilisationPlanView
from labreview.store.models import (
    GateTemplateItem,
    Setting,
)


class Settings(Derived):
    """The portfolio's settings and the criterion weights."""

    def ensure_defaults(self) -> None:
        """Settings and gate templates for a new portfolio (idempotent)."""
        with self.read() as session:
            have_settings = {s.key for s in session.scalars(select(Setting))}
            have_templates = session.execute(select(func.count()).select_from(GateTemplateItem)).scalar_one()
        missing = {k: v for k, v in DEFAULT_SETTINGS.items() if k not in have_settings}
        if not missing and have_templates:
            return
        with self.audited("set up portfolio") as rec:
            rec.summary = "Set up the portfolio with default settings and gate templates"
            for key, value in missing.items():
                rec.add(Setting(key=key, value=value))
            if not have_templates:
                for gate, texts in gate_rules.DEFAULT_TEMPLATES.items():
                    for position, text in enumerate(texts, 1):
                        rec.add(GateTemplateItem(gate=int(gate), position=position, text=text))
                for position, text in enumerate(AI_CHECKS, 100):
                    rec.add(GateTemplateItem(gate=int(Gate.PILOT_APPROVAL), position=position, text=text, ai_only=True))

    def settings(self) -> dict[str, str]:
        with self.read() as session:
            stored = {s.key: s.value for s in session.scalars(select(Setting))}
        return {**DEFAULT_SETTINGS, **stored}

    def stabilisation_plan(self) -> StabilisationPlanView:
        """The template of the 90-day plan that promoting a tool into the factory sets going."""
        with self.read() as session:
            row = session.get(Setting, stabilisation.PLAN_SETTING)
        steps, problem = stabilisation.parse_plan(row.value if row is not None else None)
        return StabilisationPlanView(steps, problem)

    def set_stabilisation_plan(self, steps: Iterable[stabilisation.PlanStep | dict]) -> StabilisationPlanView:
        """Change the plan's template (plans already under way keep their steps)."""
        steps = stabilisation.check_steps(steps)
        value = stabilisation.format_plan(steps)
        with self.audited("set stabilisation plan") as rec:
            rec.summary = f"Set the stabilisation plan ({len(steps)} steps, the last on day {steps[-1].days})"
            row = rec.session.get(Setting, stabilisation.PLAN_SETTING)
            if row is None:
                rec.add(Setting(key=stabilisation.PLAN_SETTING, value=value))
            else:
                rec.update(row, value=value)
        return StabilisationPlanView(steps)

    @property
    def name(self) -> str:
        return self.settings()["name"]

    def set_setting(self, key: str, value: str) -> None:
        if key not in DEFAULT_SETTINGS:
            raise InvalidInput(f"Unknown setting '{key}'; settings are: {', '.join(DEFAULT_SETTINGS)}.")
        value = clean_text(value, what=key, limit=LIMITS["setting"], required=True)
        if key == "target_mix":
            value = str(budget_rules.TargetMix.parse(value))
        if key == "currency" and not re.fullmatch(r"[A-Z]{3}", value):
            raise InvalidInput(f"A currency is a three-letter code such as EUR or USD; got '{value}'.")
        with self.audited("set setting") as rec:
            rec.summary = f"Set {key} to {value}"
            row = rec.session.get(Setting, key)
            if row is None:
                rec.add(Setting(key=key, value=value))
            else:
                rec.update(row, value=value)

    @property
    def weights_override(self) -> dict[Criterion, Fraction] | None:
        """The weights given when opening, if any (they win over the stored ones, for this object only)."""
        return self._weights

    def set_weights(self, weights: Mapping[Criterion | str, object] | str) -> dict[Criterion, Fraction]:
        """The board sets the portfolio's criterion weights (``outcome-impact=2 data-risk=1.5``); audited."""
        if isinstance(weights, str):
            parsed = scoring.parse_weights(weights)
        else:
            parsed = scoring.validate_weights(
                {(Criterion.parse(c) if isinstance(c, str) else c): v for c, v in weights.items()}
            )
        text = scoring.format_weights(parsed)
        with self.audited("set weights") as rec:
            row = rec.session.get(Setting, WEIGHTS_SETTING)
            if row is None:
                rec.add(Setting(key=WEIGHTS_SETTING, value=text))
            else:
                rec.update(row, value=text)
            rec.summary = f"Scoring weights set to {text}"
        return parsed

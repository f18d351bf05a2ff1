"""The vocabulary of DOMAIN.md: enums and small value types.

Every enum's ``value`` is what is stored; ``label`` is what a person reads.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import IntEnum, StrEnum

from labreview.domain.errors import InvalidInput


class _Labelled(StrEnum):
    """A StrEnum whose label is its value with dashes and underscores as spaces."""

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " "))

    @classmethod
    def parse(cls, text: str) -> _Labelled:
        """Read a value or label, ignoring case, spaces, dashes and underscores."""
        wanted = _fold(text)
        for member in cls:
            if wanted in (_fold(member.value), _fold(member.label), _fold(member.name)):
                return member
        choices = ", ".join(m.value for m in cls)
        raise InvalidInput(f"'{text}' is not a {cls.noun()}; choose one of: {choices}.")

    @classmethod
    def noun(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-/]+", "", text.strip().lower())


class Stage(_Labelled):
    LAB = "lab"
    TRANSITION = "transition"
    FACTORY = "factory"
    RETIRED = "retired"


class Category(_Labelled):
    EFFICIENCY = "efficiency"
    PERFORMANCE = "performance"
    CAPABILITY = "capability"
    RISK_MITIGATION = "risk-mitigation"


class Track(_Labelled):
    """Budget track of the 70/20/10 mix."""

    FACTORY = "factory"
    ITERATE = "iterate"
    LAB = "lab"


class DataSensitivity(_Labelled):
    ANONYMOUS = "anonymous"
    PSEUDONYMOUS = "pseudonymous"
    IDENTIFIABLE = "identifiable"


class IntegrationScope(_Labelled):
    ISOLATED = "isolated"
    ONE_WAY_SYNC = "one-way-sync"
    CORE_DEPENDENCY = "core-dependency"


class SuccessMetric(_Labelled):
    EFFICIENCY = "efficiency"
    REVENUE_LIFT = "revenue-lift"
    CONVERSION_RATE = "conversion-rate"
    COST_REDUCTION = "cost-reduction"
    QUALITY_IMPROVEMENT = "quality-improvement"


class Criterion(_Labelled):
    """The five evaluation criteria, in the order they are scored. 5 is always good."""

    OUTCOME_IMPACT = "outcome-impact"
    OPERATIONAL_FIT = "operational-fit"
    INTEGRATION_BURDEN = "integration-burden"
    DATA_RISK = "data-risk"
    ECONOMIC_VALUE = "economic-value"

    @property
    def hint(self) -> str:
        return _CRITERION_HINTS[self]


class Gate(IntEnum):
    """The four gates of the transition roadmap, in the order they are taken."""

    PILOT_APPROVAL = 1
    EVIDENCE_REVIEW = 2
    PRODUCTION_READINESS = 3
    SCALE_MONITORING = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


class CheckState(_Labelled):
    PENDING = "pending"
    MET = "met"
    NOT_MET = "not-met"
    WAIVED = "waived"


class GateStatus(_Labelled):
    PENDING = "pending"
    NOT_MET = "not-met"
    MET = "met"
    MET_WITH_WAIVERS = "met-with-waivers"

    @property
    def passed(self) -> bool:
        return self in (GateStatus.MET, GateStatus.MET_WITH_WAIVERS)


class DecisionOutcome(_Labelled):
    PROMOTE = "promote"
    ITERATE = "iterate"
    KILL = "kill"
    HOLD = "hold"
    RENEW = "renew"
    RETIRE = "retire"
    CONSOLIDATE = "consolidate"


class RightKind(_Labelled):
    """A kind of board decision that a decision right governs (``domain.rights``)."""

    PILOT = "pilot"
    PRODUCTION = "production"
    RENEWAL = "renewal"
    SUNSET = "sunset"


class AccessTier(IntEnum):
    LEVEL_1 = 1
    LEVEL_2 = 2
    LEVEL_3 = 3

    @property
    def label(self) -> str:
        return f"Level {self.value}"

    @property
    def description(self) -> str:
        return _TIER_DESCRIPTIONS[self]

    @classmethod
    def parse(cls, text: str | int) -> AccessTier:
        digits = re.sub(r"\D", "", str(text))
        if digits in ("1", "2", "3"):
            return cls(int(digits))
        raise InvalidInput(f"'{text}' is not an access tier; use 1, 2 or 3.")


class AccessStatus(_Labelled):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Capacity(_Labelled):
    """In which capacity somebody signs an access request."""

    OWNER = "owner"
    PRIVACY = "privacy"
    SECURITY = "security"


class BoardRole(_Labelled):
    SPONSOR = "sponsor"
    INNOVATION_LEAD = "innovation-lead"
    MARTECH_LEAD = "martech-lead"
    MARKETING_OPS = "marketing-ops"
    ANALYTICS_LEAD = "analytics-lead"
    SECURITY_PARTNER = "security-partner"
    PRIVACY_PARTNER = "privacy-partner"
    FINANCE = "finance"


class SessionStatus(_Labelled):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class ActionStatus(_Labelled):
    OPEN = "open"
    DONE = "done"


_LABELS: dict[StrEnum, str] = {
    RightKind.PILOT: "pilot approval",
    RightKind.PRODUCTION: "production sign-off",
    RightKind.RENEWAL: "renewal",
    RightKind.SUNSET: "sunset or retirement",
    Category.RISK_MITIGATION: "risk mitigation",
    DataSensitivity.IDENTIFIABLE: "personally identifiable",
    IntegrationScope.ONE_WAY_SYNC: "one-way sync",
    IntegrationScope.CORE_DEPENDENCY: "core-system dependency",
    SuccessMetric.REVENUE_LIFT: "revenue lift",
    SuccessMetric.CONVERSION_RATE: "conversion rate",
    SuccessMetric.COST_REDUCTION: "cost reduction",
    SuccessMetric.QUALITY_IMPROVEMENT: "quality improvement",
    Criterion.OUTCOME_IMPACT: "outcome impact",
    Criterion.OPERATIONAL_FIT: "operational fit",
    Criterion.INTEGRATION_BURDEN: "integration burden",
    Criterion.DATA_RISK: "data risk",
    Criterion.ECONOMIC_VALUE: "economic value",
    CheckState.NOT_MET: "not met",
    GateStatus.NOT_MET: "not met",
    GateStatus.MET_WITH_WAIVERS: "met with waivers",
    BoardRole.SPONSOR: "CMO / executive sponsor",
    BoardRole.INNOVATION_LEAD: "marketing innovation lead",
    BoardRole.MARTECH_LEAD: "MarTech lead / architect",
    BoardRole.MARKETING_OPS: "marketing operations",
    BoardRole.ANALYTICS_LEAD: "analytics lead",
    BoardRole.SECURITY_PARTNER: "security partner",
    BoardRole.PRIVACY_PARTNER: "privacy partner",
    BoardRole.FINANCE: "finance / procurement",
    Capacity.OWNER: "owner attestation",
    Capacity.PRIVACY: "privacy partner",
    Capacity.SECURITY: "security partner",
}

_CRITERION_HINTS = {
    Criterion.OUTCOME_IMPACT: "Did it improve a business metric that matters?",
    Criterion.OPERATIONAL_FIT: "Can the team realistically support it at scale?",
    Criterion.INTEGRATION_BURDEN: "5 = little hidden complexity elsewhere",
    Criterion.DATA_RISK: "5 = privacy and security profile clearly acceptable",
    Criterion.ECONOMIC_VALUE: "Is the total cost justified by the expected benefit?",
}

_TIER_DESCRIPTIONS = {
    AccessTier.LEVEL_1: "no personal data, aggregate insights only",
    AccessTier.LEVEL_2: "pseudonymous data, restricted export and retention",
    AccessTier.LEVEL_3: "sensitive or directly identifiable data, enhanced review",
}

DEFAULT_SETTINGS: dict[str, str] = {
    "name": "Marketing technology portfolio",
    "currency": "EUR",
    "target_mix": "70/20/10",
}
"""The portfolio's settings (name, currency, target budget mix) when none is stored."""

AI_CHECKS: tuple[str, ...] = (
    "Outputs are auditable",
    "No sensitive customer data in prompts or model training",
    "Humans review customer-facing content",
    "Vendor contractually restricts use of our data",
)
"""The extra scrutiny DOMAIN.md asks of AI-heavy initiatives."""

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written ``YYYY-Qn``."""

    year: int
    q: int

    def __post_init__(self) -> None:
        if not (1 <= self.q <= 4) or not (1900 <= self.year <= 9999):
            raise InvalidInput(f"{self.year}-Q{self.q} is not a quarter; write it like 2026-Q4.")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text or "")
        if not match:
            raise InvalidInput(f"'{text}' is not a quarter; write it like 2026-Q4.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"

    def next(self) -> Quarter:
        return Quarter(self.year + self.q // 4, self.q % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.q == 1), (self.q - 2) % 4 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)


MINOR_PER_UNIT = 100
"""Money is held as integer minor units (cents)."""

_MONEY = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")


_CURRENCY = re.compile(r"^(?:€|\$|£|EUR|USD|GBP)\s*|\s*(?:€|\$|£|EUR|USD|GBP)$", re.IGNORECASE)
_SEPARATOR = re.compile(r"[\s,_']")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[,_']|\s)\d{3})(?:(?P=sep)\d{3})*")
"""Whole units in groups of three, one separator throughout: ``12,500``, ``1 250 000``, ``9'000``."""


def parse_money(text: str) -> int:
    """Read an amount such as ``12,500``, ``12500.50`` or ``€ 9 000`` into minor units.

    Separators between the whole units must group them in threes: ``1,2,3``, ``,5`` or ``1,234,5`` could
    mean several amounts, so they are refused rather than read as 123, 5 or 12,345."""
    body = _CURRENCY.sub("", str(text).strip())
    whole, dot, fraction = body.partition(".")
    if _SEPARATOR.search(whole):
        if not _GROUPED.fullmatch(whole):
            raise InvalidInput(
                f"'{text}' is ambiguous as an amount: separators must group the digits in threes (12,500 or 12500.50)."
            )
        whole = _SEPARATOR.sub("", whole)
    cleaned = whole + dot + fraction
    if not _MONEY.match(cleaned):
        raise InvalidInput(f"'{text}' is not an amount of money; write it like 12500 or 12500.50.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes this
        raise InvalidInput(f"'{text}' is not an amount of money.") from exc
    if amount < 0:
        raise InvalidInput(f"An amount cannot be negative; got {text}.")
    return int(amount * MINOR_PER_UNIT)


def format_money(minor: int, currency: str = "EUR", *, cents: bool = False) -> str:
    """``1234550`` → ``EUR 12,346``; with ``cents`` → ``EUR 12,345.50`` (half up)."""
    value = (Decimal(minor) / MINOR_PER_UNIT).quantize(
        Decimal("0.01") if cents else Decimal("1"), rounding=ROUND_HALF_UP
    )
    return f"{currency} {value:,}".strip()


def money_decimal(minor: int) -> Decimal:
    return Decimal(minor) / MINOR_PER_UNIT

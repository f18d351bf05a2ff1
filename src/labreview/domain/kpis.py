"""The dual dashboards of DOMAIN.md: the lab's and the factory's KPIs per quarter, their targets, and the one
line leadership reads.

Each metric says what it measures (``label``, ``unit``), which side it belongs to (``Side``), which way is
better (``Direction``) and where its number comes from (``Source``):

- **computed** from the portfolio's own history (decisions, pilot approval dates, budget lines), by
  ``compute`` from plain facts (``DecisionFact``, ``PilotFact``, ``BudgetFact``) so that the service layer
  and the minutes' plain-SQL read model give the same numbers;
- **read**: KPI readings recorded by the board or imported (``ReadingFact``): portfolio-wide, or per
  initiative (then a quarter's number is their sum or mean, ``Metric.combine``); a portfolio-wide reading
  wins over per-initiative ones.

Targets are set by the board per metric and stored as JSON in the settings (``TARGETS_SETTING``); a value
edited by hand that does not read is ignored, and said (``parse_targets``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import MINOR_PER_UNIT, DecisionOutcome, Quarter, Stage, Track

TARGETS_SETTING = "kpi_targets"
"""The setting that holds the board's targets: a JSON object, metric key → number as text."""

MAX_VALUE = Decimal("1e12")
PLACES = 3
"""Readings and targets keep at most this many decimals."""


class Side(StrEnum):
    LAB = "lab"
    FACTORY = "factory"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> str:
        return f"{self.value} is better"


class Source(StrEnum):
    COMPUTED = "computed"
    READ = "read"


@dataclass(frozen=True)
class Metric:
    """One KPI."""

    key: str
    label: str
    unit: str
    """``count``, ``days``, ``hours``, ``%`` or ``money`` (whole currency units)."""
    side: Side
    direction: Direction
    source: Source
    description: str
    short: str = ""
    """A label of at most 12 characters, for narrow tables."""
    combine: str = "mean"
    """How per-initiative readings of one quarter make the quarter's number: ``sum`` or ``mean``."""

    def check_value(self, value: Decimal) -> None:
        """Refuse a number this metric cannot take, in words."""
        if value < 0:
            raise InvalidInput(f"{self.label} cannot be negative; got {_plain(value)}.")
        if self.unit == "%" and value > 100:
            raise InvalidInput(f"{self.label} is a percentage, 0 to 100; got {_plain(value)}.")
        if self.unit == "count" and value != value.to_integral_value():
            raise InvalidInput(f"{self.label} is a count, a whole number; got {_plain(value)}.")


_H, _L, _C, _R = Direction.HIGHER, Direction.LOWER, Source.COMPUTED, Source.READ

METRICS: tuple[Metric, ...] = (
    Metric(
        "throughput", "Experiment throughput", "count", Side.LAB, _H, _C,
        "Lab initiatives brought to an evidence decision (promote, iterate or kill) in the quarter's session",
        short="Throughput",
    ),
    Metric(
        "time_to_insight", "Time to insight", "days", Side.LAB, _L, _C,
        "Mean days from pilot approval to the evidence-review decision, over the quarter's decisions",
        short="To insight",
    ),
    Metric(
        "promotion_review", "Pilots reaching promotion review", "%", Side.LAB, _H, _C,
        "Share of the pilots running in the quarter that came to an evidence decision in it", short="Reach review",
    ),
    Metric(
        "success_rate", "Experiment success rate", "%", Side.LAB, _H, _C,
        "Promotions among the lab's evidence decisions of the quarter", short="Success rate",
    ),
    Metric(
        "validated_use_cases", "Validated use cases", "count", Side.LAB, _H, _C,
        "Initiatives promoted out of the lab so far (to the quarter's end)", short="Validated",
    ),
    Metric(
        "lab_cost", "Lab track cost", "money", Side.LAB, _L, _C,
        "The quarter's budget lines on the lab track", short="Lab cost",
    ),
    Metric(
        "adoption", "Adoption", "%", Side.FACTORY, _H, _R,
        "Share of the intended users actively using the factory's tools", short="Adoption",
    ),
    Metric(
        "incidents", "Incident frequency", "count", Side.FACTORY, _L, _R,
        "Production incidents in the quarter", combine="sum", short="Incidents",
    ),
    Metric(
        "resolution_hours", "Incident resolution time", "hours", Side.FACTORY, _L, _R,
        "Mean hours from an incident's report to its resolution", short="Resolution",
    ),
    Metric(
        "deployment_accuracy", "Deployment accuracy", "%", Side.FACTORY, _H, _R,
        "Deployments and campaigns that went out right the first time", short="Accuracy",
    ),
    Metric(
        "cycle_days", "Cycle time", "days", Side.FACTORY, _L, _R,
        "Mean days from a standard request to its delivery", short="Cycle time",
    ),
    Metric(
        "cost_efficiency", "Cost efficiency", "%", Side.FACTORY, _H, _R,
        "Licences and capacity paid for that are in use", short="Efficiency",
    ),
    Metric(
        "uptime", "Uptime", "%", Side.FACTORY, _H, _R,
        "Availability of the production tools over the quarter", short="Uptime",
    ),
    Metric(
        "factory_cost", "Factory and iterate cost", "money", Side.FACTORY, _L, _C,
        "The quarter's budget lines on the factory and iterate tracks", short="Factory cost",
    ),
)  # fmt: skip
"""Every KPI, lab first, in the order the table shows them."""

BY_KEY: Mapping[str, Metric] = {m.key: m for m in METRICS}
READ_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if m.source is Source.READ)

EVIDENCE = frozenset({DecisionOutcome.PROMOTE.value, DecisionOutcome.ITERATE.value, DecisionOutcome.KILL.value})
"""The outcomes of an evidence review of a lab pilot: scale, test again, or stop."""
_LEAVES_LAB = frozenset({DecisionOutcome.PROMOTE.value, DecisionOutcome.KILL.value})


def metric(text: str) -> Metric:
    """A metric by its key or label, ignoring case, spaces, dashes and underscores; refused in words."""
    wanted = _fold(text)
    for m in METRICS:
        if wanted in (_fold(m.key), _fold(m.label)):
            return m
    raise InvalidInput(
        f"'{_short(text)}' is not a KPI; readings are taken for: {', '.join(m.key for m in READ_METRICS)}."
    )


def read_metric(text: str) -> Metric:
    """A metric a reading may be recorded for (not one the portfolio computes)."""
    found = metric(text)
    if found.source is not Source.READ:
        raise InvalidInput(
            f"{found.label} is computed from the portfolio's own history; readings are taken for: "
            f"{', '.join(m.key for m in READ_METRICS)}."
        )
    return found


def parse_value(text: object, what: str = "value") -> Decimal:
    """A number as typed (``97.5``, ``97,5``, ``98 %``); at most three decimals; refused in words."""
    raw = str(text if text is not None else "").strip().removesuffix("%").strip().replace(" ", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"The {what} '{_short(str(text))}' is not a number; write it like 97.5.") from None
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise InvalidInput(f"The {what} '{_short(str(text))}' is not a number this app can keep.")
    if value != value.quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_UP):
        raise InvalidInput(f"The {what} '{_short(str(text))}' has more than {PLACES} decimals.")
    return _normal(value)


def check_reading(metric_text: str, quarter_text: str, value_text: object) -> tuple[Metric, Quarter, Decimal]:
    """One reading as typed, checked: the metric (a read one), the quarter and the value."""
    found = read_metric(metric_text)
    quarter = Quarter.parse(str(quarter_text).strip())
    value = parse_value(value_text)
    found.check_value(value)
    return found, quarter, value


# --- targets -------------------------------------------------------------------------------------------------


def check_targets(targets: Mapping[str, object]) -> dict[str, Decimal]:
    """Targets as the board set them (metric → number; an empty value removes it), checked in words."""
    out: dict[str, Decimal] = {}
    for name, raw in targets.items():
        found = metric(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value = parse_value(raw, f"target of {found.label}")
        found.check_value(value)
        out[found.key] = value
    return {key: out[key] for key in BY_KEY if key in out}


def format_targets(targets: Mapping[str, Decimal]) -> str:
    return json.dumps({key: _plain(value) for key, value in targets.items()}, ensure_ascii=False)


def parse_targets(stored: str | None) -> tuple[dict[str, Decimal], str]:
    """The stored targets and "" — or what of them could be read and why the rest was ignored."""
    if stored is None:
        return {}, ""
    try:
        raw = json.loads(stored)
    except ValueError:
        return {}, "The stored KPI targets are unreadable (they are not JSON); no target is shown."
    if not isinstance(raw, dict):
        return {}, "The stored KPI targets are unreadable (not a list of metric: value); no target is shown."
    good: dict[str, Decimal] = {}
    bad: list[str] = []
    for name, value in raw.items():
        try:
            good.update(check_targets({str(name): value if isinstance(value, str | int) else str(value)}))
        except InvalidInput:
            bad.append(_short(str(name), 30))
    if bad:
        return good, f"The stored KPI targets have unreadable entries ({', '.join(bad)}); those are ignored."
    return good, ""


def met(m: Metric, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether ``value`` reaches ``target`` in ``m``'s direction (None: no value or no target)."""
    if value is None or target is None:
        return None
    return value >= target if m.direction is Direction.HIGHER else value <= target


# --- facts and computation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFact:
    """A decision of a session, with what the KPIs need of it."""

    quarter: str
    held_on: dt.date
    initiative_id: int
    outcome: str
    stage_before: str
    pilot_approved_on: dt.date | None


@dataclass(frozen=True)
class PilotFact:
    """An initiative whose pilot was approved (gate 1 met), and when."""

    initiative_id: int
    approved_on: dt.date


@dataclass(frozen=True)
class BudgetFact:
    quarter: str
    track: str
    amount: int
    """Minor units."""


@dataclass(frozen=True)
class ReadingFact:
    quarter: str
    metric: str
    value: Decimal
    key: str | None = None
    """The initiative's key, or None for a portfolio-wide reading."""


@dataclass(frozen=True)
class Cell:
    """One metric in one quarter."""

    metric: Metric
    quarter: str
    value: Decimal | None
    target: Decimal | None
    basis: str = ""
    """What the number rests on, in words ("2 of 5 pilots", "3 readings")."""

    @property
    def met(self) -> bool | None:
        return met(self.metric, self.value, self.target)


@dataclass(frozen=True)
class KpiTable:
    """Every metric in every quarter asked for (oldest first)."""

    quarters: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell] = field(default_factory=dict)
    targets: Mapping[str, Decimal] = field(default_factory=dict)

    def cell(self, key: str, quarter: str) -> Cell:
        return self.cells[(key, quarter)]

    def side(self, side: Side) -> tuple[Metric, ...]:
        return tuple(m for m in METRICS if m.side is side)

    def series(self, key: str) -> list[Decimal | None]:
        return [self.cells[(key, q)].value for q in self.quarters]


def compute(
    quarters: Sequence[str],
    decisions: Iterable[DecisionFact],
    pilots: Iterable[PilotFact],
    budget: Iterable[BudgetFact],
    readings: Iterable[ReadingFact],
    targets: Mapping[str, Decimal] | None = None,
) -> KpiTable:
    """The KPI table of ``quarters`` from the portfolio's facts."""
    targets = dict(targets or {})
    decisions = sorted(decisions, key=lambda d: (d.held_on, d.initiative_id))
    pilots = list(pilots)
    budget = list(budget)
    readings = list(readings)
    cells: dict[tuple[str, str], Cell] = {}
    for quarter in quarters:
        values = _computed(Quarter.parse(quarter), decisions, pilots, budget)
        values.update(_read(quarter, readings))
        for m in METRICS:
            value, basis = values.get(m.key, (None, ""))
            cells[(m.key, quarter)] = Cell(m, quarter, value, targets.get(m.key), basis)
    return KpiTable(tuple(quarters), cells, targets)


def _computed(
    quarter: Quarter, decisions: Sequence[DecisionFact], pilots: Sequence[PilotFact], budget: Sequence[BudgetFact]
) -> dict[str, tuple[Decimal | None, str]]:
    name = str(quarter)
    lab = [d for d in decisions if d.stage_before == Stage.LAB.value]
    evidence = [d for d in lab if d.quarter == name and d.outcome in EVIDENCE]
    out: dict[str, tuple[Decimal | None, str]] = {}
    out["throughput"] = (Decimal(len(evidence)), _count(len(evidence), "decision"))
    waits = [
        (d.held_on - d.pilot_approved_on).days
        for d in evidence
        if d.pilot_approved_on is not None and d.pilot_approved_on <= d.held_on
    ]
    out["time_to_insight"] = (
        (_round(Decimal(sum(waits)) / len(waits)), _count(len(waits), "pilot")) if waits else (None, "no pilot decided")
    )
    left_before = {d.initiative_id for d in lab if d.outcome in _LEAVES_LAB and d.held_on < quarter.first_day}
    running = {p.initiative_id for p in pilots if p.approved_on <= quarter.last_day} - left_before
    reviewed = {d.initiative_id for d in evidence} & running
    out["promotion_review"] = (
        (_round(Decimal(100 * len(reviewed)) / len(running)), f"{len(reviewed)} of {len(running)} pilots")
        if running
        else (None, "no pilot running")
    )
    promoted = [d for d in evidence if d.outcome == DecisionOutcome.PROMOTE.value]
    out["success_rate"] = (
        (_round(Decimal(100 * len(promoted)) / len(evidence)), f"{len(promoted)} of {len(evidence)} decided")
        if evidence
        else (None, "no pilot decided")
    )
    validated = {
        d.initiative_id for d in lab if d.outcome == DecisionOutcome.PROMOTE.value and d.held_on <= quarter.last_day
    }
    out["validated_use_cases"] = (Decimal(len(validated)), "so far")
    lines = [b for b in budget if b.quarter == name]
    lab_cost = sum(b.amount for b in lines if b.track == Track.LAB.value)
    factory_cost = sum(b.amount for b in lines if b.track != Track.LAB.value)
    out["lab_cost"] = (
        (_money(lab_cost), _count(sum(b.track == Track.LAB.value for b in lines), "line"))
        if lines
        else (
            None,
            "no budget lines",
        )
    )
    out["factory_cost"] = (
        (_money(factory_cost), _count(sum(b.track != Track.LAB.value for b in lines), "line"))
        if lines
        else (None, "no budget lines")
    )
    return out


def _read(quarter: str, readings: Sequence[ReadingFact]) -> dict[str, tuple[Decimal | None, str]]:
    out: dict[str, tuple[Decimal | None, str]] = {}
    for m in READ_METRICS:
        these = [r for r in readings if r.quarter == quarter and r.metric == m.key]
        wide = [r for r in these if r.key is None]
        if wide:
            out[m.key] = (wide[-1].value, "portfolio-wide")
        elif these:
            values = [r.value for r in these]
            total = sum(values, Decimal(0))
            value = total if m.combine == "sum" else _round(total / len(values))
            out[m.key] = (_normal(value), _count(len(values), "tool"))
    return out


# --- words ---------------------------------------------------------------------------------------------------


def format_value(m: Metric, value: Decimal | None, currency: str = "") -> str:
    """A metric's number as the table shows it ("97.5 %", "EUR 12,400", "42 d", "—")."""
    if value is None:
        return "—"
    if m.unit == "money":
        whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{currency} {whole:,}".strip()
    text = _plain(_round(value))
    return {"%": f"{text} %", "days": f"{text} d", "hours": f"{text} h"}.get(m.unit, text)


def leadership(table: KpiTable, quarter: str) -> str:
    """One line from the quarter's numbers: are we learning fast enough, scaling only what works, and
    keeping the factory reliable?"""

    def value(key: str) -> Decimal | None:
        return table.cell(key, quarter).value

    parts: list[str] = []
    throughput, insight = value("throughput"), value("time_to_insight")
    if throughput is None or throughput == 0:
        parts.append("Learning: no pilot decided yet")
    else:
        fast = table.cell("time_to_insight", quarter).met
        speed = f", {format_value(BY_KEY['time_to_insight'], insight)} to insight" if insight is not None else ""
        verdict = {True: " fast enough", False: " too slow", None: " (no target)"}[fast]
        parts.append(f"Learning{verdict}: {_count(int(throughput), 'pilot')} decided{speed}")
    success = value("success_rate")
    factory = [table.cell(m.key, quarter) for m in table.side(Side.FACTORY) if m.source is Source.READ]
    judged = [c for c in factory if c.met is not None]
    reliable = sum(bool(c.met) for c in judged)
    if success is None:
        parts.append("scaling: nothing promoted or stopped yet")
    else:
        parts.append(f"scaling {format_value(BY_KEY['success_rate'], success)} of the decided pilots")
    if judged:
        word = "holds" if reliable == len(judged) else "falls short"
        parts.append(f"factory {word}: {reliable} of {len(judged)} targets met")
    elif any(c.value is not None for c in factory):
        parts.append("factory: no targets set")
    else:
        parts.append("factory: no readings")
    lab, rest = value("lab_cost"), value("factory_cost")
    if lab is not None and rest is not None and lab + rest > 0:
        parts.append(f"lab {_plain(_round(100 * lab / (lab + rest)))} % of spend")
    return "; ".join(parts) + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _round(value: Decimal) -> Decimal:
    return _normal(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _money(minor: int) -> Decimal:
    return _normal(Decimal(minor) / MINOR_PER_UNIT)


def _normal(value: Decimal) -> Decimal:
    """``97.50`` → ``97.5``, ``1E+2`` → ``100``: one spelling per number."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _plain(value: Decimal) -> str:
    return f"{_normal(value):f}"


def _fold(text: str) -> str:
    return "".join(ch for ch in str(text).strip().lower() if ch.isalnum())


def _short(text: str, limit: int = 40) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"

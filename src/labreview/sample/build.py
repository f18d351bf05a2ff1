"""Building the sample portfolio (``sample.data``) through the service layer, deterministically.

A fictional retailer's marketing-technology portfolio: a board covering every
role, about forty initiatives across every stage and category, three past
quarterly reviews (2026-Q1 to Q3) with scores, decisions and action items, access
requests in every tier and state, six quarters of budget lines whose mix has
drifted from 70/20/10, and the 2026-Q4 review planned with its agenda.

Everything goes through the service layer, so the sample obeys the same rules
and carries the same audit trail as real use. Regenerate with
``python -m labreview.sample data/sample.db``; a test fails when the committed
file differs from what this module produces.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import sys
from pathlib import Path

from labreview.domain.vocabulary import CheckState, Criterion, Gate, Quarter
from labreview.portfolio import NewActionItem, Portfolio
from labreview.sample.data import (
    ACTIONS,
    ACTOR,
    BOARD,
    BUDGET_QUARTERS,
    DECISION_RIGHTS,
    KPI_READINGS,
    KPI_TARGETS,
    OWNERS,
    SEED,
    SESSIONS,
    SPECS,
    WAIVERS,
    Spec,
)


class Clock:
    """A clock the generator sets; every reading advances it by a second to keep events ordered."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def set(self, day: dt.date, hour: int = 9) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def generate(target: str | Path) -> Path:
    """Write the sample portfolio to ``target`` (which must not exist) and return its path."""
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; remove it first")
    rng = random.Random(SEED)
    clock = Clock(dt.datetime(2025, 7, 1, 9, tzinfo=dt.UTC))
    portfolio = Portfolio.open(target, create=True, actor=ACTOR, clock=clock)
    try:
        _build(portfolio, clock, rng)
    finally:
        portfolio.close()
    _compact(target)
    return target


def _build(p: Portfolio, clock: Clock, rng: random.Random) -> None:
    p.set_setting("name", "Northwind Retail — marketing technology")
    p.set_setting("currency", "EUR")
    for name, role, email in BOARD:
        p.add_person(name, role, email)
    for name, email in OWNERS:
        p.add_person(name, None, email)
    templates = p.templates()
    by_gate = {gate: [t for t in templates if t.gate is gate] for gate in Gate}

    def check_gate(key: str, gate: Gate, *, leave_open: int = 0, ai: bool = False, waive: bool = False) -> None:
        items = [t for t in by_gate[gate] if ai or not t.ai_only]
        for index, item in enumerate(items):
            if index >= len(items) - leave_open:
                break
            if waive and item.text in WAIVERS:
                p.set_check(key, item.id, CheckState.WAIVED, WAIVERS[item.text])
            else:
                p.set_check(key, item.id, CheckState.MET)

    created: set[str] = set()

    def create_due(quarter: str) -> None:
        for spec in SPECS:
            if spec.start <= quarter and spec.key not in created:
                clock.set(Quarter.parse(spec.start).first_day + dt.timedelta(days=5))
                p.create_initiative(
                    spec.key,
                    spec.title,
                    stage=spec.stage,
                    category=spec.category,
                    owner=spec.owner,
                    track=spec.track,
                    sponsor=spec.sponsor,
                    vendor=spec.vendor,
                    quarterly_cost=spec.cost * 100,
                    renewal_date=spec.renewal,
                    ai_heavy=spec.ai,
                    description=spec.objective,
                    baseline=spec.baseline,
                    target_lift=spec.target,
                    test_period=spec.period,
                    operational_threshold=spec.threshold,
                    intake={
                        "business_objective": spec.objective,
                        "user_group": spec.users,
                        "data_sensitivity": spec.sensitivity,
                        "integration_scope": spec.scope,
                        "success_metric": spec.metric,
                        "exit_plan": spec.exit_plan,
                    },
                )
                created.add(spec.key)
                if spec.stage == "factory":
                    for gate in (Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW, Gate.PRODUCTION_READINESS):
                        check_gate(spec.key, gate, ai=spec.ai, waive=spec.key in ("FAC-009", "FAC-013"))
                    check_gate(spec.key, Gate.SCALE_MONITORING, leave_open=rng.choice((0, 1, 2)), ai=spec.ai)
                elif spec.baseline:  # pilots with pre-registered criteria are approved to run
                    check_gate(spec.key, Gate.PILOT_APPROVAL, ai=spec.ai)
                else:
                    check_gate(spec.key, Gate.PILOT_APPROVAL, leave_open=3, ai=spec.ai)

    def budget(quarter: str) -> None:
        clock.set(Quarter.parse(quarter).first_day + dt.timedelta(days=10))
        for spec in SPECS:
            if spec.key not in created:
                continue
            view = p.initiative(spec.key)
            if view.stage.value == "retired":
                continue
            drift = 1 + (BUDGET_QUARTERS.index(quarter) * (0.04 if view.track.value == "lab" else 0.01))
            p.set_budget_line(quarter, spec.key, int(spec.cost * drift) * 100)

    for quarter in BUDGET_QUARTERS[:2]:
        create_due(quarter)
        budget(quarter)

    _access_requests_early(p, clock)

    for quarter, (held_on, facilitator, attendees) in SESSIONS.items():
        create_due(quarter)
        budget(quarter)
        clock.set(held_on - dt.timedelta(days=14))
        p.create_session(quarter, held_on=held_on, facilitator=facilitator, attendees=attendees)
        _kpis(p, quarter)
        if quarter == "2026-Q3":
            for kind, role, limit in DECISION_RIGHTS:
                p.grant_decision_right(kind, role=role, cost_limit=limit)
        agenda = [s for s in SPECS if quarter in s.story or quarter in s.agenda]
        for spec in agenda:
            p.toggle_agenda(quarter, spec.key)
        if quarter == "2026-Q4":
            _prepare_q4(p, clock, check_gate)
            break
        _prepare_promotions(p, quarter, check_gate)
        clock.set(held_on, hour=13)
        p.start_session(quarter)
        _sign_in_session(p, quarter)
        reviewers = [n for n in attendees if n not in ("Sam Okafor", "Joel Berg")]
        for spec in agenda:
            _score(p, rng, quarter, spec, reviewers)
            p.add_time(quarter, spec.key, rng.randint(240, 720))
            if quarter in spec.story:
                _decide(p, quarter, spec, held_on)
        clock.set(held_on, hour=16)
        p.end_session(quarter)
        _close_old_actions(p, clock, held_on)


def _prepare_promotions(p: Portfolio, quarter: str, check_gate) -> None:
    for spec in SPECS:
        outcome = spec.story.get(quarter, ("", ""))[0]
        if outcome != "promote":
            continue
        stage = p.initiative(spec.key).stage.value
        if stage == "lab":
            check_gate(spec.key, Gate.EVIDENCE_REVIEW, ai=spec.ai, waive=spec.key == "EXP-117")
        elif stage == "transition":
            check_gate(spec.key, Gate.PRODUCTION_READINESS, ai=spec.ai, waive=spec.key == "EXP-110")


def _score(p: Portfolio, rng: random.Random, quarter: str, spec: Spec, reviewers: list[str]) -> None:
    contested = rng.random() < 0.3
    for reviewer in reviewers:
        for index, criterion in enumerate(Criterion):
            base = spec.quality + rng.uniform(-0.8, 0.8)
            if contested and index == 1:
                base += 1.6 if reviewer in ("Lena Fischer", "Ravi Menon") else -1.2
            p.record_score(quarter, spec.key, reviewer, criterion, max(1, min(5, round(base))))


def _decide(p: Portfolio, quarter: str, spec: Spec, held_on: dt.date) -> None:
    outcome, rationale = spec.story[quarter]
    text, days = ACTIONS[outcome]
    owner = p.person(spec.owner)
    conditions = {
        "promote": "Production readiness reviewed by security and privacy before go-live",
        "renew": "Renewal capped at current cost plus 3 %",
        "iterate": "Same budget; report at the next review",
    }.get(outcome, "")
    need = p.sign_off(quarter, spec.key, outcome)  # from 2026-Q3 on, the decision rights apply
    p.record_decision(
        quarter,
        spec.key,
        outcome,
        rationale=rationale,
        conditions=conditions,
        next_review=held_on + dt.timedelta(days=91) if outcome in ("iterate", "hold", "promote", "renew") else None,
        action_items=[NewActionItem(text, owner.id, held_on + dt.timedelta(days=days))],
        signed_off_by=need.eligible[0].id if need.needed else None,
    )


def _close_old_actions(p: Portfolio, clock: Clock, held_on: dt.date) -> None:
    """Most actions from earlier sessions get done; a few stay open to show up in the minutes."""
    clock.set(held_on + dt.timedelta(days=30))
    for item in p.action_items():
        if item.status == "open" and item.due < held_on + dt.timedelta(days=30) and item.id % 3 != 0:
            p.complete_action_item(item.id)


def _access_requests_early(p: Portfolio, clock: Clock) -> None:
    """Requests signed outside sessions in 2025: an approval that has expired since, and Level 1 attestations."""
    clock.set(dt.date(2025, 10, 20))
    expired = p.request_access(
        "EXP-120",
        tier=3,
        data_description="Device IDs of opted-in app users in pilot stores",
        retention_days=90,
        expires_on=dt.date(2026, 3, 31),
    )
    p.sign_access(expired.id, "Priya Raman", conditions="Pilot stores only; purge after the test")
    p.sign_access(expired.id, "Sam Okafor", conditions="Devices hashed at collection")
    for key in ("EXP-103", "EXP-106"):
        request = p.request_access(
            key,
            tier=1,
            data_description="Aggregate engagement by content type",
            retention_days=365,
            expires_on=dt.date(2026, 10, 31),
            export_allowed=True,
        )
        p.sign_access(request.id, p.initiative(key).owner.name)


def _sign_in_session(p: Portfolio, quarter: str) -> None:
    if quarter == "2026-Q1":
        request = p.request_access(
            "EXP-102",
            tier=2,
            data_description="Pseudonymous subscription and browsing events",
            retention_days=180,
            expires_on=dt.date(2027, 1, 31),
        )
        p.sign_access(
            request.id, "Priya Raman", conditions="No export outside the analytics workspace", quarter=quarter
        )
        request = p.request_access(
            "EXP-117",
            tier=3,
            data_description="Loyalty members' purchase history with email",
            retention_days=365,
            expires_on=dt.date(2027, 2, 28),
        )
        p.sign_access(request.id, "Priya Raman", conditions="Opted-out members excluded at source", quarter=quarter)
        p.sign_access(request.id, "Sam Okafor", conditions="Access through the clean room only", quarter=quarter)
    elif quarter == "2026-Q2":
        request = p.request_access(
            "EXP-107",
            tier=3,
            data_description="Chat transcripts with order numbers",
            retention_days=30,
            expires_on=dt.date(2026, 8, 31),
        )
        p.sign_access(
            request.id,
            "Sam Okafor",
            approve=False,
            quarter=quarter,
            conditions="Transcripts leave the EU through the vendor's sub-processor",
        )
        request = p.request_access(
            "EXP-118",
            tier=3,
            data_description="Hashed emails matched in the clean room",
            retention_days=180,
            expires_on=dt.date(2027, 5, 31),
        )
        p.sign_access(request.id, "Priya Raman", conditions="Aggregates of 50 or more only", quarter=quarter)
        p.sign_access(request.id, "Sam Okafor", quarter=quarter)
    elif quarter == "2026-Q3":
        request = p.request_access(
            "EXP-108",
            tier=3,
            data_description="Trade-account contacts and order history",
            retention_days=120,
            expires_on=dt.date(2027, 6, 30),
        )
        p.sign_access(
            request.id, "Joel Berg", conditions="Business contacts only; no consumer records", quarter=quarter
        )
        request = p.request_access(
            "EXP-101",
            tier=2,
            data_description="Pseudonymous open and click events",
            retention_days=90,
            expires_on=dt.date(2027, 3, 31),
        )
        p.sign_access(request.id, "Priya Raman", quarter=quarter)


def _kpis(p: Portfolio, quarter: str) -> None:
    """The board's KPI targets (once) and the readings of the quarter, recorded as the review is planned."""
    if quarter == min(KPI_READINGS):
        p.set_kpi_targets(KPI_TARGETS)
    wide, incidents = KPI_READINGS.get(quarter, ({}, {}))
    for metric, value in wide.items():
        p.record_kpi_reading(quarter, metric, value)
    for key, value in incidents.items():
        p.record_kpi_reading(quarter, "incidents", value, key=key)


def _prepare_q4(p: Portfolio, clock: Clock, check_gate) -> None:
    """The 2026-Q4 review is planned: requests waiting for the board, gates in various states."""
    clock.set(dt.date(2026, 11, 16))
    # The stabilisation plan of the tool promoted into the factory in 2026-Q3 is under way: the steps due by
    # now are done but the incident response, which the board will see overdue.
    for item in p.action_items():
        if item.plan_days is not None and item.due < dt.date(2026, 11, 16) and "Incident" not in item.text:
            p.complete_action_item(item.id)
    p.request_access(
        "EXP-112",
        tier=3,
        data_description="Customer phone numbers and order status",
        retention_days=60,
        expires_on=dt.date(2027, 5, 31),
    )
    p.request_access(
        "EXP-109",
        tier=1,
        data_description="Aggregate survey benchmarks only",
        retention_days=365,
        expires_on=dt.date(2027, 11, 30),
        export_allowed=True,
    )
    p.request_access(
        "EXP-104",
        tier=2,
        data_description="Pseudonymous onsite ad impressions and orders",
        retention_days=180,
        expires_on=dt.date(2027, 6, 30),
    )
    p.request_access(
        "EXP-111",
        tier=1,
        data_description="Aggregate sell-through by SKU and store",
        retention_days=365,
        expires_on=dt.date(2027, 11, 30),
        export_allowed=True,
    )
    # EXP-119 and EXP-121 are ready for production; EXP-118 still has open readiness items.
    check_gate("EXP-119", Gate.PRODUCTION_READINESS)
    check_gate("EXP-121", Gate.PRODUCTION_READINESS, ai=True)
    check_gate("EXP-118", Gate.PRODUCTION_READINESS, leave_open=4)
    check_gate("EXP-102", Gate.EVIDENCE_REVIEW, leave_open=2, ai=True)
    check_gate("EXP-114", Gate.PRODUCTION_READINESS, leave_open=1)
    templates = [t for t in p.templates() if t.gate is Gate.EVIDENCE_REVIEW]
    p.set_check("EXP-105", templates[1].id, CheckState.NOT_MET)
    p.set_check("EXP-105", templates[0].id, CheckState.MET)
    p.set_success_criterion(
        "EXP-105",
        "target_lift",
        "Incremental ROAS measured ±25 %",
        reason="Panel vendor could only match 35 % of households; agreed wider interval",
        quarter="2026-Q4",
    )
    clock.set(dt.date(2026, 11, 20))


def _compact(path: Path) -> None:
    """One self-contained file: no WAL beside it, no free pages."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    finally:
        connection.close()


def dump(path: str | Path) -> list[str]:
    """The database's content as SQL statements, for comparing two generations."""
    connection = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m labreview.sample OUTPUT.db", file=sys.stderr)
        return 2
    out = Path(args[0])
    tmp = out.with_name(out.name + ".new")
    tmp.unlink(missing_ok=True)
    generate(tmp)
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

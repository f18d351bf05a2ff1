"""A year of quarterly reviews on a real portfolio, from `labreview init` (not the sample).

The board is added and the backlog imported on the command line; four sessions are planned
(CLI, the app's plan dialog, the service, the CLI again), held (started with `S` in the app or
on the CLI, scored on the app's scorecard and through the service, every outcome decided,
items left unreached), ended, and the next one planned. Each quarter's agenda, carry-over,
budget mix and minutes are checked; the test prints the budget mixes and carried items.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from labreview.cli import main
from labreview.config import Config
from labreview.domain.vocabulary import CheckState, Gate, Track
from labreview.portfolio import Portfolio
from labreview.ui.app import make_app
from labreview.ui.dialogs.plan_session import PlanSessionDialog
from tests.backends import BACKEND
from tests.ui.conftest import ready, settle

BOARD = [
    ("Kim Novak", "innovation-lead"),
    ("Lee Park", "sponsor"),
    ("Mia Chen", "martech-lead"),
    ("Ola Berg", "marketing-ops"),
    ("Raj Iyer", "analytics-lead"),
    ("Sam Okafor", "security-partner"),
    ("Pia Roth", "privacy-partner"),
    ("Fay Dunn", "finance"),
]
BACKLOG = """key,title,stage,category,track,owner,quarterly_cost,renewal_date
LAB-101,Churn prediction,lab,capability,,Raj Iyer,10000,
LAB-102,Subject line generator,lab,efficiency,,Mia Chen,8000,
LAB-103,Retail media test,lab,performance,,Lee Park,6000,
LAB-104,Store clienteling,lab,efficiency,,Ola Berg,5000,
ITR-201,Send-time optimisation v2,lab,performance,iterate,Ola Berg,20000,
FAC-301,Email service provider,factory,capability,,Ola Berg,70000,2027-05-15
FAC-302,Survey platform,factory,efficiency,,Raj Iyer,40000,2027-12-31
FAC-303,Legacy tag manager,factory,capability,,Mia Chen,30000,2028-06-30
"""
ATTENDEES = ["Kim Novak", "Lee Park", "Mia Chen", "Ola Berg", "Sam Okafor", "Pia Roth", "Fay Dunn"]
SIZE = (100, 32)


class Calendar:
    """The clock of the year: set to each session's day, ticking a second per reading."""

    def __init__(self) -> None:
        self.now = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)

    def set(self, day: dt.date, hour: int = 9) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


def cli(*args: str) -> None:
    assert main(list(args)) == 0, args


def mix_of(p: Portfolio, quarter: str) -> dict[str, int]:
    view = p.budget(quarter)
    return {track.value: view.mix.amount(track) // 100 for track in Track}


def carried(p: Portfolio, quarter: str) -> list[tuple[str, str]]:
    return [(e.key, e.carried_reason) for e in p.session(quarter).agenda if e.carried_reason]


def approve_gates(p: Portfolio, key: str, *gates: Gate) -> None:
    for item in p.templates():
        if item.gate in gates and not item.ai_only:
            p.set_check(key, item.id, CheckState.MET)


def score_all(p: Portfolio, quarter: str, key: str, reviewers: list[str], value: int) -> None:
    for reviewer in reviewers:
        for criterion in ("outcome-impact", "operational-fit", "integration-burden", "data-risk", "economic-value"):
            p.record_score(quarter, key, reviewer, criterion, value)


async def test_a_year_of_reviews_from_init(tmp_path, monkeypatch, capsys, request):
    # A new file, or an empty database on the PostgreSQL test server: `labreview init` sets up either.
    db = str(tmp_path / "portfolio.db") if BACKEND == "sqlite" else request.getfixturevalue("pg_empty_url")
    monkeypatch.setenv("LABREVIEW_CONFIG", str(tmp_path / "config.toml"))  # no personal config
    calendar = Calendar()
    # The CLI's portfolios read the calendar too (the clock is a keyword default of Portfolio).
    monkeypatch.setitem(Portfolio.__init__.__kwdefaults__, "clock", calendar)
    report: list[str] = []

    # ---------------------------------------------------------------- set up on the command line
    cli("init", "--db", db)
    for name, role in BOARD:
        cli("board", "add", name, "--role", role, "--db", db)
    (tmp_path / "backlog.csv").write_text(BACKLOG, encoding="utf-8")
    cli("import", str(tmp_path / "backlog.csv"), "--db", db)
    cli("weights", "set", "outcome-impact=2", "economic-value=1.5", "--as", "Lee Park", "--db", db)
    cli("budget", "envelope", "2027-Q1", "--total", "200000", "--lab", "30000", "--as", "Fay Dunn", "--db", db)
    p = Portfolio.open(db, actor=None, clock=calendar)
    first = [(e.actor, e.summary) for e in reversed(p.audit_log(limit=100))]
    assert first[0][0] == "labreview init" and all(actor != "root" for actor, _s in first)
    assert ("Lee Park", "Scoring weights set to outcome-impact=2 operational-fit=1 integration-burden=1 "
            "data-risk=1 economic-value=1.5") in first  # fmt: skip

    # ---------------------------------------------------------------- 2027-Q1: planned on the CLI, held in the app
    calendar.set(dt.date(2027, 2, 3))
    cli("session", "plan", "2027-Q1", "--date", "2027-02-17", "--facilitator", "Kim Novak",
        *[arg for name in ATTENDEES[:-1] for arg in ("--attendee", name)], "--db", db)  # fmt: skip
    assert "FAC-301 Email service provider — contract renews 2027-05-15" in capsys.readouterr().out
    assert carried(p, "2027-Q1") == [("FAC-301", "contract renews 2027-05-15")]
    assert mix_of(p, "2027-Q1") == {"factory": 140_000, "iterate": 20_000, "lab": 29_000}
    for key in ("LAB-101", "LAB-102", "LAB-103", "ITR-201"):
        p.toggle_agenda("2027-Q1", key)
    assert p.audit_log(limit=1)[0].actor == "Kim Novak"  # the planned session's facilitator, not the login
    calendar.set(dt.date(2027, 2, 17), hour=13)
    app = make_app(db, config=Config(path=tmp_path / "config.toml"), clock=calendar)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("S")
        await settle(pilot)
        assert app.session.status.value == "open" and app.session.started_at.date() == dt.date(2027, 2, 17)
        await pilot.press("s", "5", "4", "4", "5", "3")  # Kim Novak scores FAC-301 on the scorecard
        await settle(pilot)
        sheet = app.portfolio.score_sheet("2027-Q1", "FAC-301")
        assert sheet.summary.reviewers == 1 and sheet.weights_note.startswith("weights outcome-impact ×2")
        app.edit_attendance()  # Fay Dunn arrives late
        await settle(pilot)
        await pilot.press("home", "space", "escape")  # Fay Dunn is first by name
        await settle(pilot)
        assert "Fay Dunn" in [a.name for a in app.session.attendees]
    calendar.set(dt.date(2027, 2, 17), hour=14)
    score_all(p, "2027-Q1", "LAB-101", ["Fay Dunn", "Lee Park"], 4)
    p.record_decision("2027-Q1", "FAC-301", "renew", rationale="Deliverability holds", next_review=dt.date(2028, 2, 1))
    p.record_decision("2027-Q1", "LAB-101", "iterate", rationale="Promising", next_review=dt.date(2027, 5, 20))
    p.record_decision("2027-Q1", "LAB-102", "kill", rationale="No lift; brand risk")
    p.record_decision("2027-Q1", "LAB-103", "hold", rationale="Waiting for the retail partner")
    calendar.set(dt.date(2027, 2, 17), hour=15)
    cli("session", "end", "2027-Q1", "--db", db)  # ITR-201 is not reached
    assert p.audit_log(limit=1)[0].actor == "Kim Novak"
    text = p_minutes(db, "2027-Q1", capsys)
    assert "Held on 2027-02-17 from 13:00 to 15:00 UTC." in text
    assert "- FAC-301 — Email service provider: contract renews 2027-05-15" in text
    assert "- ITR-201 — Send-time optimisation v2 (not discussed)" in text
    assert "headroom EUR 11,000 (lab EUR 1,000, operations EUR 10,000)" in text
    assert "Changed by: root" not in text
    report.append(f"2027-Q1 mix {mix_of(p, '2027-Q1')} carried {carried(p, '2027-Q1')}")

    # ---------------------------------------------------------------- 2027-Q2: planned in the app's dialog
    calendar.set(dt.date(2027, 4, 20))
    app = make_app(db, config=Config(path=tmp_path / "config.toml"), clock=calendar)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.plan_next_session()  # the palette's "session: plan next"
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PlanSessionDialog) and dialog.quarter == "2027-Q2"
        dialog.query_one("#date").value = "2027-05-19"
        await pilot.press("tab", "down")  # facilitator: Kim Novak → the next one in the list
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.quarter == "2027-Q2" and app.session.status.value == "planned"
        planned = app.portfolio.session("2027-Q2")
        assert planned.facilitator.name != "Kim Novak" and len(planned.attendees) == len(ATTENDEES)
    q2_lead = planned.facilitator.name
    assert carried(p, "2027-Q2") == [
        ("LAB-101", "carried from 2027-Q1: decided iterate; next review 2027-05-20 (set in 2027-Q1)"),
        ("LAB-103", "carried from 2027-Q1: decided hold"),
        ("ITR-201", "carried from 2027-Q1: not reached"),
    ]  # FAC-301's renewal on 2027-05-15 was settled by the renew decision in 2027-Q1
    assert mix_of(p, "2027-Q2") == {"factory": 140_000, "iterate": 20_000, "lab": 21_000}  # LAB-102 killed
    p.toggle_agenda("2027-Q2", "LAB-104")
    calendar.set(dt.date(2027, 5, 19), hour=13)
    p.start_session("2027-Q2")
    approve_gates(p, "LAB-101", Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW)
    score_all(p, "2027-Q2", "LAB-101", ["Lee Park", "Mia Chen"], 5)
    p.record_decision("2027-Q2", "LAB-101", "promote", rationale="Evidence met", next_review=dt.date(2027, 11, 20))
    p.record_decision("2027-Q2", "LAB-103", "kill", rationale="Partner withdrew")
    p.record_decision("2027-Q2", "ITR-201", "iterate", rationale="Second cycle", next_review=dt.date(2027, 11, 10))
    budget = p.budget("2027-Q2")
    assert budget.changes == (
        "LAB-101 promote: EUR 10,000 moves from lab to iterate",
        "LAB-103 kill: EUR 6,000 leaves the lab track",
    )
    p.end_session("2027-Q2")  # LAB-104 is not reached
    assert p.audit_log(limit=1)[0].actor == q2_lead
    report.append(f"2027-Q2 mix {mix_of(p, '2027-Q2')} carried {carried(p, '2027-Q2')}")

    # ---------------------------------------------------------------- 2027-Q3: planned through the service
    calendar.set(dt.date(2027, 7, 30))
    p.plan_session("2027-Q3", held_on=dt.date(2027, 8, 18), facilitator="Kim Novak", attendees=ATTENDEES)
    assert carried(p, "2027-Q3") == [
        ("ITR-201", "carried from 2027-Q2: decided iterate"),
        ("LAB-104", "carried from 2027-Q2: not reached"),
    ]
    assert mix_of(p, "2027-Q3") == {"factory": 140_000, "iterate": 30_000, "lab": 5_000}
    p.toggle_agenda("2027-Q3", "LAB-104")  # the facilitator takes a carried item off
    for key in ("FAC-303", "LAB-101"):
        p.toggle_agenda("2027-Q3", key)
    calendar.set(dt.date(2027, 8, 18), hour=13)
    cli("session", "start", "2027-Q3", "--db", db)
    p.record_decision("2027-Q3", "ITR-201", "hold", rationale="Vendor API change", next_review=dt.date(2027, 12, 1))
    p.record_decision("2027-Q3", "FAC-303", "consolidate", rationale="Into the CDP's tag manager")
    cli("session", "end", "2027-Q3", "--db", db)  # LAB-101 is not reached
    report.append(f"2027-Q3 mix {mix_of(p, '2027-Q3')} carried {carried(p, '2027-Q3')}")

    # ---------------------------------------------------------------- 2027-Q4: planned on the CLI again
    calendar.set(dt.date(2027, 10, 25))
    cli("session", "plan", "2027-Q4", "--date", "2027-11-17", "--facilitator", "Kim Novak",
        *[arg for name in ATTENDEES for arg in ("--attendee", name)], "--db", db)  # fmt: skip
    assert carried(p, "2027-Q4") == [
        ("ITR-201", "carried from 2027-Q3: decided hold; next review 2027-12-01 (set in 2027-Q3)"),
        ("LAB-101", "carried from 2027-Q3: not reached; next review 2027-11-20 (set in 2027-Q2)"),
        ("FAC-302", "contract renews 2027-12-31"),
    ]
    assert mix_of(p, "2027-Q4") == {"factory": 110_000, "iterate": 30_000, "lab": 5_000}  # FAC-303 consolidated
    calendar.set(dt.date(2027, 11, 17), hour=13)
    p.start_session("2027-Q4")
    approve_gates(p, "LAB-101", Gate.PRODUCTION_READINESS)
    p.record_decision("2027-Q4", "FAC-302", "retire", rationale="Replaced by in-house surveys")
    p.record_decision("2027-Q4", "ITR-201", "iterate", rationale="API fixed", next_review=dt.date(2028, 2, 10))
    p.end_session("2027-Q4")  # LAB-101 is not reached again
    text = p_minutes(db, "2027-Q4", capsys)
    assert "## Carried over into this session" in text and "FAC-302 — Survey platform: contract renews" in text
    assert "These agenda items got no decision and are carried over to 2028-Q1:" in text
    report.append(f"2027-Q4 mix {mix_of(p, '2027-Q4')} carried {carried(p, '2027-Q4')}")

    # ---------------------------------------------------------------- and the year after
    p.plan_session("2028-Q1", held_on=dt.date(2028, 2, 16), facilitator="Kim Novak", attendees=ATTENDEES)
    assert carried(p, "2028-Q1") == [
        ("ITR-201", "carried from 2027-Q4: decided iterate; next review 2028-02-10 (set in 2027-Q4)"),
        ("LAB-101", "carried from 2027-Q4: not reached"),
        ("FAC-301", "next review 2028-02-01 (set in 2027-Q1)"),
    ]
    assert {line.key for line in p.budget("2028-Q1").lines} == {"LAB-101", "LAB-104", "ITR-201", "FAC-301"}
    outcomes = {d.outcome.value for d in p.decisions()}
    assert outcomes == {"promote", "iterate", "kill", "hold", "renew", "retire", "consolidate"}
    assert p.verify_audit().ok
    shares = {q: p.budget(q).mix.share(Track.FACTORY).quantize(Decimal("0.1")) for q in ("2027-Q1", "2027-Q4")}
    report.append(f"factory share {shares}")
    p.close()
    with capsys.disabled():
        print("\n" + "\n".join(report))


def p_minutes(db: str, quarter: str, capsys) -> str:
    capsys.readouterr()
    cli("minutes", quarter, "-o", "-", "--db", db)
    return capsys.readouterr().out

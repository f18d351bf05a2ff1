"""The stack map and the overlap finder through the service: on the sample, on a portfolio from ``labreview init``,
with hostile text; the ``overlap:`` facet of the backlog; a consolidation naming its surviving tool."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from labreview.cli import main
from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.vocabulary import SessionStatus, Stage
from labreview.exchange import minutes
from labreview.portfolio import Portfolio, parse_filter
from labreview.portfolio.backlog import Backlog
from labreview.portfolio.stack import HORIZON_DAYS, renewal_horizon
from tests.conftest import MEETING_DAY
from tests.portfolio.conftest import Q

SAMPLE_OVERLAPS = {
    "EXP-101": ["overlaps EXP-121 (same vendor Quillmark AI)", "overlaps FAC-010 (same vendor Quillmark AI)"],
    "EXP-121": ["overlaps EXP-101 (same vendor Quillmark AI)", "overlaps FAC-010 (same vendor Quillmark AI)"],
    "FAC-010": ["overlaps EXP-101 (same vendor Quillmark AI)", "overlaps EXP-121 (same vendor Quillmark AI)"],
    "FAC-002": ["overlaps FAC-019 (same vendor Segmentry)"],
    "FAC-019": ["overlaps FAC-002 (same vendor Segmentry)"],
    "EXP-102": ["overlaps EXP-108 (same vendor Orbital Analytics)"],
    "EXP-108": ["overlaps EXP-102 (same vendor Orbital Analytics)"],
}
"""What the finder reports on the shipped sample. Chatterbox's three tools are not here: two of them are retired.
"in-house" (EXP-116, FAC-018) names no vendor."""


@pytest.fixture
def sample(sample_target, clock):
    p = Portfolio.open(sample_target, actor="Kim Novak", clock=clock)
    yield p
    p.close()


def keys(groups):
    return {stage: [r.key for r in rows] for stage, rows in groups}


# ---------------------------------------------------------------------------------------------- the sample


def test_the_sample_overlaps(sample):
    found = {key: [o.line for o in overlaps] for key, overlaps in sample.overlaps().items()}
    assert found == SAMPLE_OVERLAPS
    assert [o.other for o in sample.overlaps_of("FAC-010")] == ["EXP-101", "EXP-121"]
    assert sample.overlaps_of("FAC-016") == ()  # retired (Chatterbox)
    assert sample.overlaps_of("FAC-001") == ()
    every = sample.overlaps()
    for key in sample.initiative_keys():
        sample._overlaps_found = None  # not from the portfolio's overlaps: found for the key alone
        assert sample.overlaps_of(key) == every.get(key, ()), key


def test_the_sample_stack_map(sample):
    view = sample.stack_map()
    assert len(view.rows) == 40 and view.today == MEETING_DAY.date()
    # The 2026-Q4 session is planned for today: its quarter's end is the horizon.
    assert (view.horizon, view.horizon_reason) == (dt.date(2026, 12, 31), "end of 2026-Q4")
    assert [(r.key, r.renewal_date) for r in view.due] == [
        ("FAC-007", dt.date(2026, 12, 31)),
        ("FAC-014", dt.date(2026, 12, 31)),
    ]
    assert not any(r.renewal_due for r in view.rows if r.stage is Stage.RETIRED)  # FAC-015/016/017 renewals passed
    fac010 = next(r for r in view.rows if r.key == "FAC-010")
    assert (fac010.owner, fac010.vendor, fac010.integration_scope.value, fac010.quarterly_cost) == (
        "Chloé Dubois", "Quillmark AI", "isolated", 1_500_000,
    )  # fmt: skip
    assert fac010.overlap_line == "; ".join(SAMPLE_OVERLAPS["FAC-010"])
    fac002 = next(r for r in view.rows if r.key == "FAC-002")
    assert fac002.last_decision == "renew 2026-Q3" and fac002.renewal_date == dt.date(2027, 3, 31)

    groups = view.groups()
    assert [stage for stage, _rows in groups] == [Stage.LAB, Stage.TRANSITION, Stage.FACTORY]  # retired hidden
    assert [stage for stage, _rows in view.groups(retired=True)][-1] is Stage.RETIRED
    assert sum(len(rows) for _s, rows in view.groups(retired=True)) == 40


def test_the_stack_map_filters_with_the_backlog_language_and_sorts(sample):
    view = sample.stack_map()
    assert keys(view.groups(parse_filter("overlap:yes"))) == {
        Stage.LAB: ["EXP-102", "EXP-108"],
        Stage.TRANSITION: ["EXP-101", "EXP-121"],
        Stage.FACTORY: ["FAC-002", "FAC-010", "FAC-019"],
    }
    assert keys(view.groups(parse_filter("owner:ravi stage:factory"))) == {
        Stage.FACTORY: ["EXP-110", "FAC-002", "FAC-019"]
    }
    assert keys(view.groups(parse_filter("quillmark"))) == {
        Stage.TRANSITION: ["EXP-101", "EXP-121"],
        Stage.FACTORY: ["FAC-010"],
    }
    agenda = frozenset(e.key for e in sample.active_session().agenda)
    on_agenda = view.groups(parse_filter("agenda:yes"), agenda=agenda, retired=True)
    assert {r.key for _s, rows in on_agenda for r in rows} == agenda
    factory = dict(view.groups(parse_filter("stage:factory"), "renewal"))[Stage.FACTORY]
    dated = [r.renewal_date for r in factory if r.renewal_date]
    assert dated == sorted(dated) and factory[-1].renewal_date is None  # no date: last, either way
    factory = dict(view.groups(parse_filter("stage:factory"), "renewal", descending=True))[Stage.FACTORY]
    assert factory[0].renewal_date == max(dated) and factory[-1].renewal_date is None
    costs = [r.quarterly_cost for r in dict(view.groups(column="cost", descending=True))[Stage.FACTORY]]
    assert costs == sorted(costs, reverse=True) and costs[0] == 12_000_000


def test_the_backlog_overlap_facet_on_sql_and_on_the_memory_index(sample):
    by_sql, by_index = Backlog(sample), Backlog(sample)
    by_index.load()
    for backlog in (by_sql, by_index):
        view = backlog.view(parse_filter("overlap:yes"), Order("key"))
        assert [r.key for r in view.fetch(0, view.length)] == sorted(SAMPLE_OVERLAPS)
        view = backlog.view(parse_filter("overlaps:yes stage:factory"), Order("cost", descending=True))
        assert [r.key for r in view.fetch(0, view.length)] == ["FAC-002", "FAC-019", "FAC-010"]
    with pytest.raises(InvalidInput, match="'overlap:' needs a value"):
        parse_filter("overlap:")
    # A change is seen: a retired tool overlaps nothing, and neither does what it overlapped.
    sample.start_session(Q)
    sample.record_decision(
        Q, "FAC-019", "retire", rationale="Audiences moved into the CDP itself", signed_off_by="Lena Fischer"
    )
    by_index.refresh()
    for backlog in (by_sql, by_index):
        view = backlog.view(parse_filter("overlap:yes stage:factory"), Order("key"))
        assert [r.key for r in view.fetch(0, view.length)] == ["FAC-010"]


# ------------------------------------------------------------------------------- consolidation's survivor


def test_a_consolidation_names_the_tool_that_absorbs_it(sample):
    sample.start_session(Q)
    for absorbed_by, refusal, message in (
        ("FAC-019", InvalidInput, "Only a consolidation"),
        ("FAC-002", InvalidInput, "cannot absorb itself"),
        ("FAC-016", PolicyRefusal, "FAC-016 is retired"),
        ("NOPE-1", NotFound, "no initiative NOPE-1"),
    ):
        outcome = "renew" if message.startswith("Only") else "consolidate"
        with pytest.raises(refusal, match=message):
            sample.record_decision(Q, "FAC-002", outcome, rationale="r", absorbed_by=absorbed_by)
    decision = sample.record_decision(
        Q,
        "FAC-019",
        "consolidate",
        rationale="One Segmentry contract",
        absorbed_by=" fac-002 ",
        signed_off_by="Lena Fischer",  # the sample's sunset right: marketing operations
    )
    assert (decision.absorbed_by, decision.absorbed_by_title) == ("FAC-002", "Customer data platform")
    assert decision.stage_after is Stage.RETIRED
    assert sample.decisions(Q)[-1].absorbed_by == "FAC-002"
    assert sample.audit_log(limit=1)[0].summary.startswith("Decided consolidate for FAC-019 into FAC-002")
    assert sample.overlaps_of("FAC-002") == ()  # FAC-019 is retired now
    text = minutes.render(sample, Q)
    assert "| consolidate into FAC-002 |" in text
    assert "**Absorbed by:** FAC-002 — Customer data platform" in text
    from labreview.exchange.jsonio import decisions_json

    (exported,) = json.loads(decisions_json(sample, Q).text)["decisions"]
    assert (exported["key"], exported["absorbed_by"]) == ("FAC-019", "FAC-002")
    sample.undo()
    assert sample.decisions(Q) == [] and [o.other for o in sample.overlaps_of("FAC-002")] == ["FAC-019"]


def test_a_consolidation_may_still_leave_the_survivor_unnamed(sample):
    sample.start_session(Q)
    decision = sample.record_decision(
        Q, "FAC-019", "consolidate", rationale="Into the CDP", signed_off_by="Lena Fischer"
    )
    assert decision.absorbed_by is None
    assert "**Absorbed by:**" not in minutes.render(sample, Q)


# --------------------------------------------------------------------------------- from labreview init


@pytest.fixture
def from_init(db_target, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("LABREVIEW_CONFIG", str(tmp_path / "config.toml"))
    assert main(["init", "--db", str(db_target)]) == 0
    p = Portfolio.open(db_target, actor="Tess Facilitator", clock=clock)
    yield p
    p.close()


def test_a_new_portfolio_has_an_empty_map_and_a_horizon_of_a_quarter(from_init):
    view = from_init.stack_map()
    assert view.rows == () and view.groups() == () and view.due == ()
    assert view.horizon == MEETING_DAY.date() + dt.timedelta(days=HORIZON_DAYS)
    assert view.horizon_reason == "90 days from today"
    assert from_init.overlaps() == {}


def test_a_portfolio_from_init_flags_renewals_before_the_next_session_and_overlaps(from_init):
    p = from_init
    p.add_person("Olga Ops", "marketing-ops")
    p.add_person("Ines Innovation", "innovation-lead")
    today = p.today()
    for key, title, vendor, renewal, metric in (
        ("FAC-1", "Email service provider", "PostRelay", today + dt.timedelta(days=40), "efficiency"),
        ("FAC-2", "Email sending service", "Sendwell", today + dt.timedelta(days=200), "efficiency"),
        ("FAC-3", "Social listening", "Murmur", today + dt.timedelta(days=70), "quality-improvement"),
        ("FAC-4", "Social listening lite", "murmur ", None, "efficiency"),
    ):
        p.create_initiative(
            key,
            title,
            stage="factory",
            category="efficiency",
            owner="Olga Ops",
            vendor=vendor,
            renewal_date=renewal,
            intake={"success_metric": metric, "integration_scope": "isolated"},
        )
    p.create_session("2027-Q1", held_on=today + dt.timedelta(days=60), facilitator="Ines Innovation")
    view = p.stack_map()
    assert view.horizon == today + dt.timedelta(days=60) and view.horizon_reason.startswith("the 2027-Q1 session on")
    assert [r.key for r in view.due] == ["FAC-1"]
    lines = {r.key: r.overlap_line for r in view.rows}
    assert lines == {
        "FAC-1": "overlaps FAC-2 (same category and success metric, titles share 2 of 4 words)",
        "FAC-2": "overlaps FAC-1 (same category and success metric, titles share 2 of 4 words)",
        "FAC-3": "overlaps FAC-4 (same vendor Murmur)",
        "FAC-4": "overlaps FAC-3 (same vendor murmur)",
    }


def test_the_renewal_horizon_rules():
    planned, open_, closed = SessionStatus.PLANNED, SessionStatus.OPEN, SessionStatus.CLOSED
    today = dt.date(2026, 11, 23)
    assert renewal_horizon(today, []) == (dt.date(2027, 2, 21), "90 days from today")
    sessions = [("2026-Q3", dt.date(2026, 8, 20), closed), ("2026-Q4", today, open_)]
    assert renewal_horizon(today, sessions) == (dt.date(2026, 12, 31), "end of 2026-Q4")
    sessions.append(("2027-Q1", dt.date(2027, 2, 18), planned))
    assert renewal_horizon(today, sessions) == (dt.date(2027, 2, 18), "the 2027-Q1 session on 2027-02-18")
    stale = [("2026-Q2", dt.date(2026, 5, 14), planned)]  # planned long ago, never held: a quarter from today
    assert renewal_horizon(today, stale) == (dt.date(2027, 2, 21), "90 days from today")


# --------------------------------------------------------------------------------------------- hostile text


def test_hostile_titles_and_vendors_go_through_the_map_and_the_finder(from_init):
    from tests.hostile import normalized, sample

    p = from_init
    p.add_person("Olga Ops", "marketing-ops")
    stored = 0
    for n, text in enumerate(sample(every=9)):
        try:
            p.create_initiative(
                f"H-{n}",
                text,
                stage="factory",
                category="efficiency",
                owner="Olga Ops",
                vendor=text,
                intake={"success_metric": "efficiency"},
            )
        except InvalidInput:
            continue  # refused in words (too long, empty, NUL): the hostile-input tests check which
        stored += 1
    p.create_initiative(
        "MARK-1", "[bold]Loud[/bold] tool", stage="factory", category="efficiency", owner="Olga Ops",
        vendor="[link=file:///etc/passwd]Vendor[/link]",
    )  # fmt: skip
    p.create_initiative(
        "MARK-2", "Quiet tool", stage="factory", category="efficiency", owner="Olga Ops",
        vendor="[LINK=file:///etc/passwd]  vendor[/link]",
    )  # fmt: skip
    assert stored > 50
    view = p.stack_map()
    assert len(view.rows) == stored + 2
    for row in view.rows:
        assert row.matches(parse_filter("overlap:yes")) == bool(row.overlaps)
        for overlap in row.overlaps:
            assert overlap.other != row.key and overlap.line.startswith(f"overlaps {overlap.other} (")
    mark = next(r for r in view.rows if r.key == "MARK-1")
    assert mark.title == "[bold]Loud[/bold] tool"  # stored and returned as typed: the UI shows it literally
    assert mark.overlap_line == "overlaps MARK-2 (same vendor [link=file:///etc/passwd]Vendor[/link])"
    for text in ("\x1b[2J\x1b[HThe screen is gone", "[/]"):
        assert any(r.title == normalized(text) for r in view.rows)
    assert view.groups(parse_filter('"[bold]"')) and view.groups(parse_filter("overlap:yes"))

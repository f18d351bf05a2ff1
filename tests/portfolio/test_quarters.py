"""Quarter after quarter through the service layer: planning carries items over and proposes the budget,
the envelope and weights are the board's (audited), the audit log names a person, dates follow the session."""

import datetime as dt

import pytest

from labreview.domain.errors import InvalidInput, NotFound
from labreview.domain.vocabulary import Criterion, Track
from labreview.exchange import minutes
from labreview.portfolio import NewActionItem, Portfolio
from labreview.portfolio.service import UNATTRIBUTED

BOARD = ["Dana Sponsor", "Ines Innovation", "Mo Martech", "Olga Ops", "Sue Security", "Pat Privacy"]


def hold_q4(p: Portfolio) -> None:
    """2026-Q4 of the small portfolio: LAB-1 iterate, LAB-2 not reached, FAC-1 renew."""
    p.start_session("2026-Q4")
    p.record_decision("2026-Q4", "LAB-1", "iterate", rationale="Another cycle", next_review=dt.date(2027, 2, 20))
    p.record_decision("2026-Q4", "FAC-1", "renew", rationale="Works", next_review=dt.date(2027, 11, 1))
    p.end_session("2026-Q4")


def test_planning_carries_items_over_with_their_reasons_and_proposes_the_budget(portfolio):
    p = portfolio
    p.create_initiative("LAB-3", "New idea", category="efficiency", owner="Oscar Owner", quarterly_cost=250_000)
    hold_q4(p)
    events = len(p.audit_log(limit=1000))
    view = p.plan_session(
        "2027-Q1", held_on=dt.date(2027, 2, 22), facilitator="Mo Martech", attendees=[*BOARD, "Mo Martech"]
    )
    assert len(p.audit_log(limit=1000)) == events + 1, "planning is one audited action"
    assert [(e.key, e.carried_reason) for e in view.agenda] == [
        ("LAB-1", "carried from 2026-Q4: decided iterate; next review 2027-02-20 (set in 2026-Q4)"),
        ("LAB-2", "carried from 2026-Q4: not reached"),
    ]
    assert view.facilitator.name == "Mo Martech" and len(view.attendees) == len(BOARD)
    lines = {line.key: (line.track, line.amount) for line in p.budget("2027-Q1").lines}
    assert lines == {
        "FAC-1": (Track.FACTORY, 8_500_000),
        "LAB-1": (Track.LAB, 1_000_000),
        "LAB-2": (Track.LAB, 500_000),
        "LAB-3": (Track.LAB, 250_000),
    }
    assert p.budget("2027-Q1").mix.total == 10_250_000


def test_planning_keeps_budget_lines_set_before_and_refuses_what_cannot_be_a_session(portfolio):
    p = portfolio
    p.set_budget_line("2027-Q1", "LAB-2", 700_000)
    with pytest.raises(InvalidInput, match="is held in 2027-Q1"):
        p.plan_session("2027-Q1", held_on=dt.date(2027, 4, 1), facilitator="Mo Martech", attendees=BOARD)
    with pytest.raises(InvalidInput, match="needs attendees"):
        p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 1), facilitator="Mo Martech", attendees=[])
    with pytest.raises(NotFound, match="Nobody called 'Zed'"):
        p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 1), facilitator="Zed", attendees=BOARD)
    p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 1), facilitator="Mo Martech", attendees=BOARD)
    assert {line.key: line.amount for line in p.budget("2027-Q1").lines}["LAB-2"] == 700_000


def test_a_carried_item_can_be_taken_off_and_the_minutes_say_what_was_carried_and_why(portfolio):
    p = portfolio
    hold_q4(p)
    p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 22), facilitator="Mo Martech", attendees=BOARD)
    text = minutes.render(p, "2027-Q1")
    assert "## Carried over into this session" in text
    assert "LAB-2 — Subject lines: carried from 2026-Q4: not reached" in text
    p.toggle_agenda("2027-Q1", "LAB-2")
    assert [e.key for e in p.session("2027-Q1").agenda] == ["LAB-1"]
    assert "LAB-2 — Subject lines" not in minutes.render(p, "2027-Q1")


def test_a_factory_tool_renewing_before_the_session_after_next_is_carried(portfolio):
    p = portfolio
    p.update_initiative("FAC-1", renewal_date=dt.date(2027, 5, 1))
    view = p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 22), facilitator="Mo Martech", attendees=BOARD)
    assert [(e.key, e.carried_reason) for e in view.agenda] == [
        ("LAB-1", "carried from 2026-Q4: not reached"),  # 2026-Q4 was planned but never held
        ("LAB-2", "carried from 2026-Q4: not reached"),
        ("FAC-1", "carried from 2026-Q4: not reached; contract renews 2027-05-01"),
    ]
    p.toggle_agenda("2026-Q4", "FAC-1")
    # Planned is planned (the 2027-Q1 agenda keeps its reasons); a preview reads 2026-Q4 as it is now.
    assert p.carry_over_preview("2027-Q1", dt.date(2027, 2, 22))[-1].reason == "contract renews 2027-05-01"
    assert p.session("2027-Q1").agenda[-1].carried_reason.endswith("contract renews 2027-05-01")


def test_envelope_is_audited_and_the_budget_shows_its_headroom_and_lines_against_cost(portfolio):
    p = portfolio
    p.propose_budget("2027-Q1")
    p.set_budget_line("2027-Q1", "LAB-1", 1_200_000)
    p.set_budget_envelope("2027-Q1", 10_000_000, 1_000_000)
    assert p.audit_log(limit=1)[0].summary == (
        "Budget envelope 2027-Q1: EUR 100,000, of which lab (ring-fenced) EUR 10,000"
    )
    view = p.budget("2027-Q1")
    room = view.headroom
    assert (room.total, room.lab, room.operations) == (10_000_000 - 10_200_000, -700_000, 500_000)
    differs = [(line.key, line.amount, line.cost) for line in view.lines if line.differs]
    assert differs == [("LAB-1", 1_200_000, 1_000_000)]
    with pytest.raises(InvalidInput, match="cannot exceed"):
        p.set_budget_envelope("2027-Q1", 100, 200)


def test_budget_lines_from_a_file_are_one_action_all_or_nothing(portfolio):
    p = portfolio
    assert p.set_budget_lines("2027-Q1", [("LAB-1", 100, None), ("fac-1", 200, "factory")]) == 2
    assert p.audit_log(limit=1)[0].summary == "Budget 2027-Q1: 2 of 2 lines set from a file"
    with pytest.raises(NotFound):
        p.set_budget_lines("2027-Q1", [("LAB-1", 300, None), ("NOPE-1", 1, None)])
    assert {line.key: line.amount for line in p.budget("2027-Q1").lines} == {"LAB-1": 100, "FAC-1": 200}


def test_the_audit_log_names_the_sessions_facilitator_or_the_person_given_never_the_login(tmp_path, clock):
    p = Portfolio.open(tmp_path / "p.db", create=True, actor=None, clock=clock)
    assert p.actor == UNATTRIBUTED
    p.add_person("Kim Novak", "innovation-lead")
    p.add_person("Lee Park", "sponsor")
    p.create_initiative("LAB-1", "Idea", category="efficiency", owner="Lee Park")
    p.plan_session("2026-Q4", held_on=dt.date(2026, 11, 23), facilitator="Kim Novak", attendees=["Lee Park"])
    assert p.actor == "Kim Novak"
    p.toggle_agenda("2026-Q4", "LAB-1")
    assert p.audit_log(limit=1)[0].actor == "Kim Novak"
    p.set_facilitator("2026-Q4", "Lee Park")
    p.start_session("2026-Q4")
    assert p.audit_log(limit=1)[0].actor == "Lee Park"
    with pytest.raises(NotFound):
        p.act_as("root")
    p.act_as("kim novak")
    p.set_attendance("2026-Q4", "Kim Novak", True)  # a late arrival, audited in Kim's name
    entry = p.audit_log(limit=1)[0]
    assert (entry.actor, entry.summary) == ("Kim Novak", "Kim Novak attends the 2026-Q4 session")
    p.record_score("2026-Q4", "LAB-1", "Kim Novak", "outcome-impact", 4)  # now an attendee, Kim scores
    p.close()


def test_dates_in_the_meeting_follow_the_sessions_day_and_the_minutes_print_it(portfolio, clock):
    p = portfolio
    clock.now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # planned for 23 November, held on 2 December
    p.start_session("2026-Q4")
    clock.now = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)  # written up two days later, session still open
    assert p.today() == dt.date(2026, 12, 2)
    owner = p.person("Oscar Owner")
    with pytest.raises(InvalidInput, match="in the past"):
        p.record_decision(
            "2026-Q4",
            "LAB-1",
            "iterate",
            rationale="Again",
            next_review=dt.date(2027, 3, 1),
            action_items=[NewActionItem("Report", owner.id, dt.date(2026, 12, 1))],
        )
    p.record_decision(
        "2026-Q4",
        "LAB-1",
        "iterate",
        rationale="Again",
        next_review=dt.date(2027, 3, 1),
        action_items=[NewActionItem("Report", owner.id, dt.date(2026, 12, 3))],  # after the session's day
    )
    request = p.request_access(
        "LAB-2", tier=3, data_description="Events", retention_days=30, expires_on=dt.date(2027, 6, 1)
    )
    assert request.requested_on == dt.date(2026, 12, 2)
    p.end_session("2026-Q4")
    assert p.today() == dt.date(2026, 12, 4)
    text = minutes.render(p, "2026-Q4")
    assert text.startswith("# Minutes of the 2026-Q4 portfolio review, Wednesday 2 December 2026")
    assert "Held on 2026-12-02 (planned for 2026-11-23) from 09:00 to 09:00 UTC." in text


def test_the_boards_weights_are_stored_audited_and_weigh_the_scorecard(portfolio):
    p = portfolio
    p.start_session("2026-Q4")
    p.record_score("2026-Q4", "LAB-1", "Dana Sponsor", "outcome-impact", 5)
    p.record_score("2026-Q4", "LAB-1", "Dana Sponsor", "data-risk", 1)
    assert p.score_sheet("2026-Q4", "LAB-1").summary.total == 3.0
    p.set_weights("outcome-impact=3")
    entry = p.audit_log(limit=1)[0]
    assert entry.action == "set weights" and "outcome-impact=3" in entry.summary
    sheet = p.score_sheet("2026-Q4", "LAB-1")
    assert sheet.summary.total == 4.0
    assert sheet.weights_note == "weights outcome-impact ×3"
    again = Portfolio(p.engine, actor="Other laptop")  # another facilitator's process sees the same weights
    assert again.weights[Criterion.OUTCOME_IMPACT] == 3
    p.undo()
    assert p.score_sheet("2026-Q4", "LAB-1").summary.total == 3.0


def test_ending_then_planning_next_with_nothing_left_gives_an_empty_agenda_and_no_budget(portfolio):
    p = portfolio
    p.start_session("2026-Q4")
    for key, outcome in (("LAB-1", "kill"), ("LAB-2", "kill"), ("FAC-1", "retire")):
        p.record_decision("2026-Q4", key, outcome, rationale="Done")
    p.end_session("2026-Q4")
    view = p.plan_session("2027-Q1", held_on=dt.date(2027, 2, 22), facilitator="Mo Martech", attendees=BOARD)
    assert view.agenda == () and p.budget("2027-Q1").lines == ()
    assert "## Carried over into this session" not in minutes.render(p, "2027-Q1")

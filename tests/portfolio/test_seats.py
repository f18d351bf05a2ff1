"""Board members at their own seats: personal links, secret ballots and the meeting's presence (service layer).

Nothing cast in secret may reach anyone before the reveal: not the scorecard, not another member's page, not
the summary line of the audit log. Only attendees get links; a link acts as its person and no one else.
"""

from __future__ import annotations

import datetime as dt

import pytest

from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.vocabulary import Criterion
from labreview.portfolio import Portfolio
from labreview.portfolio.seats import CLOCK_LEASE, DEFAULT_SERVICE_URL
from tests.hostile import strings

Q = "2026-Q4"
BOARD = ["Dana Sponsor", "Ines Innovation", "Mo Martech", "Olga Ops", "Pat Privacy", "Pia Privacy", "Sue Security"]
SCORES = {"outcome-impact": 5, "operational-fit": 4, "integration-burden": 3, "data-risk": 2, "economic-value": 1}


@pytest.fixture
def meeting(portfolio):
    """The small portfolio's session started, secret scoring open on LAB-1, a link for every attendee."""
    portfolio.start_session(Q)
    portfolio.open_ballot(Q, "LAB-1")
    links = {name: portfolio.issue_seat_link(Q, name).token for name in BOARD}
    return portfolio, links


def cast_all(p: Portfolio, token: str, key: str = "LAB-1", scores=SCORES) -> None:
    for criterion, value in scores.items():
        p.cast_from_seat(token, key, criterion, value)


# ----------------------------------------------------------------------------- links


def test_a_link_is_192_bits_kept_only_as_a_hash_and_acts_as_its_person(meeting, db_target):
    p, links = meeting
    token = links["Mo Martech"]
    assert len(token) == 32 and token.isascii()
    assert len(set(links.values())) == len(BOARD)
    seat = p.seat(token)
    assert seat.person.name == "Mo Martech" and seat.quarter == Q and seat.voter
    from sqlalchemy import text

    with p.engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT token_hash FROM seat_link"))]
    assert token not in stored and all(len(h) == 64 for h in stored)
    p.cast_from_seat(token, "LAB-1", "data-risk", 3)
    assert p.audit_log(1)[0].actor == "Mo Martech"


def test_only_attendees_get_links_and_not_after_the_session(portfolio):
    portfolio.start_session(Q)
    with pytest.raises(PolicyRefusal, match="not attending"):
        portfolio.issue_seat_link(Q, "Fay Finance")  # on the board, but not at this meeting
    with pytest.raises(NotFound):
        portfolio.issue_seat_link(Q, "Nobody Known")
    token = portfolio.issue_seat_link(Q, "Olga Ops").token
    portfolio.end_session(Q)
    with pytest.raises(PolicyRefusal, match="has ended"):
        portfolio.seat(token)
    with pytest.raises(PolicyRefusal, match="has ended"):
        portfolio.issue_seat_link(Q, "Olga Ops")
    assert [v.live for v in portfolio.seat_links(Q)] == [False]


def test_issuing_again_or_withdrawing_stops_the_old_link(meeting):
    p, links = meeting
    old = links["Sue Security"]
    new = p.issue_seat_link(Q, "Sue Security").token
    with pytest.raises(PolicyRefusal, match="withdrawn"):
        p.seat(old)
    assert p.seat(new).person.name == "Sue Security"
    p.revoke_seat_link(Q, "Sue Security")
    with pytest.raises(PolicyRefusal, match="withdrawn"):
        p.cast_from_seat(new, "LAB-1", "data-risk", 4)
    with pytest.raises(NotFound, match="no personal link"):
        p.revoke_seat_link(Q, "Sue Security")
    views = {v.person.name: v for v in p.seat_links(Q)}
    assert not views["Sue Security"].live and views["Sue Security"].revoked_at is not None
    assert views["Mo Martech"].live


def test_a_person_taken_off_the_attendance_list_loses_the_link(meeting):
    p, links = meeting
    p.set_attendance(Q, "Pia Privacy", False)
    with pytest.raises(PolicyRefusal, match="no longer on the"):
        p.seat_page(links["Pia Privacy"])


@pytest.mark.parametrize("token", ["", "x", "A" * 31, "A" * 65, "../../etc/passwd", "A" * 31 + "=", "é" * 32])
def test_a_malformed_link_is_refused_unread(meeting, token):
    p, _links = meeting
    with pytest.raises(NotFound, match="not a labreview link"):
        p.seat(token)
    with pytest.raises(NotFound):
        p.cast_from_seat(token, "LAB-1", "data-risk", 3)


def test_hostile_strings_as_links_are_refused_in_words(meeting):
    p, links = meeting
    for hostile in strings():
        with pytest.raises((NotFound, PolicyRefusal)):
            p.seat(hostile)
    assert p.seat(links["Olga Ops"]).person.name == "Olga Ops"  # nothing was disturbed


def test_a_guess_of_the_right_shape_is_unknown(meeting):
    p, _links = meeting
    with pytest.raises(NotFound, match="not known"):
        p.seat("A" * 32)


# ----------------------------------------------------------------------------- ballots


def test_nothing_cast_shows_before_the_reveal_then_everything_at_once(meeting):
    p, links = meeting
    cast_all(p, links["Mo Martech"])
    cast_all(p, links["Olga Ops"], scores=dict.fromkeys(SCORES, 1))
    p.cast_from_seat(links["Dana Sponsor"], "LAB-1", "data-risk", 5)

    sheet = p.score_sheet(Q, "LAB-1")
    assert sheet.scores == {} and sheet.summary.reviewers == 0
    assert sheet.ballot.hidden and sheet.ballot.progress == f"2 of {len(BOARD)} have scored"
    dana = next(r for r in sheet.reviewers if r.name == "Dana Sponsor")
    assert sheet.ballot.has_cast(dana.id, Criterion.DATA_RISK)
    assert not sheet.ballot.has_cast(dana.id, Criterion.OUTCOME_IMPACT)
    assert p.initiative("LAB-1").last_outcome is None

    # Each member's page holds their own values and nobody else's.
    mo = p.seat_page(links["Mo Martech"])
    assert mo.sheet is None and dict(mo.own) == {Criterion.parse(c): v for c, v in SCORES.items()}
    dana_page = p.seat_page(links["Dana Sponsor"])
    assert dict(dana_page.own) == {Criterion.DATA_RISK: 5}
    assert repr(dana_page).count("value=") == 0  # no score rows of anyone in the page
    # The audit log's summary lines never carry a hidden value.
    casts = [e.summary for e in p.audit_log(100) if e.action == "cast score"]
    assert len(casts) == 11 and all("hidden score" in s and not s.endswith(tuple("12345")) for s in casts)

    revealed = p.reveal_ballot(Q, "LAB-1")
    assert not revealed.ballot.hidden and revealed.ballot.progress == "scores revealed"
    assert revealed.summary.reviewers == 3
    mo_id = next(r.id for r in revealed.reviewers if r.name == "Mo Martech")
    assert revealed.score(mo_id, Criterion.OUTCOME_IMPACT) == 5
    assert p.seat_page(links["Dana Sponsor"]).sheet.summary.reviewers == 3
    with pytest.raises(PolicyRefusal, match="revealed"):
        p.cast_from_seat(links["Mo Martech"], "LAB-1", "data-risk", 1)
    with pytest.raises(PolicyRefusal, match="revealed"):
        p.reveal_ballot(Q, "LAB-1")
    with pytest.raises(PolicyRefusal, match="revealed"):
        p.open_ballot(Q, "LAB-1")
    # After the reveal the facilitator corrects in the open, as before.
    p.record_score(Q, "LAB-1", "Mo Martech", "data-risk", 4)
    assert p.score_sheet(Q, "LAB-1").score(mo_id, Criterion.DATA_RISK) == 4


def test_a_member_changes_their_own_score_until_the_reveal(meeting):
    p, links = meeting
    p.cast_from_seat(links["Pat Privacy"], "LAB-1", "data-risk", 1)
    p.cast_from_seat(links["Pat Privacy"], "LAB-1", "data-risk", 4)
    assert dict(p.seat_page(links["Pat Privacy"]).own) == {Criterion.DATA_RISK: 4}
    sheet = p.reveal_ballot(Q, "LAB-1")
    pat = next(r.id for r in sheet.reviewers if r.name == "Pat Privacy")
    assert sheet.score(pat, Criterion.DATA_RISK) == 4


def test_the_facilitator_types_for_someone_without_a_device_hidden_too(meeting):
    p, _links = meeting
    sheet = p.record_score(Q, "LAB-1", "Sue Security", "outcome-impact", 2)
    assert sheet.scores == {} and sheet.ballot.cast
    assert "2" not in p.audit_log(1)[0].summary
    sheet = p.clear_score(Q, "LAB-1", "Sue Security", "outcome-impact")
    assert not sheet.ballot.cast
    p.record_score(Q, "LAB-1", "Sue Security", "outcome-impact", 3)
    assert p.reveal_ballot(Q, "LAB-1").summary.reviewers == 1


def test_only_board_members_attending_cast_and_only_on_an_open_ballot(meeting):
    p, links = meeting
    p.set_attendance(Q, "Oscar Owner", True)
    owner = p.issue_seat_link(Q, "Oscar Owner").token
    assert not p.seat(owner).voter
    with pytest.raises(PolicyRefusal, match="not on the review board"):
        p.cast_from_seat(owner, "LAB-1", "data-risk", 3)
    assert p.seat_page(owner).access == ()  # costs and access details are for the board
    with pytest.raises(PolicyRefusal, match="has not been opened"):
        p.cast_from_seat(links["Mo Martech"], "LAB-2", "data-risk", 3)
    with pytest.raises(InvalidInput):
        p.cast_from_seat(links["Mo Martech"], "LAB-1", "data-risk", 6)
    with pytest.raises(InvalidInput):
        p.cast_from_seat(links["Mo Martech"], "LAB-1", "not-a-criterion", 3)
    with pytest.raises(NotFound):
        p.cast_from_seat(links["Mo Martech"], "NOPE-1", "data-risk", 3)
    with pytest.raises(NotFound, match="not on the"):
        p.open_ballot(Q, _off_agenda(p))
    with pytest.raises(PolicyRefusal, match="already open"):
        p.open_ballot(Q, "LAB-1")
    with pytest.raises(PolicyRefusal, match="nothing to reveal"):
        p.reveal_ballot(Q, "LAB-2")


def _off_agenda(p: Portfolio) -> str:
    p.create_initiative("LAB-9", "Not on the agenda", category="efficiency", owner="Oscar Owner")
    return "LAB-9"


def test_undo_of_the_reveal_hides_the_scores_again(meeting):
    p, links = meeting
    cast_all(p, links["Mo Martech"])
    p.reveal_ballot(Q, "LAB-1")
    p.undo()
    sheet = p.score_sheet(Q, "LAB-1")
    assert sheet.scores == {} and sheet.ballot.hidden and sheet.ballot.scored == 1
    assert p.verify_audit().ok


def test_the_facilitator_s_undo_never_takes_back_a_member_s_cast(meeting):
    p, links = meeting
    p.cast_from_seat(links["Mo Martech"], "LAB-1", "data-risk", 3)
    p.record_score(Q, "LAB-1", "Sue Security", "data-risk", 2)
    p.undo()  # the facilitator's own typing
    cast = p.score_sheet(Q, "LAB-1").ballot.cast
    mo = next(r.id for r in p.score_sheet(Q, "LAB-1").reviewers if r.name == "Mo Martech")
    assert set(cast) == {mo}


def test_a_cast_from_another_process_is_news_to_the_facilitator_s_app(meeting, db_target):
    p, links = meeting
    seen = p.newest_event_id()
    web = Portfolio.open(db_target, actor=None)
    try:
        web.cast_from_seat(links["Olga Ops"], "LAB-1", "data-risk", 3)
    finally:
        web.close()
    news = p.changes_since(seen)
    assert news.any and len(news.foreign) == 1
    assert news.touched.initiatives == frozenset()  # a hidden cast changes nothing the backlog shows


# ----------------------------------------------------------------------------- presence


def test_one_app_holds_the_clock_another_takes_it_only_when_it_has_gone_quiet(meeting, clock):
    p, _links = meeting
    first = p.beat(Q, "app-1", "LAB-1", 30, True)
    assert first.holder == "app-1" and first.key == "LAB-1"
    second = p.beat(Q, "app-2", "LAB-2", 999, True)
    assert second.holder == "app-1" and second.key == "LAB-1" and second.elapsed == 30  # the other's, unchanged
    assert p.presence(Q).holder == "app-1"
    clock.now += CLOCK_LEASE
    taken = p.beat(Q, "app-2", "LAB-2", 45, False)
    assert taken.holder == "app-2" and taken.key == "LAB-2" and not taken.running
    assert p.beat(Q, "app-1", "LAB-1", 31, True).holder == "app-2"
    p.release_clock(Q, "app-2")
    assert p.beat(Q, "app-1", "LAB-1", 31, True).holder == "app-1"


def test_the_clock_shown_elsewhere_runs_on_from_the_holder_s_last_beat(meeting, clock):
    p, _links = meeting
    said = p.beat(Q, "app-1", "LAB-1", 30, True)
    assert said.elapsed_at(said.beat_at + dt.timedelta(seconds=12)) == 42
    stopped = p.beat(Q, "app-1", "LAB-1", 30, False)
    assert stopped.elapsed_at(stopped.beat_at + dt.timedelta(seconds=12)) == 30


def test_presence_and_the_service_address_are_not_audited_and_verify_stays_intact(meeting):
    p, _links = meeting
    before = p.newest_event_id()
    p.beat(Q, "app-1", "LAB-1", 30, True)
    assert p.service_url() == DEFAULT_SERVICE_URL
    p.announce_service("http://10.0.0.7:8765/")
    p.announce_service("https://review.example.org")
    assert p.service_url() == "https://review.example.org"
    assert p.seat_url("T" * 32) == "https://review.example.org/s/" + "T" * 32
    assert p.newest_event_id() == before
    assert p.verify_audit().ok


@pytest.mark.parametrize(
    "url", ["ftp://x", "javascript:alert(1)", "http://a b", "http://x\nSet-Cookie: a=b", "example.org"]
)
def test_a_service_address_that_is_not_one_is_refused(meeting, url):
    p, _links = meeting
    with pytest.raises(InvalidInput):
        p.announce_service(url)


def test_undo_brings_back_a_cleared_score_with_its_time(portfolio):
    """Found with the ballot's undo: putting a deleted row back failed on its UTC time column (a traceback
    for ``ctrl+z`` after clearing a score, before this)."""
    portfolio.start_session(Q)
    portfolio.record_score(Q, "LAB-1", "Mo Martech", "data-risk", 3)
    portfolio.clear_score(Q, "LAB-1", "Mo Martech", "data-risk")
    assert portfolio.undo().startswith("Cleared")
    sheet = portfolio.score_sheet(Q, "LAB-1")
    assert list(sheet.scores.values()) == [3]
    assert portfolio.verify_audit().ok

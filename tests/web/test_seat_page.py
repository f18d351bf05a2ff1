"""The seat page over HTTP (Starlette's TestClient): what a board member and an observer see, casting by form and by
the page's script, the security headers, and every refusal with its status code."""

from __future__ import annotations

import re

import pytest

from labreview.domain.vocabulary import Criterion, format_money
from labreview.web.security import CSP, Limits
from tests.web.conftest import OBSERVER, QUARTER, checked, csrf_of, make_client

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIVE = {
    "outcome-impact": "4",
    "operational-fit": "3",
    "integration-burden": "5",
    "data-risk": "2",
    "economic-value": "4",
}


def cast(client, token, key, fields, *, script=False, csrf=None, **headers):
    data = {"key": key, "csrf": csrf_of(client, token) if csrf is None else csrf, **fields}
    if script:
        headers["X-Labreview"] = "fetch"
    return client.post(f"/s/{token}/score", data=data, headers=headers, follow_redirects=False)


def test_board_member_sees_the_item_and_a_ballot(meeting, client):
    token = meeting.links[meeting.board[0]]
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    item = meeting.portfolio.initiative(meeting.key)
    html = page.text
    for text in (
        item.title,
        "Pre-registered criteria",
        "Baseline",
        "Target lift",
        "Test period",
        "Operational threshold",
        "Gates",
        "Pilot approval",
        "Agenda",
        "Cost per quarter",
        "0 of 8 have scored",
        "Save my scores",
    ):
        assert text in html, text
    for criterion in Criterion:
        assert f'name="{criterion.value}"' in html
        assert criterion.label.capitalize() in html
    assert html.count('type="radio"') == 25
    assert checked(html) == {}
    assert 'class="sheet"' not in html


def test_security_headers_on_every_response(meeting, client):
    token = meeting.links[meeting.board[0]]
    for response in (
        client.get(f"/s/{token}"),
        client.get(f"/s/{token}/live"),
        client.get("/"),
        client.get("/static/seat.css"),
    ):
        headers = response.headers
        assert headers["content-security-policy"] == CSP
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    assert client.get(f"/s/{token}").headers["cache-control"] == "no-store"
    assert client.get(f"/s/{token}/live").headers["cache-control"] == "no-store"
    assert "default-src 'none'" in CSP and "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    # Our page has no inline script or style, and loads nothing from elsewhere.
    html = client.get(f"/s/{token}").text
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/static/seat.css", "/static/seat.js"]


def test_casting_with_the_form_then_changing_a_score(meeting, client):
    token = meeting.links[meeting.board[0]]
    answer = cast(client, token, meeting.key, FIVE)
    assert answer.status_code == 303 and answer.headers["location"] == f"/s/{token}?saved=1"
    page = client.get(answer.headers["location"])
    assert "Your scores are saved." in page.text
    assert checked(page.text) == {k: int(v) for k, v in FIVE.items()}
    assert "1 of 8 have scored" in page.text
    assert cast(client, token, meeting.key, {"criterion": "data-risk", "value": "5"}).status_code == 303
    assert checked(client.get(f"/s/{token}/live").text)["data-risk"] == 5
    entry = meeting.portfolio.audit_log()[0] if hasattr(meeting.portfolio, "audit_log") else None
    if entry is not None:
        assert entry.actor == meeting.board[0]


def test_casting_from_the_script_answers_json(meeting, client):
    token = meeting.links[meeting.board[1]]
    answer = cast(client, token, meeting.key, {"criterion": "outcome-impact", "value": "2"}, script=True)
    assert answer.status_code == 200
    assert answer.json() == {"ok": True, "progress": "0 of 8 have scored"}
    answer = cast(client, token, meeting.key, {"criterion": "outcome-impact", "value": "9"}, script=True)
    assert answer.status_code == 400 and "1 to 5" in answer.json()["message"]


def test_observer_follows_read_only_without_costs_or_access(meeting, client):
    token = meeting.links[OBSERVER]
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    html = page.text
    assert "following (read-only)" in html
    assert meeting.portfolio.initiative(meeting.key).title in html
    assert "<form" not in html and 'name="csrf"' not in html and 'type="radio"' not in html
    cost = format_money(meeting.portfolio.initiative(meeting.key).quarterly_cost, "EUR")
    assert "Cost per quarter" not in html and cost not in html
    assert "Access requests" not in html
    assert "0 of 8 have scored" in html
    answer = cast(client, token, meeting.key, FIVE)
    assert answer.status_code == 403
    assert "not on the review board" in answer.text


def test_board_member_sees_access_requests(meeting, client):
    portfolio = meeting.portfolio
    keys = [e.key for e in portfolio.session(QUARTER).agenda]
    with_requests = [k for k in keys if portfolio.access_requests(k)] if hasattr(portfolio, "access_requests") else []
    if not with_requests:
        pytest.skip("no agenda item of the sample has an access request")
    portfolio.set_current_item(QUARTER, with_requests[0])
    assert "Access requests" in client.get(f"/s/{meeting.links[meeting.board[0]]}").text
    assert "Access requests" not in client.get(f"/s/{meeting.links[OBSERVER]}").text


# ---------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "path",
    ["/", "/s", "/s/", "/index.html", "/static/", "/static", "/static/../pyproject.toml", "/s/x/y/z", "/.git/config"],
)
def test_nothing_without_a_link(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert len(response.text) < 100 and "<a " not in response.text


@pytest.mark.parametrize("token", ["abc", "not-a-link!", "A" * 31, "A" * 33, "%00", "..%2F..%2Fetc"])
def test_malformed_link(client, token):
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert 'type="radio"' not in response.text and len(response.text) < 1000


def test_unknown_link_on_every_endpoint(meeting, client):
    token = "Z" * 32
    assert client.get(f"/s/{token}").status_code == 404
    assert "not known" in client.get(f"/s/{token}").text
    assert client.get(f"/s/{token}/live").status_code == 404
    assert client.get(f"/s/{token}/events").status_code == 404
    assert cast(client, token, meeting.key, FIVE).status_code == 404


def _gone_everywhere(client, meeting, token, phrase):
    for response in (
        client.get(f"/s/{token}"),
        client.get(f"/s/{token}/live"),
        client.get(f"/s/{token}/events"),
        cast(client, token, meeting.key, FIVE),
    ):
        assert response.status_code == 410, response.text
        assert phrase in response.text
        assert 'type="radio"' not in response.text


def test_withdrawn_link(meeting, client):
    name = meeting.board[2]
    token = meeting.links[name]
    meeting.portfolio.revoke_seat_link(QUARTER, name)
    _gone_everywhere(client, meeting, token, "withdrawn")
    fresh = meeting.portfolio.issue_seat_link(QUARTER, name).token
    assert client.get(f"/s/{fresh}").status_code == 200


def test_ended_session(meeting, client):
    meeting.portfolio.end_session(QUARTER)
    _gone_everywhere(client, meeting, meeting.links[meeting.board[0]], "has ended")


def test_person_no_longer_attending(meeting, client):
    name = meeting.board[3]
    meeting.portfolio.set_attendance(QUARTER, name, False)
    _gone_everywhere(client, meeting, meeting.links[name], "no longer on the")


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "http://testserver.evil.example",
        "https://board.example.org.evil.example",
        "http://127.0.0.1:9",
    ],
)
def test_foreign_origin_refused_on_page_score_and_stream(meeting, client, origin):
    token = meeting.links[meeting.board[0]]
    headers = {"Origin": origin}
    assert client.get(f"/s/{token}", headers=headers).status_code == 403
    assert client.get(f"/s/{token}/live", headers=headers).status_code == 403
    assert client.get(f"/s/{token}/events", headers=headers).status_code == 403
    assert cast(client, token, meeting.key, FIVE, Origin=origin).status_code == 403
    assert meeting.portfolio.seat_page(token).own == {}


def test_a_plain_form_from_our_own_page(meeting, client):
    """With ``Referrer-Policy: no-referrer`` a browser's form POST says ``Origin: null``: accepted only when the
    browser also says the request is same-origin (``Sec-Fetch-Site``, which a page cannot set)."""
    token = meeting.links[meeting.board[0]]
    fields = {"criterion": "data-risk", "value": "3"}
    assert (
        cast(client, token, meeting.key, fields, Origin="null", **{"Sec-Fetch-Site": "same-origin"}).status_code == 303
    )
    for site in ("cross-site", "same-site", "none"):
        assert cast(client, token, meeting.key, fields, Origin="null", **{"Sec-Fetch-Site": site}).status_code == 403
    assert cast(client, token, meeting.key, fields, Origin="null").status_code == 403


def test_own_origins_accepted(meeting, client):
    token = meeting.links[meeting.board[0]]
    for origin in ("http://testserver", "https://board.example.org", "https://BOARD.example.org:443"):
        answer = cast(client, token, meeting.key, {"criterion": "data-risk", "value": "3"}, Origin=origin)
        assert answer.status_code == 303


@pytest.mark.parametrize("csrf", ["", "0" * 64, "wrong"])
def test_missing_or_wrong_csrf(meeting, client, csrf):
    token = meeting.links[meeting.board[0]]
    response = cast(client, token, meeting.key, FIVE, csrf=csrf)
    assert response.status_code == 403
    assert "reload" in response.text
    other = meeting.links[meeting.board[1]]
    assert cast(client, token, meeting.key, FIVE, csrf=csrf_of(client, other)).status_code == 403  # another link's
    no_field = client.post(f"/s/{token}/score", data={"key": meeting.key, **FIVE}, follow_redirects=False)
    assert no_field.status_code == 403
    assert meeting.portfolio.seat_page(token).own == {}


def test_a_restart_makes_old_forms_stale(meeting):
    token = meeting.links[meeting.board[0]]
    with make_client(meeting.portfolio) as first:
        old = csrf_of(first, token)
    with make_client(meeting.portfolio) as second:
        assert cast(second, token, meeting.key, FIVE, csrf=old).status_code == 403


def test_rate_limits(meeting):
    token = meeting.links[meeting.board[0]]
    limits = Limits(reads=(0.01, 3), writes=(0.01, 2), guesses=(0.01, 2))
    with make_client(meeting.portfolio, limits=limits) as client:
        assert [client.get(f"/s/{token}").status_code for _ in range(4)] == [200, 200, 200, 429]
        limited = client.get(f"/s/{token}/live")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        other = meeting.links[meeting.board[1]]
        assert client.get(f"/s/{other}").status_code == 200  # per link
        codes = [
            cast(client, token, meeting.key, {"criterion": "data-risk", "value": "2"}).status_code for _ in range(3)
        ]
        assert codes == [303, 303, 429]
        guesses = [client.get(f"/s/{'Q' * 32}").status_code for _ in range(3)]
        assert guesses == [404, 404, 429]
        assert "Retry-After" in client.get(f"/s/{'R' * 32}").headers


def test_non_board_casting_refused(meeting, client):
    token = meeting.links[OBSERVER]
    answer = cast(client, token, meeting.key, {"criterion": "data-risk", "value": "3"}, script=True)
    assert answer.status_code == 403 and "not on the review board" in answer.json()["message"]


def test_casting_where_no_ballot_is_open(meeting, client):
    token = meeting.links[meeting.board[0]]
    other = next(e.key for e in meeting.portfolio.session(QUARTER).agenda if e.key != meeting.key)
    answer = cast(client, token, other, FIVE)
    assert answer.status_code == 403
    assert "has not been opened" in answer.text
    assert "<form" in answer.text  # the page again, the refusal at its top
    assert cast(client, token, "NOPE-1", FIVE, script=True).status_code == 404
    assert cast(client, token, meeting.key, {"criterion": "charisma", "value": "3"}, script=True).status_code == 400
    assert cast(client, token, meeting.key, {}, script=True).status_code == 400


def test_casting_after_the_reveal(meeting, client):
    token = meeting.links[meeting.board[0]]
    assert cast(client, token, meeting.key, FIVE).status_code == 303
    meeting.portfolio.reveal_ballot(QUARTER, meeting.key)
    answer = cast(client, token, meeting.key, {"criterion": "data-risk", "value": "5"})
    assert answer.status_code == 403 and "have been revealed" in answer.text
    assert meeting.portfolio.seat_page(token).own[Criterion.DATA_RISK] == 2


def test_unsupported_form_encoding_and_size(meeting, client):
    token = meeting.links[meeting.board[0]]
    assert client.post(f"/s/{token}/score", json={"key": meeting.key}).status_code == 415
    big = client.post(f"/s/{token}/score", data={"key": meeting.key, "pad": "x" * 10_000})
    assert big.status_code == 413
    assert client.put(f"/s/{token}/score").status_code == 405


def test_links_never_in_the_access_log(meeting, client, caplog):
    token = meeting.links[meeting.board[0]]
    with caplog.at_level("INFO", logger="labreview.web.access"):
        client.get(f"/s/{token}")
        client.get(f"/s/{token}/live")
        cast(client, token, meeting.key, FIVE)
    lines = [r.getMessage() for r in caplog.records if r.name == "labreview.web.access"]
    assert len(lines) == 3 and all("/s/…" in line for line in lines)
    assert not any(token in line for line in lines)


def test_a_database_that_cannot_be_used_is_said_not_a_traceback(meeting, client, monkeypatch):
    from labreview.domain.errors import StorageError

    token = meeting.links[meeting.board[0]]

    def unavailable(_token):
        raise StorageError("The database is locked by another program; try again in a moment.")

    monkeypatch.setattr(meeting.portfolio, "seat_page", unavailable)
    response = client.get(f"/s/{token}")
    assert response.status_code == 503 and "try again in a moment" in response.text
    assert response.headers["cache-control"] == "no-store"

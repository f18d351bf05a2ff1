"""Nothing cast in secret by another member reaches a page before the reveal, through any endpoint (page, live
fragment, event stream, refusal pages); after the reveal everyone sees the scores, spread and contested flags."""

from __future__ import annotations

import re
import threading
import time

import pytest

from tests.web.conftest import OBSERVER, QUARTER, checked, csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

B_SCORES = {"outcome-impact": 5, "operational-fit": 1, "integration-burden": 5, "data-risk": 1, "economic-value": 5}
A_SCORES = {"outcome-impact": 3, "data-risk": 4}


def post(client, token, key, fields, **headers):
    data = {"key": key, "csrf": csrf_of(client, token), **{k: str(v) for k, v in fields.items()}}
    return client.post(f"/s/{token}/score", data=data, headers=headers, follow_redirects=False)


def assert_nothing_of_b(html: str, own: dict[str, int], b_name: str) -> None:
    """Structurally: the ballot shows only the viewer's own selections; no score table; B's entry in the list of
    voters says that B has scored, never what."""
    assert checked(html) == own
    assert 'class="sheet"' not in html and "<table" not in html
    assert "Mean" not in html and "Spread" not in html and "Contested" not in html
    entries = re.findall(r"<li class=\"(?:done|some|none)\">([^<]*)</li>", html)
    b_entry = next(e for e in entries if e.startswith(b_name))
    assert b_entry == f"{b_name} ✓"
    assert not re.search(r"\d", b_entry)


def test_nothing_cast_by_another_member_leaks_before_the_reveal(meeting, client):
    a, b = meeting.board[0], meeting.board[1]
    ta, tb = meeting.links[a], meeting.links[b]
    assert post(client, tb, meeting.key, B_SCORES).status_code == 303
    assert post(client, ta, meeting.key, A_SCORES).status_code == 303

    responses = {
        "page": client.get(f"/s/{ta}"),
        "fragment": client.get(f"/s/{ta}/live"),
        "saved page": client.get(f"/s/{ta}?saved=1"),
        "refusal page": post(client, ta, "FAC-014", {"data-risk": 2}),  # no ballot there: the page again, 403
        "refused value": post(client, ta, meeting.key, {"criterion": "data-risk", "value": "9"}),
    }
    assert responses["refusal page"].status_code == 403
    assert responses["refused value"].status_code == 400
    for name, response in responses.items():
        assert_nothing_of_b(response.text, A_SCORES, b)
        assert "2 of 8 have scored" not in response.text, name
    json_answer = post(client, ta, meeting.key, {"criterion": "data-risk", "value": "4"}, **{"X-Labreview": "fetch"})
    assert set(json_answer.json()) == {"ok", "progress"}
    assert json_answer.json()["progress"] == "1 of 8 have scored"

    observer = client.get(f"/s/{meeting.links[OBSERVER]}").text
    assert "<table" not in observer and checked(observer) == {}
    assert_nothing_of_b(client.get(f"/s/{tb}").text, B_SCORES, b)  # B sees B's own

    stream = client.get(f"/s/{ta}/events").text  # ends after the test's stream lifetime
    assert all(line == "" or line.startswith((":", "retry:", "event: change", "data: ")) for line in stream.split("\n"))
    assert not re.search(r"data: \D", stream)


def test_after_the_reveal_everyone_sees_the_scores(meeting, client):
    a, b = meeting.board[0], meeting.board[1]
    post(client, meeting.links[b], meeting.key, B_SCORES)
    post(
        client,
        meeting.links[a],
        meeting.key,
        {"outcome-impact": 1, "operational-fit": 4, "integration-burden": 4, "data-risk": 4, "economic-value": 4},
    )
    meeting.portfolio.reveal_ballot(QUARTER, meeting.key)
    for name in (a, b, meeting.board[5], OBSERVER):
        html = client.get(f"/s/{meeting.links[name]}/live").text
        assert 'class="sheet"' in html and "scores revealed" in html
        row = re.search(rf"<th>{re.escape(b)}</th>((?:<td>[^<]*</td>)+)", html)
        assert row is not None, name
        assert re.findall(r"<td>([^<]*)</td>", row.group(1))[:5] == ["5", "1", "5", "1", "5"]
        assert "Contested" in html and 'class="contested"' in html
        assert "<form" not in html


def test_the_event_stream_tells_of_a_change(meeting, client):
    token = meeting.links[meeting.board[0]]

    def later():
        time.sleep(0.3)
        meeting.portfolio.reveal_ballot(QUARTER, meeting.key)

    thread = threading.Thread(target=later)
    thread.start()
    body = client.get(f"/s/{token}/events").text
    thread.join()
    assert body.startswith("retry: 3000\n")
    assert "event: change\ndata: 1\n\n" in body
    assert ": keep-alive" in body
    assert client.app.service.feed.subscribers == set()  # dropped when the stream ended


def test_presence_moves_are_news(meeting, client):
    token = meeting.links[meeting.board[0]]
    portfolio = meeting.portfolio
    other = portfolio.session(QUARTER).agenda[1].key

    def later():
        time.sleep(0.3)
        portfolio.beat(QUARTER, "app-1", other, 0, True)  # another current item: not audited

    thread = threading.Thread(target=later)
    thread.start()
    body = client.get(f"/s/{token}/events").text
    thread.join()
    assert "event: change" in body
    assert f'data-key="{other}"' in client.get(f"/s/{token}/live").text

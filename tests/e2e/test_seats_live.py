"""Eight board members score from their own devices: two facilitators' apps (real processes in terminals) and
``labreview serve`` (a real server) on one portfolio. What members cast shows on both apps' scorecards as a count
("3 of 8 have scored"), never as values; the reveal on one app shows every score on the other and on the members'
pages at once; the portfolio ends with the forty scores, each recorded by its member.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.terminal import Terminal, config_file

pytest.importorskip("starlette", reason="the serve extra is not installed")

Q = "2026-Q4"
FIVE = ("outcome-impact", "operational-fit", "integration-burden", "data-risk", "economic-value")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def form_token(base: str, token: str) -> str:
    """The CSRF token of the member's ballot form, as their browser reads it from the page."""
    status, page = request(f"{base}/s/{token}")
    assert status == 200, page
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[-3000:]
    return found.group(1)


def cast(base: str, token: str, key: str, values: dict[str, int], csrf: str | None = None) -> int:
    """What a member's browser does without JavaScript: read the page's form, post it."""
    csrf = csrf or form_token(base, token)
    body = urllib.parse.urlencode({"key": key, "csrf": csrf, **{c: str(v) for c, v in values.items()}}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(f"{base}/s/{token}/score", data=body), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_for(terminal: Terminal, text: str, timeout: float = 20.0) -> str:
    found = terminal.wait_for(text, timeout=timeout)
    assert found, f"{text!r} never showed:\n{terminal.text()}"
    return terminal.text()


def test_members_score_from_their_seats_and_both_apps_follow_to_the_reveal(sample_target, tmp_path):
    from labreview.portfolio import Portfolio

    target = str(sample_target)
    p = Portfolio.open(target)
    try:
        view = p.start_session(Q)
        key = view.current_key
        p.open_ballot(Q, key)
        board = [a.name for a in p.session(Q).attendees if a.role is not None]
        links = {name: p.issue_seat_link(Q, name).token for name in board}
    finally:
        p.close()
    assert len(board) == 8

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "labreview", "serve", "--db", target, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    apps: list[Terminal] = []
    try:
        assert "serving personal links at" in server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        for name in ("first", "second"):
            folder = tmp_path / name
            folder.mkdir()
            terminal = Terminal(["--db", target], env={"LABREVIEW_CONFIG": str(config_file(folder))}, rows=40, cols=150)
            apps.append(terminal)
            wait_for(terminal, "Attending (")
            terminal.press("s")
        for terminal in apps:
            wait_for(terminal, "0 of 8 have scored")

        # One member scores: both apps count them, neither shows a value.
        first = board[0]
        form = form_token(base, links[first])
        assert cast(base, links[first], key, dict.fromkeys(FIVE, 5), form) == 303
        for terminal in apps:
            screen = wait_for(terminal, "1 of 8 have scored")
            assert "●" in screen and not re.search(r"Outcome impact\s+5", screen)

        # The seven others, each their own values.
        for offset, name in enumerate(board[1:], start=1):
            assert cast(base, links[name], key, {c: 1 + (offset + i) % 5 for i, c in enumerate(FIVE)}) == 303
        for terminal in apps:
            wait_for(terminal, "8 of 8 have scored")
        status, page = request(f"{base}/s/{links[first]}/live")
        assert status == 200 and "8 of 8 have scored" in page and "Mean" not in page

        # The first app reveals: the second app and the members' pages show the scores.
        apps[0].press("U")
        for terminal in apps:
            screen = wait_for(terminal, "Board: 8 reviewers")
            assert "●" not in screen and re.search(r"Outcome impact\s+5", screen)
        status, page = request(f"{base}/s/{links[board[3]]}/live")
        assert status == 200 and 'data-state="revealed"' in page
        # After the reveal a member cannot change their score any more (the form, posted again, is refused).
        assert 'id="ballot-form"' not in request(f"{base}/s/{links[first]}")[1]
        assert cast(base, links[first], key, dict.fromkeys(FIVE, 1), form) == 403
    finally:
        for terminal in apps:
            terminal.press("ctrl+q")
        for terminal in apps:
            deadline = time.monotonic() + 20
            while not terminal.exited and time.monotonic() < deadline:
                terminal.pump(0.1)
            terminal.close()
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    for terminal in apps:
        assert "Traceback" not in bytes(terminal.raw).decode("utf-8", "replace")

    p = Portfolio.open(target)
    try:
        sheet = p.score_sheet(Q, key)
        assert sheet.summary.reviewers == 8 and len(sheet.scores) == 40
        casts = [e for e in p.audit_log(200) if e.action == "cast score"]
        assert {e.actor for e in casts} == set(board)
    finally:
        p.close()

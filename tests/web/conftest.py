"""A meeting under way for the seat service's tests: the sample's 2026-Q4 session started, a secret ballot open on
its current item, a personal link for each of the eight board members and for an observer who is not on the board."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")

with warnings.catch_warnings():  # Starlette would rather have httpx2 (not packaged here); httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from labreview.web.app import Options, create_app
from labreview.web.security import Limits, csrf_token

QUARTER = "2026-Q4"
OBSERVER = "Nora Observer"


@dataclass
class Meeting:
    portfolio: object
    key: str
    links: dict[str, str]
    """Each attendee's personal link's secret, by name."""
    board: list[str]
    """The attending board members' names, in the session's order."""


@pytest.fixture
def meeting(sample_target):
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(sample_target)
    try:
        view = portfolio.start_session(QUARTER)
        portfolio.add_person(OBSERVER, email="nora@example.org")
        portfolio.set_attendance(QUARTER, OBSERVER, True)
        portfolio.open_ballot(QUARTER, view.current_key)
        board = [p.name for p in portfolio.session(QUARTER).attendees if p.role is not None]
        links = {name: portfolio.issue_seat_link(QUARTER, name).token for name in [*board, OBSERVER]}
        yield Meeting(portfolio, view.current_key, links, board)
    finally:
        portfolio.close()


def make_client(portfolio, **options) -> TestClient:
    limits = options.pop("limits", Limits(reads=(1000, 1000), writes=(1000, 1000), guesses=(1000, 1000)))
    app = create_app(
        portfolio,
        public_url=options.pop("public_url", "https://board.example.org"),
        options=Options(limits=limits, poll_interval=0.05, heartbeat=0.2, stream_lifetime=1.0, **options),
    )
    return TestClient(app)


@pytest.fixture
def client(meeting):
    with make_client(meeting.portfolio) as c:
        yield c


def csrf_of(client: TestClient, token: str) -> str:
    return csrf_token(client.app.service.secret, token)


def checked(html: str) -> dict[str, int]:
    """The ballot's selected values, by criterion, as the page shows them."""
    return {
        name: int(value)
        for name, value in re.findall(r'<input type="radio" name="([a-z-]+)" value="(\d)" checked>', html)
    }

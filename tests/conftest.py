"""Shared fixtures: a fresh portfolio with a board, and a scratch copy of the sample portfolio."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests import backends

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample.db"
MEETING_DAY = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)


class TickingClock:
    """A clock for tests: starts on the meeting day and advances a second per reading."""

    def __init__(self, start: dt.datetime = MEETING_DAY) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: about the SQLite file itself (its bytes, its -wal, its folder); skipped on PostgreSQL"
    )
    config.addinivalue_line("markers", "postgres: needs the PostgreSQL test server (runs in both suite runs)")


def pytest_collection_modifyitems(config, items) -> None:
    if backends.BACKEND != "postgres":
        return
    skip = pytest.mark.skip(reason="about the SQLite file itself (sqlite_only)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus) -> None:
    backends.close()


@pytest.fixture
def pg_url():
    """A fresh PostgreSQL database at the schema's head, on the test server, whatever the backend; dropped after."""
    server = backends.server()
    url = server.fresh()
    yield url
    server.drop(url)


@pytest.fixture
def pg_empty_url():
    """A fresh, empty PostgreSQL database (no tables) on the test server; dropped after."""
    server = backends.server()
    url = server.fresh(migrated=False)
    yield url
    server.drop(url)


@pytest.fixture
def db_target(tmp_path: Path, request):
    """Where a test's new portfolio lives on the selected backend: a file path in ``tmp_path`` (SQLite),
    or a fresh database at the schema's head (PostgreSQL). ``Portfolio.open(db_target, create=True)``
    works on both."""
    if backends.BACKEND == "sqlite":
        return tmp_path / "p.db"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def sample_target(tmp_path: Path):
    """The sample portfolio, to be changed, on the selected backend: a scratch copy of ``data/sample.db``
    (SQLite), or a fresh database holding the same rows (PostgreSQL), dropped after."""
    if backends.BACKEND == "sqlite":
        target = tmp_path / "sample.db"
        shutil.copyfile(SAMPLE, target)
        yield target
        return
    server = backends.server()
    url = server.sample()
    yield url
    server.drop(url)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sample.db"
    shutil.copyfile(SAMPLE, target)
    return target


@pytest.fixture
def empty_portfolio(db_target, clock: TickingClock):
    from labreview.portfolio import Portfolio

    portfolio = Portfolio.open(db_target, create=True, actor="Tess Facilitator", clock=clock)
    yield portfolio
    portfolio.close()


@pytest.fixture
def portfolio(empty_portfolio):
    """A small portfolio: a board covering every role, two owners, three initiatives, a planned session."""
    p = empty_portfolio
    for name, role in (
        ("Dana Sponsor", "sponsor"),
        ("Ines Innovation", "innovation-lead"),
        ("Mo Martech", "martech-lead"),
        ("Olga Ops", "marketing-ops"),
        ("Ali Analytics", "analytics-lead"),
        ("Sue Security", "security-partner"),
        ("Pat Privacy", "privacy-partner"),
        ("Fay Finance", "finance"),
        ("Pia Privacy", "privacy-partner"),
    ):
        p.add_person(name, role)
    p.add_person("Oscar Owner")
    p.create_initiative(
        "LAB-1",
        "Churn model",
        category="capability",
        owner="Oscar Owner",
        quarterly_cost=1_000_000,
        ai_heavy=True,
        intake={"data_sensitivity": "pseudonymous"},
        baseline="3 %",
        target_lift="+1 pt",
        test_period="8 weeks",
        operational_threshold="none",
    )
    p.create_initiative(
        "LAB-2",
        "Subject lines",
        category="efficiency",
        owner="Ines Innovation",
        quarterly_cost=500_000,
        intake={"data_sensitivity": "identifiable"},
    )
    p.create_initiative(
        "FAC-1", "CRM", stage="factory", category="capability", owner="Olga Ops", quarterly_cost=8_500_000
    )
    attendees = [
        "Dana Sponsor",
        "Ines Innovation",
        "Mo Martech",
        "Olga Ops",
        "Sue Security",
        "Pat Privacy",
        "Pia Privacy",
    ]
    p.create_session("2026-Q4", held_on=dt.date(2026, 11, 23), facilitator="Ines Innovation", attendees=attendees)
    for key in ("LAB-1", "LAB-2", "FAC-1"):
        p.toggle_agenda("2026-Q4", key)
    return p

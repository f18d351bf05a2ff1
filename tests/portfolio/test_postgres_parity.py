"""PostgreSQL gives what SQLite gives: the backlog's free-text and owner filters, the palette's ``jump:``, the
memory index, the first-frame preview, the minutes (byte for byte) and the order of text, even on a database
whose default collation is ICU's (``A_3 a-1 A-2``).

The sample portfolio is copied row for row into a PostgreSQL database (``backends.Server.sample``, through
``labreview db copy``'s code), so that both backends hold the same data, ids included; each test compares the two.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
import sys

import pytest
from sqlalchemy import text

from labreview.domain.backlog_query import Order
from labreview.exchange import minutes, minutes_html
from labreview.portfolio import Portfolio, parse_filter
from labreview.portfolio.backlog import Backlog
from labreview.portfolio.startup import backlog_peek, screen_peek
from tests import backends
from tests.conftest import SAMPLE, TickingClock

pytestmark = pytest.mark.postgres

FILTERS = ["", "predictive", "owner:kim", "owner:r", "stage:trans owner:r", "track:iterate ai", "pilot model",
           "xyz-nothing", "50%", "a_b", "agenda:yes", "gate:2 data"]  # fmt: skip
COLUMNS = ["key", "title", "stage", "category", "owner", "cost", "track", "gate", "tier", "score", "spread", "decision"]
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
TRICKY = ["A_3", "a-1", "A-2", "A.1", "a1", "AB", "B", "X_", "Z-1", "0-9"]
"""Keys (stored upper-cased) and titles that ICU and glibc sort otherwise than byte order does."""


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The sample portfolio on SQLite and the same rows on PostgreSQL, opened alike."""
    server = backends.server()
    path = tmp_path_factory.mktemp("parity") / "sample.db"
    shutil.copyfile(SAMPLE, path)
    url = server.sample()  # the same rows, copied by labreview db copy's own code
    opened = []
    try:
        for target in (path, url):
            opened.append(Portfolio.open(target, actor="t", clock=TickingClock(), weights={"outcome-impact": 2}))
        yield tuple(opened)
    finally:
        for portfolio in opened:
            portfolio.close()
        server.drop(url)


def keys(portfolio, ids):
    return [row.key for row in portfolio.backlog_rows_by_id(ids)]


def with_session(portfolio, text_):
    session = portfolio.active_session()
    filters = parse_filter(text_)
    return filters.__class__(**{**filters.__dict__, "agenda_session": session.id}), {e.key for e in session.agenda}


def test_the_copy_is_on_postgresql(both):
    lite, pg = both
    assert lite.engine.dialect.name == "sqlite" and pg.engine.dialect.name == "postgresql"


@pytest.mark.parametrize("text_", FILTERS)
def test_filters_and_orders_in_sql_give_the_same_rows(both, text_):
    lite, pg = both
    for column, descending, grouped in itertools.product(COLUMNS, (False, True), (False, True)):
        order = Order(column, descending, grouped)
        expected = lite.backlog_index(with_session(lite, text_)[0], order)
        found = pg.backlog_index(with_session(pg, text_)[0], order)
        assert found == expected, (text_, column, descending, grouped)
    filters = with_session(pg, text_)[0]
    assert pg.backlog_count(filters) == lite.backlog_count(with_session(lite, text_)[0])
    assert pg.backlog_stage_counts(filters) == lite.backlog_stage_counts(with_session(lite, text_)[0])


def test_free_text_and_owner_filters_find_rows_on_postgresql(both):
    _lite, pg = both
    assert pg.backlog(parse_filter("predictive")).total > 0
    kim = pg.backlog(parse_filter("owner:kim"), limit=100).rows
    assert kim and all("kim" in row.owner.lower() for row in kim)
    assert pg.backlog(parse_filter("xyz-nothing")).total == 0


@pytest.mark.parametrize("wanted", ["exp", "EXP-1", "model", "personal", "zz-none"])
def test_jump_finds_the_same_initiatives(both, wanted):
    lite, pg = both
    assert pg.find_initiatives(wanted) == lite.find_initiatives(wanted)
    if wanted != "zz-none":
        assert pg.find_initiatives(wanted)


@pytest.mark.parametrize("text_", FILTERS)
def test_the_memory_index_loads_on_postgresql_and_serves_what_sql_does(both, text_):
    lite, pg = both
    index = pg.backlog_memory_index()
    assert len(index) == len(lite.backlog_memory_index()) > 0
    filters, agenda = with_session(pg, text_)
    for column, descending, grouped in itertools.product(COLUMNS, (False, True), (False, True)):
        order = Order(column, descending, grouped)
        assert list(index.select(parse_filter(text_), order, agenda)) == pg.backlog_index(filters, order), (
            text_, column, descending, grouped,
        )  # fmt: skip


def test_the_backlog_serves_from_the_index_on_postgresql(both):
    _lite, pg = both
    backlog = Backlog(pg)
    backlog.load()
    assert backlog.in_memory
    filters, agenda = with_session(pg, "predictive")
    view = backlog.view(filters, Order("title"), agenda)
    sql = Backlog(pg).view(filters, Order("title"), agenda)
    assert view.in_memory and view.length == sql.length > 0
    assert view.fetch(0, view.length) == sql.fetch(0, sql.length)


@pytest.mark.parametrize("quarter", QUARTERS)
def test_minutes_are_byte_identical_on_both_backends(both, quarter):
    lite, pg = both
    assert minutes.render(pg, quarter) == minutes.render(lite, quarter)
    assert minutes_html.render(pg, quarter) == minutes_html.render(lite, quarter)


@pytest.mark.parametrize("form", ["markdown", "html"])
def test_minutes_from_the_command_line_on_postgresql(both, form):
    """``labreview minutes --db URL`` (read with plain psycopg) prints what it prints for the file (read with
    plain sqlite3)."""
    lite, pg = both
    printed = []
    for db in (lite.engine.url.database, pg.engine.url.render_as_string(hide_password=False)):
        result = subprocess.run(
            [sys.executable, "-m", "labreview", "minutes", "2026-Q3", "--format", form, "-o", "-", "--db", db],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        printed.append(result.stdout)
    assert printed[0] == printed[1] and "2026-Q3" in printed[0]


def test_the_command_line_reads_the_minutes_on_postgresql_without_sqlalchemy(both, tmp_path):
    """Checking the server and reading the minutes take psycopg alone: SQLAlchemy and the models took 0.5 s of
    the command's 1 s (1,000 decisions), twice what the whole command takes on a file."""
    _lite, pg = both
    url = pg.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "m.html"
    code = (
        "import sys; from labreview.cli import main; "
        f"code = main(['minutes', '2026-Q3', '--format', 'html', '--db', {url!r}, '-o', {str(out)!r}]); "
        "assert code == 0, code; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic')); "
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip().endswith("[]"), done.stdout + done.stderr
    assert "Audit log head" in out.read_text(encoding="utf-8")


def test_the_first_frame_preview_reads_postgresql(both):
    lite, pg = both
    url = pg.engine.url.render_as_string(hide_password=False)
    path = lite.engine.url.database
    assert screen_peek(url) is not None
    assert screen_peek(url) == screen_peek(path)
    assert backlog_peek(url, limit=15) == backlog_peek(path, limit=15)
    assert backlog_peek(url, limit=15).total > 15
    stopped = url.rpartition("/")[0] + "/lrt_no_such_database"
    assert screen_peek(stopped) is None and backlog_peek(stopped, limit=5) is None


# ---------------------------------------------------------------------- the order of text


def tricky(target, clock):
    """A portfolio with keys, titles and owners that collations disagree on, made by the same calls anywhere."""
    p = Portfolio.open(target, create=True, actor="Tess Facilitator", clock=clock)
    for name in ("a-1 Owner", "A_3 Owner", "A-2 Owner", "Émile", "zoë", "Zed"):
        p.add_person(name)
    for number, (key, owner) in enumerate(zip(TRICKY, itertools.cycle(p.people()), strict=False)):
        p.create_initiative(key, key.lower() if number % 2 else key, category="capability", owner=owner.name)
    p.create_session("2026-Q4", held_on=dt.date(2026, 11, 23), facilitator="Zed", attendees=["Zed", "zoë", "Émile"])
    for key in TRICKY:
        p.toggle_agenda("2026-Q4", key)
    return p


@pytest.fixture
def tricky_both(tmp_path):
    server = backends.server()
    url = server.fresh_icu()
    made = []
    try:
        with backends.connection_to(url) as connection:  # the database itself sorts as ICU does
            found = connection.execute(text("SELECT k FROM unnest(ARRAY['A-2', 'a-1', 'A_3']) k ORDER BY k"))
            assert [k for (k,) in found] == ["A_3", "a-1", "A-2"]
        for target in (tmp_path / "tricky.db", url):
            made.append(tricky(target, TickingClock()))
        yield tuple(made)
    finally:
        for portfolio in made:
            portfolio.close()
        server.drop(url)


def test_every_text_column_compares_byte_by_byte(pg_url):
    with backends.connection_to(pg_url) as connection:
        found = connection.execute(
            text(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')"
                " AND table_name <> 'alembic_version'"
            )
        ).all()
    assert found and all(collation == "C" for _table, _column, collation in found), found


def test_text_sorts_as_on_sqlite_in_an_icu_database(tricky_both):
    lite, pg = tricky_both
    in_bytes = sorted(k.upper() for k in TRICKY)
    for column, descending in itertools.product(COLUMNS, (False, True)):
        order = Order(column, descending)
        found = keys(pg, pg.backlog_index(parse_filter(""), order))
        assert found == keys(lite, lite.backlog_index(parse_filter(""), order)), (column, descending)
        if column == "key":
            assert found == (in_bytes[::-1] if descending else in_bytes)
    assert [p.name for p in pg.people()] == [p.name for p in lite.people()]
    assert pg.find_initiatives("a") == lite.find_initiatives("a")
    for quarter in ("2026-Q4",):
        assert minutes.render(pg, quarter) == minutes.render(lite, quarter)
    index = pg.backlog_memory_index()
    for column, descending in itertools.product(COLUMNS, (False, True)):
        order = Order(column, descending)
        assert list(index.select(parse_filter(""), order)) == pg.backlog_index(parse_filter(""), order)


def test_owner_filter_folds_case_as_sqlite_does(tricky_both):
    lite, pg = tricky_both
    for wanted in ("owner:a-1", "owner:a_3", "owner:ZOË", "owner:zoë", "owner:émile", "owner:ed", "a_"):
        filters = parse_filter(wanted)
        assert keys(pg, pg.backlog_index(filters, Order("key"))) == keys(
            lite, lite.backlog_index(filters, Order("key"))
        ), wanted

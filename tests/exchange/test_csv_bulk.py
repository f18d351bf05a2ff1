"""The bulk paths of the CSV import: what they must keep exactly as the plain paths do.

Large imports drop and rebuild the secondary indexes of ``initiative`` inside their
transaction, read ids back by arithmetic, and report created initiatives lazily;
the reader splits lines and parses money and choices through fast paths. None of
that may change what is stored or reported. No timings here (see ``benchmarks/``).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Category, Stage, parse_money
from labreview.exchange import csv_read, csv_report
from labreview.portfolio import importing, parse_filter
from labreview.portfolio.importing import plan as import_plan
from labreview.portfolio.importing import write as import_write
from labreview.store import queries
from labreview.store.models import Initiative, Intake, Person
from tests import backends


def indexes(p) -> list[tuple[str, str]]:
    with p.engine.connect() as c:
        if c.dialect.name == "postgresql":
            return c.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'initiative' ORDER BY indexname")
            ).all()
        return c.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'initiative' ORDER BY name")
        ).all()


def rows_csv(count: int, start: int = 0) -> str:
    lines = ["key,title,stage,category,owner,quarterly_cost,renewal_date,ai_heavy,data_sensitivity"]
    for n in range(start, start + count):
        lines.append(
            f"B-{n:04d},Bulk item {n},{'factory' if n % 3 else 'lab'},capability,Owner {n % 4},{n}.5,"
            f"{'2027-01-31' if n % 2 else ''},{'yes' if n % 5 == 0 else ''},{'pseudonymous' if n % 7 == 0 else ''}"
        )
    return "\n".join(lines) + "\n"


def load(p, tmp_path, content: str, **options):
    path = tmp_path / "bulk.csv"
    path.write_text(content, encoding="utf-8")
    return csv_read.import_file(p, path, **options)


def test_a_bulk_import_rebuilds_the_indexes_it_dropped(portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(import_write, "DEFER_INDEXES_FROM", 5)
    before = indexes(portfolio)
    _parsed, report = load(portfolio, tmp_path, rows_csv(40))
    assert report.written and len(report.created) == 40
    assert indexes(portfolio) == before
    view = portfolio.initiative("B-0035")
    assert view.stage is Stage.FACTORY and view.quarterly_cost == 3550 and view.ai_heavy
    assert view.renewal_date.isoformat() == "2027-01-31" and view.owner.name == "Owner 3"
    with portfolio.engine.connect() as c:
        assert c.execute(select(func.count()).select_from(Intake)).scalar_one() == 43  # 3 of the fixture
        ids = c.execute(select(Initiative.key, Initiative.id).where(Initiative.key.like("B-%"))).all()
    assert [k for k, _id in sorted(ids, key=lambda r: r[1])] == [f"B-{n:04d}" for n in range(40)]
    assert portfolio.backlog_count(parse_filter("bulk item 12")) == 1


def test_a_bulk_import_that_fails_while_writing_leaves_everything_as_it_was(portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(import_write, "DEFER_INDEXES_FROM", 5)
    before = indexes(portfolio)
    keys = portfolio.initiative_keys()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_write, "_new_ids", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(portfolio, tmp_path, rows_csv(20))
    assert indexes(portfolio) == before
    assert portfolio.initiative_keys() == keys


def test_new_ids_are_read_back_when_they_are_not_in_key_order(portfolio, tmp_path):
    _parsed, report = load(portfolio, tmp_path, rows_csv(6))
    creates = [import_plan._Create(c.line, c.key, (), (), "", None) for c in report.created]
    with portfolio.engine.connect() as c:
        newest = c.execute(select(func.min(Initiative.id)).where(Initiative.key.like("B-%"))).scalar_one() - 1
        expected = [c.execute(select(Initiative.id).where(Initiative.key == k.key)).scalar_one() for k in creates]
    with Session(portfolio.engine) as session:
        assert list(import_write._new_ids(session, newest, creates)) == expected
        assert list(import_write._new_ids(session, newest, creates[::-1])) == expected[::-1]


def test_the_report_of_created_initiatives_is_a_sequence(portfolio, tmp_path):
    _parsed, report = load(portfolio, tmp_path, rows_csv(4), dry_run=True)
    created = report.created
    assert len(created) == 4 and bool(created)
    assert [c.key for c in created] == ["B-0000", "B-0001", "B-0002", "B-0003"]
    assert created[-1].key == "B-0003" and [c.key for c in created[1:3]] == ["B-0001", "B-0002"]
    first = created[0]
    assert first.title == "Bulk item 0" and first.stage == "lab" and first.line == 2
    assert first.values["owner"] == "Owner 0" and first.values["data_sensitivity"] == "pseudonymous"
    assert first.values["quarterly_cost"] == 50 and first.values["sponsor"] is None
    assert created == tuple(created) and created == list(created)
    again = csv_read.import_file(portfolio, tmp_path / "bulk.csv", dry_run=True)[1]
    assert again == report


@pytest.mark.parametrize(
    "text",
    [
        "key,title\r\nA-1,one\r\nA-2,two\r\n",
        "key,title\rA-1,one\rA-2,two",
        'key,title\nA-1,"line\u2028separator and \x0c form feed"\nA-2,"cr\rinside"\n',
        'key,title\n"A-1","x\r\ny"\n\nA-2,z',
    ],
)
def test_lines_are_split_as_a_csv_file_splits_them(text):
    assert list(csv_read._lines(text)) == list(io.StringIO(text, newline=""))
    parsed = csv_read.parse_text(text)
    assert [r.key for r in parsed.records] == ["A-1", "A-2"]


def test_unicode_blanks_are_every_blank_beyond_ascii():
    blanks = "".join(c for c in map(chr, range(0x80, 0x110000)) if c.isspace())
    assert blanks == csv_read.UNICODE_BLANKS


@pytest.mark.parametrize("blank", ["\xa0", "\u3000 ", "\u2028", "\x85\t"])
def test_a_cell_of_unicode_blanks_is_empty(blank):
    text = f"key,title,vendor\nK-1,T,{blank}\nK-2,T,Acme\n"
    assert [dict(r.fields) for r in csv_read.parse_text(text).records] == [
        {"title": "T"},
        {"title": "T", "vendor": "Acme"},
    ]


def test_lines_of_a_large_file_are_split_as_a_csv_file_splits_them():
    row = 'K-{n},"a title, quoted",\r\n'
    text = "key,title,x\r\n" + "".join(row.format(n=n) for n in range(120_000)) + 'K-X,"two\r\nlines",last'
    assert len(text) > 3 * 2**20  # several pieces
    assert list(csv_read._lines(text)) == list(io.StringIO(text, newline=""))
    assert list(csv_read._lines(text + "\n")) == list(io.StringIO(text + "\n", newline=""))


def spanning_rows(count: int) -> str:
    """Rows of which some have values over two, three lines, some blank lines and a lone carriage return."""
    rows = ["key,title,description"]
    for n in range(count):
        if n % 7 == 0:
            rows.append(f'K-{n},"two\r\nlines",x')
        elif n % 11 == 0:
            rows.append(f'K-{n},t,"three\nline\r\nvalue"')
        elif n % 13 == 0:
            rows.append(",,")
        elif n % 17 == 0:
            rows.append("")
        else:
            rows.append(f"K-{n},t{n},")
    return "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("text", [spanning_rows(5000), spanning_rows(5000).replace("lines", "li\rnes", 3)])
def test_rows_read_by_chunks_start_on_the_lines_they_start_on_row_by_row(text, monkeypatch):
    by_chunks = csv_read.parse_text(text)

    def not_counted(*_args):
        raise csv_read._LinesNotCounted

    monkeypatch.setattr(csv_read, "_rows_by_chunks", not_counted)
    row_by_row = csv_read.parse_text(text)
    assert list(by_chunks.records) == list(row_by_row.records)
    last = by_chunks.records[-1]
    assert last.key == "K-4999" and last.line == starting_line(text, "K-4999")


def starting_line(text: str, what: str) -> int:
    return 1 + len(re.findall(r"\r\n|\r|\n", text[: text.index(what)]))


def test_a_malformed_row_after_the_first_chunks_is_reported_on_its_line():
    text = spanning_rows(5000).replace("K-4500,t4500,", 'K-4500,"t"4500,', 1)
    with pytest.raises(InvalidInput) as refused:
        csv_read.parse_text(text)
    assert refused.value.message.startswith(f"the file, line {starting_line(text, 'K-4500')}: the CSV is malformed")


@pytest.mark.parametrize(
    "cell", ["12500", "12500.5", "12500.50", "0.05", "007", " 42 ", "999999999999999.99", "1,250", "€ 9 000", "+5"]
)
def test_money_cells_without_a_decimal_comma_read_as_parse_money_reads_them(cell):
    assert csv_read.read_money(cell) == parse_money(cell.strip())


def test_a_very_long_amount_is_refused_in_words(portfolio, tmp_path):
    _parsed, report = load(portfolio, tmp_path, "key,title,category,owner,cost\nM-1,t,capability,O,9" + "9" * 30 + "\n")
    assert [p.message for p in report.problems] == ["That quarterly cost is too large to be real."]


def test_choices_read_by_value_label_or_name_in_any_spacing():
    read = csv_read._choice_reader(Category)
    for cell in ("risk-mitigation", "Risk Mitigation", " risk_mitigation ", "RISK_MITIGATION", "risk mitigation"):
        assert read(cell) is Category.RISK_MITIGATION
    with pytest.raises(InvalidInput, match="'nope' is not a category"):
        read(" nope ")
    with pytest.raises(InvalidInput, match="'nope' is not a category"):
        read(" nope ")  # refused every time, not remembered


# ---------------------------------------------------------------------- column by column, as record by record

MESSY_NEW = (
    "Key,Title,Stage,Category,Owner,Sponsor,Cost,Renewal,AI,Track,Vendor,Description,Baseline,"
    "Data Sensitivity,Success Metric,Exit Plan,Notes\r\n"
    'n-1,  Padded title ,lab,capability,Ann Lee,, 12500 ,2027-01-31,yes,,\'=SUM(A1),"two\r\nlines",,,,,x\r\n'
    'N-2,\'quoted,Factory,Risk Mitigation,  ann   LEE ,Bob,"12.500,50",,no,lab,Acme,,b,pseudonymous,,\u3000,\r\n'
    "n.3_x,(paren,,efficiency,Émile Zola,\u00a0,0,2027-01-31 00:00,x,factory,,\u2028text,,,revenue lift,plan,\r\n"
    "N-4,Ünïcödé,retired,capability,Jo Straße,bob,\"€ 9 000\",,,,\t,d,'',Identifiable,efficiency,,junk\r\n"
    "\r\n"
    "N-5,~tilde,transition,performance,JO  STRASSE,Ann Lee,7,,1,,v,\x7fdel,'x,,,e,\r\n"
)


_made: list[str] = []
"""The PostgreSQL databases ``fresh`` made in the current test, dropped after it."""


@pytest.fixture(autouse=True)
def _drop_fresh_databases():
    yield
    while _made:
        backends.server().drop(_made.pop())


def fresh(tmp_path, name):
    """A new portfolio on the selected backend: a file in ``tmp_path``, or a new database on the test server."""
    from labreview.portfolio import Portfolio
    from tests.conftest import TickingClock

    target = tmp_path / f"{name}.db"
    if backends.BACKEND == "postgres":
        target = backends.server().fresh()
        _made.append(target)
    return Portfolio.open(target, create=True, actor="Tess Facilitator", clock=TickingClock())


def stored(p) -> dict[str, list[tuple]]:
    with p.engine.connect() as c:
        return {
            table: c.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()  # the primary key
            for table in ("initiative", "intake", "person", "audit_event")
        }


def imported_both_ways(tmp_path, monkeypatch, files: list[str], **options):
    """Import ``files`` in turn into two new portfolios: as the reader and the planner go (column by column
    when they can), and record by record; return what each reported, said and stored."""
    results = []
    for way in ("as it goes", "record by record"):
        p = fresh(tmp_path, way.replace(" ", "-"))
        said = []
        with monkeypatch.context() as m:
            if way == "record by record":
                m.setattr(csv_read._Columns, "records", lambda _self, _lines: None)
            for n, content in enumerate(files):
                path = tmp_path / way / f"import-{n}.csv"
                path.parent.mkdir(exist_ok=True)
                path.write_text(content, encoding="utf-8", newline="")
                parsed, report = csv_read.import_file(p, path, **options)
                said.append((list(parsed.records), report, csv_report.describe(parsed, report, currency="EUR")))
        results.append((said, stored(p)))
        p.close()
    return results


def spy_columns(monkeypatch) -> list[bool]:
    """Whether each plan was made column by column."""
    taken: list[bool] = []
    plan_columns = import_plan._plan_columns

    def spy(*args):
        plan = plan_columns(*args)
        taken.append(plan is not None)
        return plan

    monkeypatch.setattr(import_plan, "_plan_columns", spy)
    return taken


def test_a_readable_file_is_read_column_by_column_into_the_same_records():
    parsed = csv_read.parse_text(MESSY_NEW)
    assert isinstance(parsed.records, importing.RecordColumns)
    header, *rows = list(csv.reader(io.StringIO(MESSY_NEW, newline="")))
    readers = csv_read._readers(csv_read._map_header(header, "x"))
    lines = [2, 4, 5, 6, 8]
    expected = [
        csv_read._record(importing.ImportRecord, line, cells, readers, len(header), 0)
        for line, cells in zip(lines, [r for r in rows if r], strict=True)
    ]
    assert list(parsed.records) == expected
    assert parsed.records[1:3] == expected[1:3] and parsed.records[-1] == expected[-1]
    assert expected[0].fields["title"] == "  Padded title " and "sponsor" not in expected[0].fields


@pytest.mark.parametrize("options", [{}, {"dry_run": True}])
def test_new_initiatives_checked_column_by_column_are_stored_as_record_by_record(tmp_path, monkeypatch, options):
    taken = spy_columns(monkeypatch)
    as_it_goes, one_by_one = imported_both_ways(tmp_path, monkeypatch, [MESSY_NEW], **options)
    assert taken == [True]
    assert as_it_goes == one_by_one
    said, rows = as_it_goes
    assert said[0][1].undoable is not options.get("dry_run", False) and len(said[0][1].created) == 5
    assert len(rows["initiative"]) == (0 if options else 5)
    if not options:  # the search text names the owner as stored: "Jo Straße" on both N-4 and N-5
        p = fresh(tmp_path, "again")
        csv_read.import_file(p, tmp_path / "as it goes" / "import-0.csv")
        with p.engine.connect() as c:
            found = c.execute(
                select(Initiative.key, Initiative.title, Person.name, Initiative.vendor)
                .add_columns(Initiative.description, Initiative.search_text)
                .join(Person, Person.id == Initiative.owner_id)
            ).all()
        p.close()
        assert [row[-1] for row in found] == [queries.search_text(*row[:-1]) for row in found]
        assert {row[2] for row in found if row[0] in ("N-4", "N-5")} == {"Jo Straße"}


def test_a_large_import_column_by_column_is_stored_as_record_by_record(tmp_path, monkeypatch):
    monkeypatch.setattr(import_write, "DEFER_INDEXES_FROM", 5)
    monkeypatch.setattr(import_write, "FULL_AUDIT_LIMIT", 10)
    taken = spy_columns(monkeypatch)
    both = imported_both_ways(tmp_path, monkeypatch, [rows_csv(30), rows_csv(20, start=30)])
    assert taken == [True, True]
    assert both[0] == both[1]


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (rows_csv(3, start=2), "keys already stored"),
        (rows_csv(2, start=10) + "B-0010,again,lab,capability,O,1,,,\n", "a key twice"),
        (rows_csv(2, start=10).replace("Bulk item 10", " "), "an empty title"),
        (rows_csv(2, start=10).replace("capability", "", 1).replace(",capability,", ",,", 1), "no category"),
        (rows_csv(2, start=10).replace("Owner 2", "O" * 121), "a name too long"),
        (rows_csv(2, start=10).replace("B-0010", "B 10"), "a key that is not usable"),
        (rows_csv(2, start=10).replace("10.5", "-3"), "a value that does not read"),
    ],
)
def test_what_is_not_all_new_and_clean_is_checked_record_by_record(tmp_path, monkeypatch, second, why):
    taken = spy_columns(monkeypatch)
    both = imported_both_ways(tmp_path, monkeypatch, [rows_csv(5), second], skip_invalid=True)
    assert both[0] == both[1], why
    assert taken[0] is True and taken[1:] in ([False], []), why  # [] when the reader already went row by row


def test_search_texts_are_search_text_row_by_row():
    columns = (["K-1", "K-2"], ["A Title", ""], ["Ann", "Bob"], ["", "Vend"], ["Desc ÄÖ", "x"])
    assert queries.search_texts(*columns) == [queries.search_text(*row) for row in zip(*columns, strict=True)]


def test_columns_left_out_of_a_bulk_insert_are_null_because_none_has_a_default(portfolio):
    """The bulk insert leaves out the columns that are NULL in every row, as SQLite (or PostgreSQL) then stores
    NULL. On PostgreSQL the id's serial sequence is the one default, and the id is never given."""
    with portfolio.engine.connect() as c:
        for table in ("initiative", "intake"):
            if c.dialect.name == "postgresql":
                defaults = c.execute(
                    text("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = :t"),
                    {"t": table},
                ).all()
                defaults = [(n, d) for n, d in defaults if not (n == "id" and d.startswith("nextval("))]
            else:
                defaults = [(row[1], row[4]) for row in c.exec_driver_sql(f"PRAGMA table_info({table})")]
            assert [name for name, default in defaults if default is not None] == [], table


@pytest.mark.parametrize(
    "costs",
    [
        [100, 200, 300, importing.ABSENT, 500],
        [True, importing.ABSENT, 1, 200, 300],  # True == 1 (chunks of 2), but a cost of True is refused
    ],
)
def test_columns_checked_by_chunks_give_what_records_one_by_one_give(tmp_path, monkeypatch, costs):
    monkeypatch.setattr(import_plan, "CHECK_CHUNK", 2)
    taken = spy_columns(monkeypatch)
    n = len(costs)
    batch = importing.RecordColumns(
        list(range(2, n + 2)),
        [f"C-{i}" for i in range(n)],
        {
            "title": [f"Title {i} " for i in range(n)],
            "category": [Category.CAPABILITY] * n,
            "owner": ["Ann  Lee", "ann lee", "Bob", "Cy", "Bob"],
            "quarterly_cost": costs,
        },
    )
    results = []
    for name, records in (("columns", batch), ("records", list(batch))):
        p = fresh(tmp_path, name)
        report = p.import_initiatives(records, skip_invalid=True, source="a batch")
        results.append((report, stored(p)))
        p.close()
    assert results[0] == results[1]
    assert taken == [costs[0] is not True]

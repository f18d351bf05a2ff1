"""The bulk paths of the CSV import: what they must keep exactly as the plain paths do.

Large imports drop and rebuild the secondary indexes of ``initiative`` inside their
transaction, read ids back by arithmetic, and report created initiatives lazily;
the reader splits lines and parses money and choices through fast paths. None of
that may change what is stored or reported. No timings here (see ``benchmarks/``).
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from labreview.domain.errors import InvalidInput
from labreview.domain.vocabulary import Category, Stage, parse_money
from labreview.exchange import csvio
from labreview.portfolio import importing, parse_filter
from labreview.store import queries
from labreview.store.models import Initiative, Intake


def indexes(p) -> list[tuple[str, str]]:
    with p.engine.connect() as c:
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
    return csvio.import_file(p, path, **options)


def test_a_bulk_import_rebuilds_the_indexes_it_dropped(portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "DEFER_INDEXES_FROM", 5)
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
    monkeypatch.setattr(importing, "DEFER_INDEXES_FROM", 5)
    before = indexes(portfolio)
    keys = portfolio.initiative_keys()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "_new_ids", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        load(portfolio, tmp_path, rows_csv(20))
    assert indexes(portfolio) == before
    assert portfolio.initiative_keys() == keys


def test_new_ids_are_read_back_when_they_are_not_in_key_order(portfolio, tmp_path):
    _parsed, report = load(portfolio, tmp_path, rows_csv(6))
    creates = [importing._Create(c.line, c.key, (), (), "", None) for c in report.created]
    with portfolio.engine.connect() as c:
        newest = c.execute(select(func.min(Initiative.id)).where(Initiative.key.like("B-%"))).scalar_one() - 1
        expected = [c.execute(select(Initiative.id).where(Initiative.key == k.key)).scalar_one() for k in creates]
    with Session(portfolio.engine) as session:
        assert list(importing._new_ids(session, newest, creates)) == expected
        assert list(importing._new_ids(session, newest, creates[::-1])) == expected[::-1]


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
    again = csvio.import_file(portfolio, tmp_path / "bulk.csv", dry_run=True)[1]
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
    assert list(csvio._lines(text)) == list(io.StringIO(text, newline=""))
    parsed = csvio.parse_text(text)
    assert [r.key for r in parsed.records] == ["A-1", "A-2"]


@pytest.mark.parametrize(
    "cell", ["12500", "12500.5", "12500.50", "0.05", "007", " 42 ", "999999999999999.99", "1,250", "€ 9 000", "+5"]
)
def test_money_cells_without_a_decimal_comma_read_as_parse_money_reads_them(cell):
    assert csvio.read_money(cell) == parse_money(cell.strip())


def test_a_very_long_amount_is_refused_in_words(portfolio, tmp_path):
    _parsed, report = load(portfolio, tmp_path, "key,title,category,owner,cost\nM-1,t,capability,O,9" + "9" * 30 + "\n")
    assert [p.message for p in report.problems] == ["That quarterly cost is too large to be real."]


def test_choices_read_by_value_label_or_name_in_any_spacing():
    read = csvio._choice_reader(Category)
    for cell in ("risk-mitigation", "Risk Mitigation", " risk_mitigation ", "RISK_MITIGATION", "risk mitigation"):
        assert read(cell) is Category.RISK_MITIGATION
    with pytest.raises(InvalidInput, match="'nope' is not a category"):
        read(" nope ")
    with pytest.raises(InvalidInput, match="'nope' is not a category"):
        read(" nope ")  # refused every time, not remembered


def test_search_texts_are_search_text_row_by_row():
    columns = (["K-1", "K-2"], ["A Title", ""], ["Ann", "Bob"], ["", "Vend"], ["Desc ÄÖ", "x"])
    assert queries.search_texts(*columns) == [queries.search_text(*row) for row in zip(*columns, strict=True)]

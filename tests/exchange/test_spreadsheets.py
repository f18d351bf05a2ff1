"""Spreadsheets as Excel and others save them: encodings, separators, a byte order mark out, and .xlsx in."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from labreview.cli import main as cli_main
from labreview.domain.errors import InvalidInput
from labreview.exchange import csv_read
from labreview.portfolio import Portfolio

HEADER = ["key", "title", "category", "owner", "quarterly_cost"]
ROW = ["W-1", "Tomás’ café — €5 plan", "capability", "Zoë Ørsted", "12500,50"]


def run(*args):
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    return subprocess.run(
        [sys.executable, "-m", "labreview", *args], capture_output=True, text=True, env=environment, timeout=60
    )


def assert_clean_refusal(result, *phrases):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def table(delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(cells) for cells in (HEADER, ROW)) + "\r\n"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "named"),
    [
        ("utf-8", ",", "UTF-8"),
        ("utf-8-sig", ";", "UTF-8"),
        ("cp1252", ";", "Windows-1252"),  # Excel on Windows, "CSV (Comma delimited)", in a decimal-comma locale
        ("cp1252", ",", "Windows-1252"),
        ("utf-16", "\t", "UTF-16"),  # Excel's "Unicode Text": a byte order mark, then UTF-16 LE, tabs
        ("utf-16-le", "\t", "UTF-16"),  # the same without a byte order mark
        ("utf-16-be", ",", "UTF-16"),
        ("utf-8", "\t", "UTF-8"),
    ],
)
def test_files_as_spreadsheets_save_them(tmp_path, encoding, delimiter, named):
    text = table(delimiter)
    if delimiter == ",":
        text = text.replace("12500,50", '"12500,50"')
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode(encoding))
    parsed = csv_read.read_file(path)
    assert parsed.delimiter == delimiter
    assert parsed.encoding.startswith(named)
    [record] = list(parsed.records)
    assert record.key == "W-1"
    assert record.fields["title"] == ROW[1] and record.fields["owner"] == ROW[3]
    assert record.fields["quarterly_cost"] == 1_250_050


def test_an_explicit_encoding_wins(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes("key,title\nA-1,Grüße\n".encode("latin-1"))
    parsed = csv_read.read_file(path, encoding="latin-1")
    assert parsed.encoding == "latin-1" and next(iter(parsed.records)).fields["title"] == "Grüße"
    with pytest.raises(InvalidInput, match=r"is not ascii text \(line 2\)"):
        csv_read.read_file(path, encoding="ascii")
    with pytest.raises(InvalidInput, match="no encoding named 'klingon'"):
        csv_read.read_file(path, encoding="klingon")


def test_text_neither_utf8_nor_cp1252_is_refused_in_words(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"key,title\nA-1,caf\xe9\x81\n")
    with pytest.raises(InvalidInput, match=r"is not UTF-8 text \(line 2\).*--encoding"):
        csv_read.read_file(path)


def test_a_binary_file_is_refused_in_words(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"\x00\x01\x02\x00\xff\x00\x00\x00binary" * 10)
    with pytest.raises(InvalidInput, match="is not a text file"):
        csv_read.read_file(path)


def test_another_separator_gets_a_clear_message(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("key|title|owner\nA-1|x|y\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"separated by , ; or tab"):
        csv_read.read_file(path)


def test_a_single_key_column_needs_no_separator(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("key\nA-1\n", encoding="utf-8")
    assert [r.key for r in csv_read.read_file(path).records] == ["A-1"]


def test_the_cli_reads_cp1252_and_utf16_and_says_how(sample_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LABREVIEW_CONFIG", str(tmp_path / "none.toml"))
    for number, encoding in enumerate(("cp1252", "utf-16")):
        path = tmp_path / f"in-{encoding}.csv"
        delimiter = "\t" if encoding == "utf-16" else ";"
        path.write_bytes(table(delimiter).replace("W-1", f"W-{number}").encode(encoding))
        assert cli_main(["import", str(path), "--db", str(sample_copy)]) == 0
        out = capsys.readouterr().out
        assert "Created 1 initiative:" in out
        assert ("Windows-1252" if encoding == "cp1252" else "UTF-16") in out
    portfolio = Portfolio.open(sample_copy)
    try:
        assert portfolio.initiative("W-0").title == ROW[1]
        assert portfolio.initiative("W-1").title == ROW[1]
    finally:
        portfolio.close()


def test_the_cli_takes_an_encoding_and_refuses_an_unknown_one(sample_copy, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(table(";").encode("cp1252"))
    result = run("import", str(path), "--encoding", "cp1252", "--dry-run", "--db", str(sample_copy))
    assert result.returncode == 0, result.stderr
    assert "Would create 1 initiative:" in result.stdout
    assert_clean_refusal(run("import", str(path), "--encoding", "klingon", "--db", str(sample_copy)), "klingon")


# ---------------------------------------------------------------------- writing for Excel


def test_export_writes_a_byte_order_mark_unless_told_not_to(sample_copy, tmp_path):
    with_bom = tmp_path / "with.csv"
    without = tmp_path / "without.csv"
    for what in ("backlog", "decisions"):
        assert run("export", what, str(with_bom), "--force", "--db", str(sample_copy)).returncode == 0
        assert with_bom.read_bytes().startswith(b"\xef\xbb\xbf")
        assert run("export", what, str(without), "--force", "--no-bom", "--db", str(sample_copy)).returncode == 0
        assert without.read_bytes() == with_bom.read_bytes()[3:]
    piped = run("export", "backlog", "-", "--db", str(sample_copy))
    assert piped.returncode == 0 and not piped.stdout.startswith("\ufeff")  # a pipe goes to a program
    assert run("export", "backlog", "-", "--bom", "--db", str(sample_copy)).stdout.startswith("\ufeff")


def test_an_exported_backlog_with_its_bom_imports_back_unchanged(sample_copy, tmp_path):
    path = tmp_path / "backlog.csv"
    assert run("export", "backlog", str(path), "--db", str(sample_copy)).returncode == 0
    result = run("import", str(path), "--db", str(sample_copy))
    assert result.returncode == 0, result.stderr
    assert "Nothing to change: the portfolio already matches the file." in result.stdout


# ---------------------------------------------------------------------- .xlsx


def make_xlsx(path: Path, rows: list[list[object]]) -> None:
    """A minimal workbook of one sheet, inline strings and numbers, as the Office Open XML format defines it."""

    def cell(ref: str, value: object) -> str:
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        escaped = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'

    sheet_rows = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(values))
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package_rel}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Backlog" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package_rel}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            + "".join(sheet_rows)
            + "</sheetData></worksheet>",
        )


def test_xlsx_reads_the_first_sheet(tmp_path):
    pytest.importorskip("python_calamine")
    path = tmp_path / "backlog.xlsx"
    make_xlsx(
        path,
        [
            ["Key", "Title", "Category", "Owner", "Quarterly Cost", "AI heavy"],
            ["X-1", "Tomás’ <b>café</b>", "capability", "Zoë Ørsted", 12500.5, "yes"],
            ["X-2", "Whole units", "efficiency", "Zoë Ørsted", 300, "no"],
        ],
    )
    parsed = csv_read.read_file(path)
    assert parsed.encoding == "xlsx"
    records = list(parsed.records)
    assert [r.key for r in records] == ["X-1", "X-2"]
    assert records[0].fields["title"] == "Tomás’ <b>café</b>"
    assert records[0].fields["quarterly_cost"] == 1_250_050 and records[1].fields["quarterly_cost"] == 30_000
    assert [r.line for r in records] == [2, 3]


def test_xlsx_without_the_extra_is_refused_in_one_line(sample_copy, tmp_path):
    path = tmp_path / "backlog.xlsx"
    make_xlsx(path, [["key"], ["X-1"]])
    code = (
        "import sys; sys.modules['python_calamine'] = None; from labreview.cli import main; "
        f"raise SystemExit(main(['import', {str(path)!r}, '--db', {str(sample_copy)!r}]))"
    )
    environment = {**os.environ, "LABREVIEW_CONFIG": "/nonexistent/labreview.toml"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)
    assert_clean_refusal(result, "labreview[xlsx]")

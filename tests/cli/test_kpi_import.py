"""``labreview import --kpis FILE``: KPI readings from a CSV file, all or nothing, every bad row said with its line."""

from __future__ import annotations

from decimal import Decimal

from labreview.portfolio import Portfolio
from tests.cli.test_cli import assert_clean_refusal, run

Q = "2026-Q4"


def readings(target, quarter=Q):
    p = Portfolio.open(target)
    try:
        return {(m, k): v for m, k, v, _at, _by in p.kpi_readings(quarter)}
    finally:
        p.close()


def test_a_good_file_records_its_readings(sample_target, tmp_path):
    path = tmp_path / "q4.csv"
    # a spreadsheet's export: BOM, semicolons, a decimal comma, a label for a metric, an extra column, a blank line
    path.write_text(
        "\ufeffKey;Quarter;Metric;Value;Note\n;2026-Q4;uptime;99,95;ops report\n\n"
        "FAC-001;2026-Q4;Incident frequency;5;\n;2027-Q1;adoption;80 %;\n;2026-Q4;cost_efficiency;90;\n",
        encoding="utf-8",
    )
    result = run("import", "--kpis", str(path), "--db", str(sample_target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "q4.csv: 1 reading added, 3 changed, 0 unchanged (undo in the app takes the import back)."
    )
    found = readings(sample_target)
    assert found[("uptime", None)] == Decimal("99.95") and found[("incidents", "FAC-001")] == 5
    assert readings(sample_target, "2027-Q1") == {("adoption", None): 80}


def test_every_bad_row_is_said_with_its_line_and_nothing_is_imported(sample_target, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        (
            "key,quarter,metric,value\n"
            ",2026-Q4,uptime,99.9\n"  # good, but not imported: the file is all or nothing
            "NOPE-1,2026-Q4,uptime,99\n"
            ",2026-Q9,uptime,99\n"
            ",2026-Q4,throughput,3\n"
            ",2026-Q4,adoption,120\n"
            ",2026-Q4,cycle_days,soon\n"
            '"\x1b]0;pwned\x07[bold]X",2026-Q4,uptime,1\n'
            ",2026-Q4,speed,1\n"
            ",2026-Q4,incidents,1.5\n"
            ",2026-Q4,uptime,98\n"
            '"multi\nline",2026-Q4,uptime,1\n'
            ",2026-Q4,adoption,\n"
        ).encode("cp1252")
    )
    before = readings(sample_target)
    result = run("import", "--kpis", str(path), "--db", str(sample_target))
    assert_clean_refusal(result, "11 rows are bad", "no reading was recorded")
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [f"line {n}" for n in range(3, 14) if n != 13] + [
        "line 14"
    ]
    assert "there is no initiative NOPE-1" in lines[0]
    assert "'2026-Q9' is not a quarter" in lines[1]
    assert "computed from the portfolio's own history" in lines[2]
    assert "percentage, 0 to 100" in lines[3]
    assert "'soon' is not a number" in lines[4]
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "not a usable key" in lines[5]
    assert "'speed' is not a KPI" in lines[6]
    assert "whole number" in lines[7]
    assert "already on line 2" in lines[8]
    assert "not a usable key" in lines[9]
    assert "not a number" in lines[10]
    assert readings(sample_target) == before


def test_utf16_is_read_and_a_dry_run_writes_nothing(sample_target, tmp_path):
    path = tmp_path / "q4.csv"
    path.write_text("key\tquarter\tmetric\tvalue\n\t2026-Q4\tuptime\t97\n", encoding="utf-16")
    before = readings(sample_target)
    result = run("import", "--kpis", "--dry-run", str(path), "--db", str(sample_target))
    assert result.returncode == 0, result.stderr
    assert "1 reading read well; nothing was written" in result.stdout
    assert readings(sample_target) == before
    assert run("import", "--kpis", str(path), "--db", str(sample_target)).returncode == 0
    assert readings(sample_target)[("uptime", None)] == 97


def test_a_file_without_the_columns_or_without_rows_is_refused_in_one_line(sample_target, tmp_path):
    path = tmp_path / "backlog.csv"
    path.write_text("key,title\nLAB-1,Churn\n", encoding="utf-8")
    assert_clean_refusal(
        run("import", "--kpis", str(path), "--db", str(sample_target)), "no column quarter, metric, value"
    )
    path.write_text("key,quarter,metric,value\n", encoding="utf-8")
    result = run("import", "--kpis", str(path), "--db", str(sample_target))
    assert_clean_refusal(result, "1 row is bad")
    assert "the file has no readings" in result.stdout
    assert_clean_refusal(run("import", "--kpis", str(tmp_path / "none.csv"), "--db", str(sample_target)), "no file")

"""The minutes carry the KPI table of the session's quarter, read in plain SQL like the rest of the minutes, and
still come out of a file whose schema predates the KPI readings."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from labreview.exchange import minutes
from labreview.portfolio import Portfolio, minutes_data, records
from tests.exchange import mdcheck

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

Q4_TABLE = """\
## KPIs

2026-Q4: Learning: no pilot decided yet; scaling: nothing promoted or stopped yet; factory falls short: 6 of 7 \
targets met; lab 16.5 % of spend.

| Side | Measure | 2026-Q4 | Target | Met | From |
| --- | --- | ---: | ---: | --- | --- |
| Lab | Experiment throughput | 0 | ≥ 5 | missed | computed |
| Lab | Time to insight | — | ≤ 240 d | — | computed |
| Lab | Pilots reaching promotion review | 0 % | ≥ 20 % | missed | computed |
| Lab | Experiment success rate | — | ≥ 40 % | — | computed |
| Lab | Validated use cases | 8 | — | — | computed |
| Lab | Lab track cost | EUR 139,800 | — | — | computed |
| Factory | Adoption | 77 % | ≥ 75 % | met | portfolio-wide |
| Factory | Incident frequency | 4 | ≤ 6 | met | 3 tools |
| Factory | Incident resolution time | 19 h | ≤ 24 h | met | portfolio-wide |
| Factory | Deployment accuracy | 98.1 % | ≥ 97 % | met | portfolio-wide |
| Factory | Cycle time | 9.5 d | ≤ 10 d | met | portfolio-wide |
| Factory | Cost efficiency | 83 % | ≥ 85 % | missed | portfolio-wide |
| Factory | Uptime | 99.9 % | ≥ 99.5 % | met | portfolio-wide |
| Factory | Factory and iterate cost | EUR 709,800 | — | — | computed |
"""


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + 1)
    return text[start : end + 1]


def test_the_minutes_carry_the_kpi_table_of_the_quarter(sample_target):
    p = Portfolio.open(sample_target)
    try:
        text = minutes.render(p, "2026-Q4")
        assert section(text, "## KPIs") == Q4_TABLE + "\n"
        assert mdcheck.unsafe(text) == []
        q3 = section(minutes.render(p, "2026-Q3"), "## KPIs")
        assert "| Lab | Experiment success rate | 60 % | ≥ 40 % | met | computed |" in q3
        assert "| Factory | Incident frequency | 6 | ≤ 6 | met | 3 tools |" in q3
    finally:
        p.close()


def test_the_batch_reader_gives_the_services_kpi_numbers(sample_target):
    p = Portfolio.open(sample_target)
    try:
        p.record_kpi_reading("2026-Q3", "uptime", "98.25")
        p.set_kpi_targets({"uptime": "99"})
        for quarter in ("2026-Q2", "2026-Q3", "2026-Q4"):
            data = records.minutes_records(p, quarter)
            service = p.kpis(quarter, first=quarter)
            assert data.kpis.table.cells == service.table.cells and data.kpis.currency == service.currency
    finally:
        p.close()


def test_a_schema_without_readings_still_gives_minutes_with_the_computed_kpis(tmp_path):
    older = tmp_path / "schema-0006.db"  # the revision before the readings (its minutes read as it is)
    shutil.copyfile(FIXTURES / "schema-0006.db", older)
    connection = sqlite3.connect(f"file:{older}?mode=ro", uri=True)
    try:
        data = minutes_data.read(connection, "2026-Q4")
    finally:
        connection.close()
    table = data.kpis.table
    assert table.cell("uptime", "2026-Q4").value is None  # no readings before schema 0007
    assert table.cell("throughput", "2026-Q4").value >= 1  # the fixture's meeting decided on lab pilots
    assert table.targets == {}
    text = minutes.render_records(data)
    assert "| Factory | Uptime | — | — | — | no reading |" in section(text, "## KPIs")

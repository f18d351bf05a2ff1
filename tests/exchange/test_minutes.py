"""Minutes: the golden files of the sample portfolio, GFM structure checked with a real parser, and escaping.

To accept new golden files after a deliberate change, run
``LABREVIEW_UPDATE_GOLDEN=1 uv run pytest tests/exchange/test_minutes.py`` and read the diff
(and the files) as a board member would before committing them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labreview.domain.errors import InvalidInput, NotFound, StorageError
from labreview.domain.vocabulary import Criterion
from labreview.exchange import markdown as md
from labreview.exchange import minutes
from labreview.portfolio import NewActionItem, Portfolio
from tests.exchange import mdcheck

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
HOSTILE = [
    "pipe | in | the middle",
    "`code` and ``double``",
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "![img](http://example.com/x.png)",
    "<http://example.com>",
    "# looks like a heading",
    "## Decisions",
    "> looks like a quote",
    "- looks like a list",
    "+ plus list",
    "* star list",
    "1. ordered",
    "2) ordered too",
    "---",
    "___",
    "=== under",
    "**bold** and _it_ and ~~gone~~",
    "snake_case_name stays readable",
    "back\\slash at the end\\",
    "&amp; &#x41; &copy;",
    "trailing hashes ##",
    "line one\nline two\n\n- and a list",
    "emoji 🎉👍🏽 and accents: Chloé Álvarez",
    "RTL \u202eevil\u202c override",
    "tab\tand\x07bell",
]


@pytest.fixture
def sample(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="Minutes test", clock=clock)
    yield p
    p.close()


# ---------------------------------------------------------------------- golden files


@pytest.mark.parametrize("quarter", ["2026-Q3", "2026-Q4"])
def test_minutes_of_the_sample_match_the_golden_file(sample, quarter):
    text = minutes.render(sample, quarter)
    golden = GOLDEN / f"minutes-{quarter}.md"
    if os.environ.get("LABREVIEW_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8", newline="\n")
    assert golden.read_text(encoding="utf-8") == text, f"minutes differ from {golden.name}"


def test_minutes_are_byte_identical_from_the_same_database(sample, sample_copy, tmp_path, clock):
    first = minutes.render(sample, "2026-Q3")
    assert minutes.render(sample, "2026-Q3") == first
    other_copy = tmp_path / "other.db"
    shutil.copyfile(sample_copy, other_copy)
    later = Portfolio.open(other_copy, actor="someone else", clock=lambda: dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    try:
        assert minutes.render(later, "2026-Q3") == first
    finally:
        later.close()


def test_closed_session_tables_have_the_right_shape(sample):
    text = minutes.render(sample, "2026-Q3")
    found = mdcheck.tables(text)
    decisions = sample.decisions("2026-Q3")
    session = sample.session("2026-Q3")
    shapes = [(len(t.header), len(t.rows)) for t in found]
    assert shapes[0] == (6, len(session.agenda))  # agenda
    assert shapes[1] == (5, len(decisions))  # decisions
    assert shapes[2 : 2 + len(decisions)] == [(4, 5)] * len(decisions)  # a score table per decision
    assert shapes[-3] == (6, 20)  # action items: 15 of this session (5 are a stabilisation plan) and 5 from before
    assert shapes[-2] == (5, 4)  # budget before → after, three tracks and the total
    assert shapes[-1] == (6, 14)  # the quarter's KPIs: six of the lab, eight of the factory
    for table in found:
        assert all(len(row) == len(table.header) for row in table.rows)
    assert [row[0] for row in found[1].rows] == [d.key for d in decisions]
    assert mdcheck.unsafe(text) == []


def test_planned_session_says_so_instead_of_listing_everything_as_not_reached(sample):
    text = minutes.render(sample, "2026-Q4")
    assert "**Not held yet:**" in text
    assert "The session has not been held yet (it is planned for 2026-11-23), so nothing has been carried over." in text
    assert "No decisions yet: the session has not been held." in text
    assert "no decision" not in text.split("## Agenda", 1)[1].split("## Decisions", 1)[0]
    found = mdcheck.tables(text)
    assert [(len(t.header), len(t.rows)) for t in found] == [(6, 12), (6, 16), (4, 4), (6, 14), (7, 1)]
    assert found[-1].rows[0][0] == "EXP-105"  # the changed success criterion
    assert mdcheck.unsafe(text) == []


def test_access_signed_for_an_initiative_without_a_decision_is_minuted(sample):
    text = minutes.render(sample, "2026-Q1")
    section = text.split("### Other data-access decisions", 1)[1].split("## Action items", 1)[0]
    assert "EXP-102 — Predictive churn scoring:" in section
    assert "approved by Priya Raman (privacy partner); conditions: No export outside the analytics workspace" in section
    assert mdcheck.unsafe(text) == []
    assert all(len(row) == len(t.header) for t in mdcheck.tables(text) for row in t.rows)


def test_open_session_with_items_not_reached(portfolio):
    portfolio.start_session("2026-Q4")
    portfolio.record_decision("2026-Q4", "LAB-2", "kill", rationale="no lift")
    text = minutes.render(portfolio, "2026-Q4")
    assert "these minutes are a draft until the session ends" in text
    assert "The session is still in progress; these agenda items have no decision yet:" in text
    portfolio.end_session("2026-Q4")
    text = minutes.render(portfolio, "2026-Q4")
    section = text.split("## Not reached", 1)[1]
    assert "carried over to 2027-Q1" in section
    assert "- LAB-1 — Churn model (not discussed)" in section and "FAC-1" in section and "LAB-2" not in section


def test_unknown_quarter_is_refused(sample):
    with pytest.raises(NotFound, match="There is no 2030-Q1 session"):
        minutes.render(sample, "2030-Q1")
    with pytest.raises(InvalidInput, match="not a quarter"):
        minutes.render(sample, "2026-Q5")


# ---------------------------------------------------------------------- escaping


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_text_renders_as_the_plain_text_and_nothing_else(value):
    visible, kinds = mdcheck.rendered_text(md.text(value))
    assert kinds <= {"text"}, f"{value!r} produced {kinds}"
    assert visible == md.clean(value)


@pytest.mark.parametrize("value", [*HOSTILE, "a  b", "a\tb", " padded ", "x\u202ey", "one\r\ntwo", "\u200f", ""])
def test_cleaning_plain_text_quickly_gives_what_cleaning_it_thoroughly_gives(value):
    assert md.clean(value) == md._clean_thoroughly(value)


@given(st.text())
def test_cleaning_any_text_quickly_gives_what_cleaning_it_thoroughly_gives(value):
    assert md.clean(value) == md._clean_thoroughly(value)


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_text_stays_inside_its_list_item_heading_and_table_cell(value):
    escaped = md.text(value)
    doc = "\n\n".join(
        [
            f"### KEY — {escaped}",
            f"- {escaped}\n- second",
            md.table(["A", "B", "C"], [[escaped, "x", escaped], ["y", escaped, "z"]]),
        ]
    )
    kinds = [t.type for t in mdcheck.parse(doc) if t.type.endswith("_open")]
    assert kinds.count("heading_open") == 1 and kinds.count("bullet_list_open") == 1
    assert kinds.count("list_item_open") == 2 and "ordered_list_open" not in kinds
    assert "blockquote_open" not in kinds and "hr" not in [t.type for t in mdcheck.parse(doc)]
    [table] = mdcheck.tables(doc)
    assert len(table.header) == 3 and len(table.rows) == 2
    assert all(len(row) == 3 for row in table.rows)
    assert mdcheck.unsafe(doc) == []


def test_escaping_reads_naturally():
    assert md.text("Lift of +1.8 points; snake_case stays") == "Lift of +1.8 points; snake_case stays"
    assert md.text("a | b") == "a \\| b"
    assert md.text("first line\nsecond line") == "first line / second line"
    assert md.text("- item") == "\\- item"
    assert md.text("1. first") == "1\\. first"
    assert md.text("R&D") == "R&D"


def test_shortening_never_cuts_an_escape_in_half():
    value = "word " * 10 + "|||`` ``\\\\"
    for limit in range(5, 70):
        escaped = md.text(value, limit=limit)
        trailing = len(escaped) - len(escaped.rstrip("\\"))
        assert trailing % 2 == 0, escaped
        [table] = mdcheck.tables(md.table(["A", "B"], [[escaped, "x"]]))
        assert len(table.rows[0]) == 2 and table.rows[0][1] == "x"


# ---------------------------------------------------------------------- hostile strings through the database


def test_hostile_strings_from_csv_reach_the_minutes_without_breaking_them(portfolio, tmp_path):
    """CSV import → database (byte-exact) → decision and action items → minutes that still parse as designed."""
    import csv

    from labreview.exchange import csv_read

    rows = []
    for index, value in enumerate(HOSTILE):
        if value.strip() != value or "\x07" in value:
            continue  # people's text is stored without surrounding blanks and control characters here
        rows.append([f"H-{index}", value, "capability", f"Owner {index} {value[:40]}".strip(), value, value])
    path = tmp_path / "hostile.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "title", "category", "owner", "vendor", "business objective"])
        writer.writerows(rows)
    _parsed, report = csv_read.import_file(portfolio, path)
    assert report.written and not report.problems, report.problems
    for key, title, _category, owner, vendor, objective in rows:
        view = portfolio.initiative(key)
        assert (view.title, view.vendor, view.intake.business_objective) == (title, vendor, objective)
        assert view.owner.name == " ".join(owner.split())
    keys = [row[0] for row in rows]
    for key in keys:
        portfolio.toggle_agenda("2026-Q4", key)
    portfolio.start_session("2026-Q4")
    for key, title, *_ in rows:
        owner = portfolio.initiative(key).owner
        portfolio.record_decision(
            "2026-Q4",
            key,
            "iterate",
            rationale=title,
            conditions=title,
            next_review=dt.date(2027, 3, 1),
            action_items=[NewActionItem(title, owner.id, dt.date(2027, 1, 15))],
        )
    portfolio.end_session("2026-Q4")
    text = minutes.render(portfolio, "2026-Q4")
    assert mdcheck.unsafe(text) == []
    found = mdcheck.tables(text)
    agenda, decisions = found[0], found[1]
    assert len(agenda.rows) == 3 + len(rows) and all(len(r) == 6 for r in agenda.rows)
    assert len(decisions.rows) == len(rows) and all(len(r) == 5 for r in decisions.rows)
    [actions] = [t for t in found if t.header[0] == "Action"]
    assert len(actions.header) == 6 and len(actions.rows) == len(rows)
    headings = [t for t in mdcheck.parse(text) if t.type == "heading_open"]
    assert sum(1 for h in headings if h.tag == "h1") == 1
    assert sum(1 for h in headings if h.tag == "h2") == 8  # the seven sections and the KPIs, no injected ones
    assert sum(1 for h in headings if h.tag == "h3") == len(rows)


def test_nul_is_refused_with_a_readable_message(portfolio, tmp_path):
    from labreview.exchange import csv_read

    path = tmp_path / "nul.csv"
    path.write_bytes(b"key,title,category,owner\nN-1,bad\x00title,capability,Oscar Owner\n")
    _parsed, report = csv_read.import_file(portfolio, path)
    assert not report.written
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "The title contains a NUL character, which cannot be stored; remove it.")
    ]


# ---------------------------------------------------------------------- writing the file


def test_write_atomic_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "minutes.md"
    minutes.write_atomic(target, "one\n")
    with pytest.raises(InvalidInput, match="already exists; use --force"):
        minutes.write_atomic(target, "two\n")
    assert target.read_text() == "one\n"
    minutes.write_atomic(target, "two\n", force=True)
    assert target.read_text() == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.md"]  # no temporary file left behind


def test_write_atomic_explains_unwritable_paths(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    with pytest.raises(StorageError, match="does not exist"):
        minutes.write_atomic(blocker / "minutes.md", "x")
    with pytest.raises(InvalidInput, match="is a folder"):
        minutes.write_atomic(tmp_path, "x")
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(StorageError, match="Cannot write in"):
            minutes.write_atomic(locked / "minutes.md", "x")


def test_minutes_show_the_weighted_score_the_board_saw(sample_copy, clock):
    """With uneven criterion weights the minutes give the scorecard's weighted total, and say it is weighted."""
    even = Portfolio.open(sample_copy, actor="Minutes test", clock=clock)
    try:
        decision = even.decisions("2026-Q3")[0]
        plain = minutes.render(even, "2026-Q3")
    finally:
        even.close()
    weights = {c: (5 if i == 0 else 1) for i, c in enumerate(Criterion)}
    weighted = Portfolio.open(sample_copy, actor="Minutes test", clock=clock, weights=weights)
    try:
        text = minutes.render(weighted, "2026-Q3")
        sheet = weighted.score_sheet("2026-Q3", decision.key)
    finally:
        weighted.close()
    assert "average of the five criteria" in plain
    assert "average of the five criteria" not in text
    section = text.split(f"### {decision.key} ")[1].split("\n### ")[0]
    assert f"weighted score with the portfolio's weights {sheet.summary.total:.1f}." in section

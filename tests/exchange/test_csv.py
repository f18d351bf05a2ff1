"""CSV import and export: how files are read, how bad rows are reported, and what the import may and may not change."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from labreview.domain.errors import InvalidInput, PolicyRefusal, StorageError
from labreview.domain.vocabulary import CheckState, Gate, Stage, Track
from labreview.exchange import csv_columns, csv_read, csv_report, csv_write
from labreview.portfolio import Portfolio, importing, parse_filter
from labreview.portfolio.importing import write as import_write
from labreview.store.models import AuditEvent, Initiative, Intake, Person


def audit_count(p) -> int:
    with p.engine.connect() as c:
        return c.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def write(tmp_path, text: str, name: str = "in.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def load(p, tmp_path, text: str, **options):
    return csv_read.import_file(p, write(tmp_path, text), **options)


def problems(report) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in report.problems]


@pytest.fixture
def sample(sample_copy, clock):
    p = Portfolio.open(sample_copy, actor="CSV test", clock=clock)
    yield p
    p.close()


# ---------------------------------------------------------------------- reading files as they come


def test_bom_semicolons_crlf_and_decimal_commas(portfolio, tmp_path):
    text = "\ufeffKey;Title;Category;Owner;Quarterly Cost\r\nB-1;Beacon test;capability;Oscar Owner;12.500,50\r\n"
    _parsed, report = load(portfolio, tmp_path, text)
    assert report.written and [c.key for c in report.created] == ["B-1"]
    view = portfolio.initiative("B-1")
    assert view.title == "Beacon test" and view.quarterly_cost == 1_250_050


def test_header_names_ignore_case_spaces_dashes_and_underscores(portfolio, tmp_path):
    text = (
        "KEY, Title ,CATEGORY,owner,QUARTERLY-cost,Ai_Heavy,Data Sensitivity,colour\n"
        "C-1,Chat,capability,Oscar Owner,1500,yes,pseudonymous,red\n"
    )
    parsed, report = load(portfolio, tmp_path, text)
    assert parsed.ignored == ("colour",)
    assert parsed.columns == ("key", "title", "category", "owner", "quarterly_cost", "ai_heavy", "data_sensitivity")
    view = portfolio.initiative("C-1")
    assert view.quarterly_cost == 150_000 and view.ai_heavy and view.intake.data_sensitivity.value == "pseudonymous"
    assert any("Ignored columns (not known): 'colour'" in line for line in csv_report.describe(parsed, report))


def test_quoted_fields_with_newlines_keep_line_numbers_physical(portfolio, tmp_path):
    text = (
        "key,title,category,owner\n"  # line 1
        'M-1,"two\nlines",capability,Oscar Owner\n'  # lines 2-3
        "M-2,ok,nope,Oscar Owner\n"  # line 4: bad category
        '"M-3","three\nline\ntitle",capability,\n'  # lines 5-7: no owner for a new initiative
        "\n"  # line 8: blank, skipped
        "M-4,ok,capability,Oscar Owner,surplus\n"  # line 9: one field too many
        "M-5,fine,efficiency,Oscar Owner\n"  # line 10
    )
    _parsed, report = load(portfolio, tmp_path, text)
    assert not report.written
    assert [line for line, _m in problems(report)] == [4, 5, 9]
    messages = dict(problems(report))
    assert messages[4] == (
        "category: 'nope' is not a category; choose one of: efficiency, performance, capability, risk-mitigation."
    )
    assert messages[5] == "M-3 is new, and a new initiative needs owner."
    assert "the row has 5 fields but the header has 4" in messages[9]
    assert [c.line for c in report.created] == [2, 10]
    assert "M-1" not in portfolio.initiative_keys()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("X-1,t,capability,Oscar Owner,12x", "quarterly_cost: '12x' is not an amount of money"),
        ("X-1,t,capability,Oscar Owner,-5", "quarterly_cost: An amount cannot be negative"),
        ("X-1,t,capability,Oscar Owner,1.234.567", "quarterly_cost: '1.234.567' is not an amount of money"),
        (",t,capability,Oscar Owner,1", "The key is empty"),
        ("bad key!,t,capability,Oscar Owner,1", "'BAD KEY!' is not a usable key"),
        ("X-1,,capability,Oscar Owner,1", "X-1 is new, and a new initiative needs title."),
        ("X-1,,,,", "X-1 is new, and a new initiative needs title, category and owner."),
        ("X-1,t,capability,Oscar Owner,1,2026-13-01", "renewal_date: '2026-13-01' is not a date"),
        ("X-1,t,capability,Oscar Owner,1,,maybe", "ai_heavy: 'maybe' is not yes or no."),
        ("X-1," + "t" * 201 + ",capability,Oscar Owner,1", "The title is 201 characters long; the limit is 200."),
    ],
)
def test_bad_values_are_reported_in_words(portfolio, tmp_path, row, message):
    text = "key,title,category,owner,quarterly_cost,renewal_date,ai_heavy\n" + row + "\n"
    _parsed, report = load(portfolio, tmp_path, text)
    assert not report.written
    [(line, found)] = problems(report)
    assert line == 2 and message in found


def test_a_key_twice_in_one_file(portfolio, tmp_path):
    text = "key,title,category,owner\nD-1,a,capability,Oscar Owner\nd-1,b,capability,Oscar Owner\n"
    _parsed, report = load(portfolio, tmp_path, text)
    assert problems(report) == [(3, "D-1 appears again (first on line 2); give each key once.")]


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"", "is empty"),
        (b"title,owner\nx,y\n", "has no 'key' column (the header line has 'title', 'owner')"),
        (b"key,Key\nA,B\n", "has two columns for key"),
        ("key,title\nA-1,caf\xe9\x81\n".encode("latin-1"), "is not UTF-8 text (line 2)"),
        (b'key,title\nA-1,"never closed\nA-2,x\n', "line 2: a quoted value is never closed"),
        (b'key,title\nA-1,"closed" and then some\n', "line 2: the CSV is malformed"),
    ],
)
def test_malformed_files_are_refused_as_a_whole(portfolio, tmp_path, data, phrase):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        csv_read.import_file(portfolio, path)


def test_missing_file(portfolio, tmp_path):
    with pytest.raises(StorageError, match="There is no file"):
        csv_read.import_file(portfolio, tmp_path / "nope.csv")


# ---------------------------------------------------------------------- what an import may change


def test_dry_run_writes_nothing_and_says_what_would_happen(portfolio, tmp_path):
    before = audit_count(portfolio)
    text = (
        "key,title,category,owner,sponsor,quarterly_cost\n"
        "N-1,New thing,capability,Nora New,Dana Sponsor,100\n"
        "LAB-2,Subject lines v2,efficiency,Ines Innovation,,5000\n"
    )
    parsed, report = load(portfolio, tmp_path, text, dry_run=True)
    assert report.dry_run and not report.written
    assert audit_count(portfolio) == before
    assert "N-1" not in portfolio.initiative_keys()
    assert "Nora New" not in [p.name for p in portfolio.people()]
    lines = csv_report.describe(parsed, report, currency="EUR")
    assert "Would create 1 initiative:" in lines
    assert "  + N-1 “New thing” (lab, capability, owner Nora New) — line 2" in lines
    assert "Would change 1 initiative:" in lines
    assert "      title: “Subject lines” → “Subject lines v2”" in lines
    assert "Would add 1 person (not on the board): Nora New" in lines
    assert report.changed[0].changes == (importing.FieldChange("title", "Subject lines", "Subject lines v2"),)


def test_all_or_nothing_unless_skip_invalid(portfolio, tmp_path):
    text = "key,title,category,owner\nG-1,good,capability,Oscar Owner\nG-2,bad,nope,Oscar Owner\n"
    before = audit_count(portfolio)
    _parsed, report = load(portfolio, tmp_path, text)
    assert not report.written and audit_count(portfolio) == before and "G-1" not in portfolio.initiative_keys()
    _parsed, report = load(portfolio, tmp_path, text, skip_invalid=True)
    assert report.written and [c.key for c in report.created] == ["G-1"] and [p.line for p in report.problems] == [3]
    assert "G-1" in portfolio.initiative_keys() and "G-2" not in portfolio.initiative_keys()
    assert audit_count(portfolio) == before + 1


def test_stage_of_an_existing_initiative_never_changes_but_new_ones_take_any_stage(portfolio, tmp_path):
    text = (
        "key,title,stage,category,owner\n"
        "LAB-1,Churn model,factory,capability,Oscar Owner\n"
        "OLD-1,Legacy CRM,factory,capability,Olga Ops\n"
    )
    _parsed, report = load(portfolio, tmp_path, text, skip_invalid=True)
    assert problems(report) == [
        (
            2,
            "LAB-1 is lab in the portfolio; an import cannot make it factory — "
            "a stage changes only by a decision of the board.",
        )
    ]
    assert portfolio.initiative("LAB-1").stage is Stage.LAB
    new = portfolio.initiative("OLD-1")
    assert new.stage is Stage.FACTORY and new.track is Track.FACTORY and new.current_gate is Gate.PILOT_APPROVAL


def test_criteria_fixed_at_pilot_approval_change_only_in_the_app(portfolio, tmp_path):
    for item in portfolio.templates():
        if item.gate is Gate.PILOT_APPROVAL:
            portfolio.set_check("LAB-1", item.id, CheckState.MET)
    assert portfolio.initiative("LAB-1").pilot_approved_on is not None
    _parsed, report = load(portfolio, tmp_path, "key,baseline,vendor\nLAB-1,5 %,Acme\n")
    [(line, message)] = problems(report)
    assert line == 2 and "success criteria were fixed at pilot approval" in message and "where the reason" in message
    _parsed, report = load(portfolio, tmp_path, "key,baseline,vendor\nLAB-1,3 %,Acme\n")
    assert report.written and portfolio.initiative("LAB-1").vendor == "Acme"  # unchanged criterion is fine


def test_turning_ai_heavy_on_brings_back_the_ai_checks_of_pilot_approval(portfolio, tmp_path):
    for item in portfolio.templates():
        if item.gate is Gate.PILOT_APPROVAL and not item.ai_only:
            portfolio.set_check("LAB-2", item.id, CheckState.MET)
    assert portfolio.initiative("LAB-2").current_gate is Gate.EVIDENCE_REVIEW
    _parsed, report = load(portfolio, tmp_path, "key,ai heavy\nLAB-2,yes\n")
    assert report.written
    view = portfolio.initiative("LAB-2")
    assert view.ai_heavy and view.current_gate is Gate.PILOT_APPROVAL


def test_updates_keep_the_backlog_columns_right(portfolio, tmp_path):
    text = "key,title,owner,vendor\nFAC-1,CRM platform Zephyr,Nora New,Salesforce\n"
    _parsed, report = load(portfolio, tmp_path, text)
    assert report.written and report.new_people == ("Nora New",)
    assert [row.key for row in portfolio.backlog(parse_filter("zephyr")).rows] == ["FAC-1"]
    assert [row.key for row in portfolio.backlog(parse_filter("owner:nora")).rows] == ["FAC-1"]
    nora = portfolio.person("Nora New")
    assert nora.role is None and nora not in portfolio.board()
    assert portfolio.initiative("FAC-1").version == 2


def test_empty_cells_keep_what_is_stored(portfolio, tmp_path):
    portfolio.update_initiative("LAB-1", vendor="Orbital", sponsor="Dana Sponsor")
    _parsed, report = load(portfolio, tmp_path, "key,title,vendor,sponsor,quarterly_cost\nLAB-1,,,,\n")
    assert report.unchanged == 1 and not report.changed
    view = portfolio.initiative("LAB-1")
    assert (view.vendor, view.sponsor.name, view.quarterly_cost) == ("Orbital", "Dana Sponsor", 1_000_000)


def test_new_initiatives_get_their_intake_row_and_defaults(portfolio, tmp_path):
    _parsed, report = load(
        portfolio, tmp_path, "key,title,category,owner,stage\nT-1,t,efficiency,Oscar Owner,transition\n"
    )
    assert report.written
    with portfolio.engine.connect() as c:
        initiative_id = c.execute(select(Initiative.id).where(Initiative.key == "T-1")).scalar_one()
        assert (
            c.execute(
                select(func.count()).select_from(Intake).where(Intake.initiative_id == initiative_id)
            ).scalar_one()
            == 1
        )
    view = portfolio.initiative("T-1")
    assert view.track is Track.ITERATE and view.current_gate is Gate.PILOT_APPROVAL and view.version == 1


# ---------------------------------------------------------------------- audit and undo


def test_a_small_import_is_one_audited_action_that_undo_reverts(portfolio, tmp_path):
    before = audit_count(portfolio)
    text = (
        "key,title,category,owner,vendor\n"
        "U-1,New,capability,Nora New,\n"
        "LAB-2,Subject lines,efficiency,Ines Innovation,Acme\n"
    )
    _parsed, report = load(portfolio, tmp_path, text)
    assert report.written and report.undoable and audit_count(portfolio) == before + 1
    assert portfolio.last_action() == "Imported in.csv: created 1, changed 1, added 1 person"
    portfolio.undo()
    assert "U-1" not in portfolio.initiative_keys()
    assert portfolio.initiative("LAB-2").vendor == ""
    assert "Nora New" not in [p.name for p in portfolio.people()]
    assert portfolio.verify_audit().ok


def test_a_large_import_is_recorded_compactly_and_cannot_be_undone(portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(import_write, "FULL_AUDIT_LIMIT", 2)
    text = "key,title,category,owner\n" + "".join(f"L-{i},Item {i},capability,Oscar Owner\n" for i in range(3))
    _parsed, report = load(portfolio, tmp_path, text)
    assert report.written and not report.undoable
    with portfolio.engine.connect() as c:
        changes = c.execute(select(AuditEvent.changes).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert '"op": "bulk"' in changes and '"created": ["L-0", "L-1", "L-2"]' in changes
    with pytest.raises(PolicyRefusal, match="cannot be undone: it was too large to record row by row"):
        portfolio.undo()
    assert {"L-0", "L-1", "L-2"} <= set(portfolio.initiative_keys())
    assert portfolio.verify_audit().ok


def test_a_refused_import_writes_no_audit_event_and_no_people(portfolio, tmp_path):
    before = audit_count(portfolio)
    _parsed, report = load(portfolio, tmp_path, "key,title,category,owner\nR-1,x,nope,Ghost Person\n")
    assert not report.written and audit_count(portfolio) == before
    with portfolio.engine.connect() as c:
        assert (
            c.execute(select(func.count()).select_from(Person).where(Person.name == "Ghost Person")).scalar_one() == 0
        )


# ---------------------------------------------------------------------- export and round trip


def test_exported_backlog_imports_back_unchanged(sample, tmp_path):
    exported = csv_write.backlog_csv(sample)
    assert exported.rows == len(sample.initiative_keys())
    before = audit_count(sample)
    path = write(tmp_path, exported.text, "backlog.csv")
    parsed, report = csv_read.import_file(sample, path)
    assert report.unchanged == exported.rows and not report.created and not report.changed and not report.problems
    assert not report.written and audit_count(sample) == before
    assert csv_report.describe(parsed, report)[-1] == "Nothing to change: the portfolio already matches the file."


def test_round_trip_keeps_awkward_text_and_guards_formulas(portfolio, tmp_path):
    awkward = {
        "title": '=HYPERLINK("http://x")',
        "description": 'multi\nline; with, separators "quoted"',
        "vendor": "'=already guarded",
        "baseline": "-40 %",
        "target_lift": "+1 pt",
    }
    portfolio.update_initiative(
        "LAB-2", title=awkward["title"], description=awkward["description"], vendor=awkward["vendor"]
    )
    portfolio.set_success_criterion("LAB-2", "baseline", awkward["baseline"])
    portfolio.set_success_criterion("LAB-2", "target_lift", awkward["target_lift"])
    exported = csv_write.backlog_csv(portfolio)
    row = next(r for r in csv.DictReader(io.StringIO(exported.text)) if r["key"] == "LAB-2")
    assert row["title"] == '\'=HYPERLINK("http://x")' and row["vendor"] == "''=already guarded"
    assert row["baseline"] == "'-40 %" and row["description"] == awkward["description"]
    _parsed, report = load(portfolio, tmp_path, exported.text)
    assert not report.changed and not report.problems
    view = portfolio.initiative("LAB-2")
    assert (view.title, view.vendor, view.baseline) == (awkward["title"], awkward["vendor"], awkward["baseline"])


def test_export_then_edit_in_a_spreadsheet_then_import(sample, tmp_path):
    rows = list(csv.reader(io.StringIO(csv_write.backlog_csv(sample).text)))
    header = rows[0]
    rows[1][header.index("vendor")] = "Quillmark AI Ltd"
    rows[1][header.index("quarterly_cost")] = "9100.00"
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    _parsed, report = load(sample, tmp_path, buffer.getvalue())
    [changed] = report.changed
    assert changed.key == rows[1][0]
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("vendor", "Quillmark AI", "Quillmark AI Ltd"),
        ("quarterly_cost", 900_000, 910_000),
    ]


def test_decisions_export_has_one_row_per_decision(sample):
    exported = csv_write.decisions_csv(sample, "2026-Q3")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert list(rows[0]) == list(csv_columns.DECISION_COLUMNS)
    assert exported.rows == len(rows) == len(sample.decisions("2026-Q3"))
    first = rows[0]
    assert (first["quarter"], first["session_date"], first["key"], first["outcome"]) == (
        "2026-Q3",
        "2026-08-20",
        "EXP-101",
        "promote",
    )
    assert (first["stage_before"], first["stage_after"], first["next_review"]) == ("lab", "transition", "2026-11-19")
    assert first["action_items"] == "Complete the production-readiness checklist (Kim Novak, due 2026-10-19, open)"
    everything = csv_write.decisions_csv(sample)
    assert everything.rows == len(sample.decisions())


def test_the_columns_are_the_fields_of_the_table_in_its_order():
    from labreview.domain import fields

    assert tuple(c.name for c in csv_columns.COLUMNS) == fields.FIELDS


def test_readme_documents_every_column():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for column in csv_columns.COLUMNS:
        assert f"| `{column.name}` | {column.accepts} |" in readme, f"README's CSV columns lack {column.name}"

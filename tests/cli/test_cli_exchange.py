"""The minutes, import and export commands: what they print and write, and their error paths.

Most tests call ``cli.main`` in the test process (fast); a few run the real
command in a subprocess to prove there is one line on stderr and no traceback.
"""

from __future__ import annotations

import os

import pytest

from labreview import cli
from tests.cli.test_cli import assert_clean_refusal, run


@pytest.fixture(autouse=True)
def no_user_config(monkeypatch):
    monkeypatch.setenv("LABREVIEW_CONFIG", "/nonexistent/labreview.toml")
    monkeypatch.delenv("LABREVIEW_DB", raising=False)


def main(*args: str) -> int:
    return cli.main(list(args))


def refused(capsys, code: int, *phrases: str) -> str:
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def test_minutes_to_standard_output(sample_target, capsys):
    assert main("minutes", "2026-Q4", "-o", "-", "--db", str(sample_target)) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Minutes of the 2026-Q4 portfolio review, Monday 23 November 2026\n")
    assert "## Changed success criteria" in out


def test_minutes_default_file_name_and_force(sample_target, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main("minutes", "2026q3", "--db", str(sample_target)) == 0
    written = tmp_path / "minutes-2026-Q3.md"
    assert written.read_text(encoding="utf-8").startswith("# Minutes of the 2026-Q3")
    assert "Wrote the 2026-Q3 minutes to minutes-2026-Q3.md" in capsys.readouterr().out
    written.write_text("keep me")
    refused(capsys, main("minutes", "2026-Q3", "--db", str(sample_target)), "already exists; use --force")
    assert written.read_text() == "keep me"
    assert main("minutes", "2026-Q3", "--force", "--db", str(sample_target)) == 0
    assert written.read_text(encoding="utf-8").startswith("# Minutes")


def test_personal_weights_no_longer_change_the_minutes_the_portfolios_weights_do(
    sample_target, tmp_path, monkeypatch, capsys
):
    """Issue 12: a facilitator's [weights] are ignored with a one-line warning; the board's stored weights
    (``labreview weights set``, audited) are what the minutes weigh with."""
    assert main("minutes", "2026-Q3", "-o", "-", "--db", str(sample_target)) == 0
    before = capsys.readouterr().out
    assert "average of the five criteria" in before
    config = tmp_path / "labreview.toml"
    config.write_text("[weights]\ndata_risk = 3\neconomic_value = 0\n", encoding="utf-8")
    monkeypatch.setenv("LABREVIEW_CONFIG", str(config))
    assert main("minutes", "2026-Q3", "-o", "-", "--db", str(sample_target)) == 0
    captured = capsys.readouterr()
    assert captured.out == before
    assert captured.err.count("\n") == 1 and "[weights]" in captured.err and "ignored" in captured.err
    assert (
        main("weights", "set", "data-risk=3", "economic-value=0", "--as", "Kim Novak", "--db", str(sample_target)) == 0
    )
    capsys.readouterr()
    assert main("minutes", "2026-Q3", "-o", "-", "--db", str(sample_target)) == 0
    out = capsys.readouterr().out
    assert "average of the five criteria" not in out
    assert "weighted score with the portfolio's weights" in out
    assert main("weights", "show", "--db", str(sample_target)) == 0
    assert "data-risk=3" in capsys.readouterr().out


@pytest.mark.sqlite_only  # an sqlite:/// URL of the file and a cut copy of its bytes
def test_minutes_of_a_sqlite_url_and_of_a_broken_file(sample_copy, tmp_path, capsys):
    assert main("minutes", "2026-Q3", "-o", "-", "--db", f"sqlite:///{sample_copy}") == 0
    assert capsys.readouterr().out.startswith("# Minutes of the 2026-Q3")
    broken = tmp_path / "broken.db"
    broken.write_bytes(sample_copy.read_bytes()[:4096] + b"\x00" * 8192)
    code = main("minutes", "2026-Q3", "-o", "-", "--db", str(broken))
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("labreview: ") and "Traceback" not in err
    refused(capsys, main("minutes", "2026-Q3", "-o", "-", "--db", "sqlite://"), "sqlite:// could not be read")


def test_minutes_error_paths(sample_target, tmp_path, capsys):
    db = str(sample_target)
    refused(capsys, main("minutes", "2030-Q1", "-o", "-", "--db", db), "There is no 2030-Q1 session")
    refused(capsys, main("minutes", "2026-Q5", "-o", "-", "--db", db), "not a quarter")
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    refused(capsys, main("minutes", "2026-Q3", "-o", str(blocker / "m.md"), "--db", db), "does not exist")
    refused(capsys, main("minutes", "2026-Q3", "-o", str(tmp_path), "--db", db), "is a folder")
    refused(capsys, main("minutes", "2026-Q3", "--db", str(tmp_path / "none.db")), "No database at")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_minutes_into_an_unwritable_folder(sample_target, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    refused(capsys, main("minutes", "2026-Q3", "-o", str(locked / "m.md"), "--db", str(sample_target)), "Cannot write")


def test_import_dry_run_then_import(sample_target, tmp_path, capsys):
    db = str(sample_target)
    path = tmp_path / "new.csv"
    path.write_text("key;title;category;owner\r\nNEW-1;Loyalty app pilot;capability;Nora New\r\n", encoding="utf-8-sig")
    assert main("import", str(path), "--dry-run", "--db", db) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Dry run of {path}: nothing was written."
    assert "  + NEW-1 “Loyalty app pilot” (lab, capability, owner Nora New) — line 2" in out
    assert "Would add 1 person (not on the board): Nora New" in out
    assert main("import", str(path), "--db", db) == 0
    out = capsys.readouterr().out.splitlines()
    assert "Created 1 initiative:" in out and "Added 1 person (not on the board): Nora New" in out
    assert main("import", str(path), "--db", db) == 0
    assert "Unchanged: 1 initiative." in capsys.readouterr().out


def test_only_an_import_run_as_the_program_leaves_the_collector_nothing_to_do_at_exit(
    sample_target, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "new.csv"
    path.write_text("key,title,category,owner\nNEW-1,Loyalty app pilot,capability,Nora New\n", encoding="utf-8")
    frozen = []
    monkeypatch.setattr(cli, "_before_exit", lambda: frozen.append(True))
    assert main("import", str(path), "--db", str(sample_target)) == 0
    assert frozen == []  # called with arguments: not the program, the process goes on
    monkeypatch.setattr("sys.argv", ["labreview", "import", str(path), "--db", str(sample_target)])
    assert cli.main() == 0 and frozen == [True]
    monkeypatch.setattr("sys.argv", ["labreview", "board", "list", "--db", str(sample_target)])
    assert cli.main() == 0 and frozen == [True]
    capsys.readouterr()


def test_import_with_bad_rows(sample_target, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        "key,title,stage,category,owner\nEXP-101,x,factory,performance,Kim Novak\nNEW-2,ok,lab,capability,Kim Novak\n"
    )
    code = main("import", str(path), "--db", str(sample_target))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip() == (
        "labreview: 1 row is bad (listed above), so nothing was imported; "
        "fix them, or add --skip-invalid to import the rest."
    )
    assert (
        "  line 2 (EXP-101): EXP-101 is transition in the portfolio; an import cannot make it factory" in captured.out
    )
    assert main("import", str(path), "--skip-invalid", "--db", str(sample_target)) == 0
    assert "Created 1 initiative:" in capsys.readouterr().out


def test_export_backlog_and_import_it_back(sample_target, tmp_path, capsys):
    db = str(sample_target)
    target = tmp_path / "backlog.csv"
    assert main("export", "backlog", str(target), "--db", db) == 0
    assert capsys.readouterr().out.strip() == f"Wrote 40 initiatives to {target}"
    refused(capsys, main("export", "backlog", str(target), "--db", db), "already exists; use --force")
    assert main("import", str(target), "--db", db) == 0
    assert "Nothing to change: the portfolio already matches the file." in capsys.readouterr().out


def test_export_decisions(sample_target, capsys):
    assert main("export", "decisions", "-", "--quarter", "2026-Q3", "--db", str(sample_target)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("quarter,session_date,key,title,outcome,stage_before,stage_after")
    refused(capsys, main("export", "decisions", "-", "--quarter", "2031-Q1", "--db", str(sample_target)), "no 2031-Q1")


# ---------------------------------------------------------------------- real processes: one line, no traceback


def test_malformed_csv_in_a_real_process(sample_target, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("key,title\nA-1,caf\xe9\x81\n".encode("latin-1"))
    assert_clean_refusal(run("import", str(path), "--db", str(sample_target)), "is not UTF-8 text (line 2)")
    path.write_bytes(b"title,owner\nx,y\n")
    assert_clean_refusal(run("import", str(path), "--db", str(sample_target)), "has no 'key' column")
    assert_clean_refusal(run("import", str(tmp_path / "nope.csv"), "--db", str(sample_target)), "There is no file")


def test_minutes_refusals_in_a_real_process(sample_target, tmp_path):
    assert_clean_refusal(run("minutes", "2030-Q1", "--db", str(sample_target), cwd=tmp_path), "no 2030-Q1 session")
    existing = tmp_path / "m.md"
    existing.write_text("x")
    assert_clean_refusal(run("minutes", "2026-Q3", "-o", str(existing), "--db", str(sample_target)), "--force")
    result = run("minutes", "2026-Q4", "-o", "-", env={"LABREVIEW_DB": str(sample_target)})
    assert result.returncode == 0 and result.stdout.startswith("# Minutes of the 2026-Q4")

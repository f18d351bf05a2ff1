"""`labreview session|budget|weights` and `--as` on the command line (issue 12)."""

from __future__ import annotations

from labreview.cli import main
from labreview.portfolio import Portfolio


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_plan_attend_and_as_name_a_person_of_the_portfolio(sample_target, capsys):
    db = str(sample_target)
    code, _out, err = run(capsys, "session", "plan", "2027-Q1", "--date", "2027-02-22", "--facilitator", "Kim Novak",
                          "--attendee", "Grace Liu", "--as", "root", "--db", db)  # fmt: skip
    assert code == 2 and "Nobody called 'root'" in err and "Traceback" not in err
    code, out, _err = run(capsys, "session", "plan", "2027-Q1", "--date", "2027-02-22", "--facilitator", "Kim Novak",
                          "--attendee", "Grace Liu", "--attendee", "Ravi Menon", "--db", db)  # fmt: skip
    assert code == 0 and "facilitated by Kim Novak, with 2 attendees" in out
    assert "— carried from 2026-Q4: not reached" in out  # 2026-Q4 was never held in the sample
    code, out, _err = run(capsys, "session", "attend", "2027-Q1", "Sam Okafor", "--as", "Grace Liu", "--db", db)
    assert code == 0 and "3 attend the 2027-Q1 session" in out
    p = Portfolio.open(sample_target, actor=None)
    entry = p.audit_log(limit=1)[0]
    assert (entry.actor, entry.summary) == ("Grace Liu", "Sam Okafor attends the 2027-Q1 session")
    p.close()
    code, _out, err = run(capsys, "session", "plan", "2027-Q2", "--date", "2027-02-22", "--facilitator", "Kim Novak",
                          "--attendee", "Grace Liu", "--db", db)  # fmt: skip
    assert code == 2 and "A 2027-Q2 session is held in 2027-Q2" in err


def test_budget_show_set_envelope_and_a_csv_round_trip(sample_target, tmp_path, capsys):
    db = str(sample_target)
    code, out, _err = run(capsys, "budget", "show", "2026-Q4", "--db", db)
    assert code == 0 and "No envelope set for 2026-Q4" in out
    assert "EXP-104  lab           26,400      22,000 *" in out
    assert "planned lines differ from the initiative's current quarterly cost" in out
    assert run(capsys, "budget", "set", "2026-Q4", "exp-104", "22,000", "--db", db)[0] == 0
    code, out, _err = run(capsys, "budget", "show", "2026-Q4", "--csv", "--db", db)
    assert code == 0 and out.splitlines()[0] == "quarter,key,title,stage,track,amount,cost_per_quarter"
    assert any(row.startswith("2026-Q4,EXP-104,") and row.endswith(",22000.00,22000.00") for row in out.splitlines())
    edited = out.replace(",22000.00,22000.00", ",23000.00,22000.00")
    (tmp_path / "budget.csv").write_text(edited, encoding="utf-8")
    code, out, _err = run(capsys, "budget", "import", "2026-Q4", str(tmp_path / "budget.csv"), "--db", db)
    assert code == 0 and "1 of 34 lines set" in out
    (tmp_path / "bad.csv").write_text("key,amount\nEXP-104,lots\n", encoding="utf-8")
    code, _out, err = run(capsys, "budget", "import", "2026-Q4", str(tmp_path / "bad.csv"), "--db", db)
    assert code == 2 and "line 2" in err and "not an amount" in err
    code, out, _err = run(capsys, "budget", "envelope", "2026-Q4", "--total", "900,000", "--lab", "90,000", "--db", db)
    assert code == 0
    code, out, _err = run(capsys, "budget", "show", "2026-Q4", "--db", db)
    assert "Envelope EUR 900,000 · lab ring-fenced EUR 90,000 · headroom" in out
    p = Portfolio.open(sample_target, actor=None)
    assert [line.amount for line in p.budget("2026-Q4").lines if line.key == "EXP-104"] == [2_300_000]
    assert p.audit_log(limit=1)[0].actor == "Kim Novak"  # the planned 2026-Q4 session's facilitator
    p.close()


def test_weights_set_refuses_nonsense_in_words(sample_target, capsys):
    code, _out, err = run(capsys, "weights", "set", "outcome-impact", "--db", str(sample_target))
    assert code == 2 and "criterion=number" in err
    code, _out, err = run(capsys, "weights", "set", "charisma=2", "--db", str(sample_target))
    assert code == 2 and "not a criterion" in err

"""`labreview session|budget|weights` and `--as` on the command line (issue 12)."""

from __future__ import annotations

from labreview.cli import main
from labreview.portfolio import Portfolio


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors end the parser this way
        code = exit_.code
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


def test_rights_show_grant_and_revoke_on_the_command_line(sample_target, capsys):
    db = str(sample_target)
    code, out, _err = run(capsys, "rights", "show", "--db", db)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 8
    assert lines[0].split()[0] == "1" and "pilot approval: the marketing innovation lead — Kim Novak" in lines[0]
    assert lines[0].endswith("(up to EUR 25,000 a quarter)")
    code, out, _err = run(
        capsys, "rights", "grant", "pilot", "--role", "privacy-partner", "--up-to", "12,000", "--as", "Dana Whitfield",
        "--db", db,
    )  # fmt: skip
    assert code == 0 and out.startswith("Granted: 9  pilot approval: the privacy partner — Joel Berg, Priya Raman")
    p = Portfolio.open(db)
    try:
        entry = p.audit_log(limit=1)[0]
        assert entry.actor == "Dana Whitfield" and entry.summary.startswith("Decision right: the privacy partner")
    finally:
        p.close()
    code, out, _err = run(capsys, "rights", "revoke", "9", "--db", db)
    assert code == 0 and out.startswith("Revoked: 9  pilot approval: the privacy partner")
    code, out, _err = run(capsys, "rights", "grant", "renewal", "--person", "Grace Liu", "--db", db)
    assert code == 0 and out.rstrip().endswith("renewal: Grace Liu (any cost)")


def test_rights_refusals_are_one_line_and_exit_2(sample_target, capsys):
    db = str(sample_target)
    for args, said in (
        (("grant", "everything", "--role", "sponsor"), "is not a right kind"),
        (("grant", "pilot", "--role", "chief"), "is not a board role"),
        (("grant", "pilot", "--person", "Nobody Here"), "Nobody is called exactly 'Nobody Here'"),
        (("grant", "pilot", "--person", "Grace"), "Nobody is called exactly 'Grace'"),  # never part of a name
        (("grant", "pilot", "--role", "sponsor", "--up-to", "99999999999999999999"), "too large to be real"),
        (("grant", "pilot", "--role", "sponsor", "--up-to", "1,2,3"), "ambiguous as an amount"),
        (("grant", "pilot", "--role", "sponsor", "--up-to", "0"), "positive amount"),
        (("grant", "pilot", "--role", "sponsor"), "already holds a pilot approval right"),
        (("revoke", "999"), "There is no decision right 999."),
        (("revoke", "nine"), "invalid int value"),
        (("grant", "pilot"), "one of the arguments --role --person is required"),
    ):
        code, out, err = run(capsys, "rights", *args, "--db", db)
        assert code == 2 and said in err and out == "", (args, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_rights_on_a_new_portfolio_and_a_hostile_holder_name(tmp_path, capsys):
    db = str(tmp_path / "new.db")
    assert run(capsys, "init", "--db", db)[0] == 0
    code, out, _err = run(capsys, "rights", "show", "--db", db)
    assert code == 0 and out.startswith("No decision rights: every board decision stands without a sign-off.")
    name = "Eve \x1b]52;c;ZXZpbA==\x07 [bold]Mallory[/bold]"
    p = Portfolio.open(db)
    try:
        p.add_person(name, "finance")
    finally:
        p.close()
    assert run(capsys, "rights", "grant", "sunset", "--person", name, "--db", db)[0] == 0
    code, out, _err = run(capsys, "rights", "show", "--db", db)
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "[bold]Mallory[/bold]" in out

"""Decision rights: who may sign off which decision, up to what cost, enforced when the decision is recorded.

The small portfolio: LAB-1 (EUR 10,000 a quarter, owned by Oscar Owner), LAB-2 (EUR 5,000, owned by Ines
Innovation), FAC-1 (EUR 85,000, owned by Olga Ops); attending 2026-Q4: Dana Sponsor, Ines Innovation, Mo
Martech, Olga Ops, Sue Security, Pat Privacy, Pia Privacy (not Fay Finance, not Ali Analytics).
"""

import pytest
from sqlalchemy import select

from labreview.domain import rights as rules
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal
from labreview.domain.vocabulary import BoardRole, DecisionOutcome, Gate, RightKind, Stage
from labreview.store.models import Decision
from tests.portfolio.conftest import Q, audit_count, pass_gates


@pytest.fixture
def ruled(portfolio):
    """The small portfolio with a table of rights, its session started."""
    p = portfolio
    p.grant_decision_right("pilot", role="innovation-lead", cost_limit=750_000)  # EUR 7,500
    p.grant_decision_right("pilot", role="sponsor")
    p.grant_decision_right("production", person="Mo Martech")
    p.grant_decision_right("renewal", role="finance", cost_limit=10_000_000)
    p.grant_decision_right("renewal", role="sponsor", cost_limit=5_000_000)
    p.grant_decision_right("sunset", role="marketing-ops")
    p.start_session(Q)
    return p


def test_without_rights_every_decision_stands_alone_and_a_sign_off_is_refused(portfolio):
    portfolio.start_session(Q)
    need = portfolio.sign_off(Q, "LAB-1", "iterate")
    assert (need.kind, need.needed, need.eligible) == (RightKind.PILOT, False, ())
    assert need.rule == "No decision right is set for pilot approval: the board's decision stands."
    with pytest.raises(PolicyRefusal, match="No decision right is set for pilot approval: record it without"):
        portfolio.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Dana Sponsor")
    decision = portfolio.record_decision(Q, "LAB-1", "iterate", rationale="again")
    assert decision.signed_off_by is None and decision.right is RightKind.PILOT


def test_the_table_lists_rights_by_kind_with_holders_and_limits_in_words(ruled):
    rows = [(r.kind, r.holder, r.limit) for r in ruled.decision_rights()]
    assert rows == [
        (RightKind.PILOT, "the marketing innovation lead", "up to EUR 7,500 a quarter"),
        (RightKind.PILOT, "the CMO / executive sponsor", "any cost"),
        (RightKind.PRODUCTION, "Mo Martech", "any cost"),
        (RightKind.RENEWAL, "the finance / procurement", "up to EUR 100,000 a quarter"),
        (RightKind.RENEWAL, "the CMO / executive sponsor", "up to EUR 50,000 a quarter"),
        (RightKind.SUNSET, "the marketing operations", "any cost"),
    ]


def test_a_governed_decision_without_a_sign_off_is_refused_naming_who_may(ruled):
    before = audit_count(ruled)
    with pytest.raises(PolicyRefusal) as refused:
        ruled.record_decision(Q, "LAB-1", "iterate", rationale="another cycle")
    assert refused.value.message == (
        "LAB-1's pilot approval (EUR 10,000 a quarter) needs a sign-off by the marketing innovation lead "
        "(up to EUR 7,500 a quarter) or the CMO / executive sponsor (any cost); say who signs it off."
    )
    assert audit_count(ruled) == before
    assert ruled.decision(Q, "LAB-1") is None


def test_a_holder_signs_off_only_up_to_the_cost_limit(ruled):
    with pytest.raises(PolicyRefusal) as refused:
        ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Ines Innovation")
    assert refused.value.message.startswith(
        "Ines Innovation may sign off pilot approval up to EUR 7,500 a quarter; LAB-1 costs EUR 10,000."
    )
    decision = ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Dana Sponsor")
    assert decision.signed_off_by == "Dana Sponsor"
    assert ruled.decisions(Q)[0].signed_off_by == "Dana Sponsor"
    assert "signed off by Dana Sponsor" in ruled.audit_log(1)[0].summary


def test_the_owner_never_signs_off_their_own_initiative(ruled):
    # LAB-2 costs EUR 5,000, within the innovation lead's limit, but Ines owns it.
    with pytest.raises(PolicyRefusal, match="Ines Innovation owns LAB-2 and cannot sign off its own pilot approval"):
        ruled.record_decision(Q, "LAB-2", "iterate", rationale="again", signed_off_by="Ines Innovation")
    need = ruled.sign_off(Q, "LAB-2", "iterate")
    assert [p.name for p in need.eligible] == ["Dana Sponsor"]
    # The same holds for a right held by name: Mo signs production off, except for a tool he owns.
    ruled.create_initiative("TRN-9", "Mo's own", stage="transition", category="efficiency", owner="Mo Martech")
    ruled.toggle_agenda(Q, "TRN-9")
    pass_gates(ruled, "TRN-9", *Gate)
    with pytest.raises(PolicyRefusal, match="Mo Martech owns TRN-9"):
        ruled.record_decision(Q, "TRN-9", "promote", rationale="ready", signed_off_by="Mo Martech")


def test_somebody_without_the_right_or_not_attending_is_refused(ruled):
    with pytest.raises(PolicyRefusal) as refused:
        ruled.record_decision(Q, "FAC-1", "renew", signed_off_by="Sue Security")
    assert refused.value.message == (
        "Sue Security holds no renewal right; it is for the finance / procurement (up to EUR 100,000 a quarter) "
        "or the CMO / executive sponsor (up to EUR 50,000 a quarter)."
    )
    # Fay Finance holds it and covers EUR 85,000, but she is not in the room.
    with pytest.raises(PolicyRefusal, match="Fay Finance is not attending this session; only an attendee signs off"):
        ruled.record_decision(Q, "FAC-1", "renew", signed_off_by="Fay Finance")
    # The sponsor holds renewal only up to EUR 50,000.
    with pytest.raises(PolicyRefusal, match="up to EUR 50,000 a quarter; FAC-1 costs EUR 85,000"):
        ruled.record_decision(Q, "FAC-1", "renew", signed_off_by="Dana Sponsor")
    need = ruled.sign_off(Q, "FAC-1", "renew")
    assert need.needed and need.eligible == ()
    assert need.rule.startswith("Renewal (EUR 85,000 a quarter): the finance / procurement")
    ruled.set_attendance(Q, "Fay Finance", True)
    assert [p.name for p in ruled.sign_off(Q, "FAC-1", "renew").eligible] == ["Fay Finance"]
    assert ruled.record_decision(Q, "FAC-1", "renew", signed_off_by="Fay Finance").signed_off_by == "Fay Finance"


def test_kill_and_hold_need_no_sign_off_even_when_every_kind_has_rights(ruled):
    assert ruled.sign_off(Q, "LAB-1", "kill").needed is False
    assert ruled.sign_off(Q, "LAB-1", "kill").rule == "A decision to kill needs no sign-off."
    assert ruled.record_decision(Q, "LAB-1", "kill", rationale="no lift").signed_off_by is None
    assert ruled.record_decision(Q, "LAB-2", "hold", rationale="waiting").signed_off_by is None


def test_sunset_and_production_follow_their_own_rights(ruled):
    with pytest.raises(PolicyRefusal, match="needs a sign-off by the marketing operations"):
        ruled.record_decision(Q, "FAC-1", "retire", rationale="replaced")
    with pytest.raises(PolicyRefusal, match="Olga Ops owns FAC-1"):
        ruled.record_decision(Q, "FAC-1", "retire", rationale="replaced", signed_off_by="Olga Ops")
    assert ruled.sign_off(Q, "FAC-1", "consolidate").eligible == ()  # Olga is the only marketing-ops attendee
    ruled.create_initiative("TRN-1", "Scaled pilot", stage="transition", category="efficiency", owner="Oscar Owner")
    ruled.toggle_agenda(Q, "TRN-1")
    pass_gates(ruled, "TRN-1", *Gate)
    assert [p.name for p in ruled.sign_off(Q, "TRN-1", "promote").eligible] == ["Mo Martech"]
    decision = ruled.record_decision(Q, "TRN-1", "promote", rationale="ready", signed_off_by="Mo Martech")
    assert (decision.stage_after, decision.signed_off_by, decision.right) == (
        Stage.FACTORY,
        "Mo Martech",
        RightKind.PRODUCTION,
    )


def test_the_natural_signer_comes_first_the_sponsor_is_the_escalation(ruled):
    # LAB-2 (EUR 5,000): Ines holds the narrowest right that covers it but owns LAB-2; then, both at any cost,
    # Oscar (who holds pilot approval only) before Dana (who holds every kind): the specialist, not the sponsor.
    ruled.grant_decision_right("pilot", person="Oscar Owner")  # not on the board; owns LAB-1, not LAB-2
    ruled.set_attendance(Q, "Oscar Owner", True)
    assert [p.name for p in ruled.sign_off(Q, "LAB-2", "iterate").eligible] == ["Oscar Owner", "Dana Sponsor"]
    ruled.create_initiative("LAB-3", "Small test", category="efficiency", owner="Olga Ops", quarterly_cost=200_000)
    ruled.toggle_agenda(Q, "LAB-3")
    assert [p.name for p in ruled.sign_off(Q, "LAB-3", "iterate").eligible] == [
        "Ines Innovation",  # up to EUR 7,500: the narrowest right covering EUR 2,000
        "Oscar Owner",
        "Dana Sponsor",
    ]
    assert [p.name for p in ruled.sign_off(Q, "LAB-1", "iterate").eligible] == ["Dana Sponsor"]


def test_undo_takes_a_signed_decision_and_a_grant_back(ruled):
    ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Dana Sponsor")
    ruled.undo()
    assert ruled.decision(Q, "LAB-1") is None
    with ruled.engine.connect() as c:
        assert c.execute(select(Decision)).all() == []
    right = ruled.grant_decision_right("sunset", person="Sue Security", cost_limit=100)
    assert right.limit == "up to EUR 1 a quarter"
    ruled.undo()
    assert all(r.id != right.id for r in ruled.decision_rights())


def test_grant_and_revoke_refuse_what_makes_no_sense(ruled):
    with pytest.raises(PolicyRefusal, match="already holds a production sign-off right"):
        ruled.grant_decision_right("production", person="Mo Martech")
    with pytest.raises(InvalidInput, match="held by a board role or by one person"):
        ruled.grant_decision_right("production", role="sponsor", person="Mo Martech")
    with pytest.raises(InvalidInput, match="held by a board role or by one person"):
        ruled.grant_decision_right("production")
    with pytest.raises(InvalidInput, match="positive amount"):
        ruled.grant_decision_right("production", role="sponsor", cost_limit=0)
    with pytest.raises(InvalidInput, match="is not a right kind"):
        ruled.grant_decision_right("everything", role="sponsor")
    with pytest.raises(NotFound):
        ruled.grant_decision_right("production", person="Nobody Here")
    with pytest.raises(NotFound, match="no decision right 999"):
        ruled.revoke_decision_right(999)
    mo = next(r for r in ruled.decision_rights() if r.kind is RightKind.PRODUCTION)
    gone = ruled.revoke_decision_right(mo.id)
    assert gone.holder == "Mo Martech"
    assert "no longer signs off production sign-off" in ruled.audit_log(1)[0].summary
    # With no production right left, a promotion into the factory stands without a sign-off again.
    assert ruled.sign_off(Q, "LAB-1", "promote").kind is RightKind.PILOT
    assert not any(r.kind is RightKind.PRODUCTION for r in ruled.decision_rights())


def test_hostile_names_stay_text_in_refusals(ruled):
    name = "[bold red]Eve[/] \x1b]52;c;ZXZpbA==\x07"
    ruled.add_person(name, "sponsor")
    ruled.grant_decision_right("production", person=name)
    with pytest.raises(PolicyRefusal) as refused:
        ruled.record_decision(Q, "FAC-1", "renew", signed_off_by=name)
    assert name in refused.value.message  # said as it is; the screens render it as text


def test_the_rule_in_the_domain():
    sponsor = rules.Right(1, RightKind.PILOT, role=BoardRole.SPONSOR)
    capped = rules.Right(2, RightKind.PILOT, person_id=7, person_name="Kim", cost_limit=500)
    kim = rules.Signer(7, "Kim")
    gone = rules.Signer(8, "Ray", BoardRole.SPONSOR, active=False)
    assert rules.kind_of(Stage.LAB, DecisionOutcome.KILL) is None
    assert rules.kind_of(Stage.RETIRED, DecisionOutcome.RENEW) is None
    assert rules.outcomes_of(RightKind.PILOT) == "lab: promote, iterate; transition: iterate"
    common = {"key": "X-1", "owner_id": 1, "rights": [sponsor, capped], "attendees": None}
    assert rules.refusal(RightKind.PILOT, cost=500, signer=kim, **common) is None
    assert "up to EUR 5 a quarter" in rules.refusal(RightKind.PILOT, cost=501, signer=kim, **common)
    assert "no longer active" in rules.refusal(RightKind.PILOT, cost=1, signer=gone, **common)
    with pytest.raises(PolicyRefusal, match="needs a sign-off by the CMO / executive sponsor"):
        rules.check(RightKind.PILOT, cost=1, signer=None, **common)
    rules.check(RightKind.RENEWAL, cost=1, signer=None, **common)  # no renewal right: nothing needed


def test_a_hostile_signer_name_stays_text_in_the_minutes_and_the_exports(ruled):
    import csv
    import io
    import json

    from labreview.exchange import minutes
    from labreview.exchange.csv_write import decisions_csv
    from labreview.exchange.jsonio import decisions_json

    name = '=HYPERLINK("http://x")|[b]Eve[/b] *bold* <script>'
    ruled.add_person(name, "finance")
    ruled.set_attendance(Q, name, True)
    ruled.record_decision(Q, "FAC-1", "renew", signed_off_by=name)
    text = minutes.render(ruled, Q)
    line = next(line for line in text.splitlines() if line.startswith("**Signed off by:**"))
    assert "\\<script>" in line and "\\*bold\\*" in line and "\\|" in line  # escaped: read as typed
    from labreview.exchange import minutes_html

    page = minutes_html.render(ruled, Q)
    assert "<script>" not in page and "&lt;script&gt;" in page
    (row,) = csv.DictReader(io.StringIO(decisions_csv(ruled, Q).text))
    assert row["signed_off_by"] == "'" + name  # a spreadsheet would run it as a formula otherwise
    (exported,) = json.loads(decisions_json(ruled, Q).text)["decisions"]
    assert exported["signed_off_by"] == name


def test_a_signer_is_named_exactly_never_by_part_of_a_name(ruled):
    for ref, error, said in (
        ("Dana", NotFound, "Nobody is called exactly 'Dana'"),
        ("dana sponsor", None, None),  # case aside, the whole name is fine
        (True, InvalidInput, "by their name or id; got True"),
        (2.0, InvalidInput, "by their name or id; got 2.0"),
    ):
        if error is None:
            continue
        with pytest.raises(error, match=said):
            ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by=ref)
    ruled.add_person("DANA SPONSOR")  # two people whose names differ only in case
    with pytest.raises(PolicyRefusal, match="DANA SPONSOR holds no pilot approval right"):
        ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="DANA SPONSOR")
    with pytest.raises(InvalidInput, match="Several people are called 'dana sponsor'"):
        ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="dana sponsor")
    right = ruled.grant_decision_right("sunset", person="DANA SPONSOR")
    assert right.person.name == "DANA SPONSOR"  # not Dana Sponsor, whose name it contains case aside
    decision = ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Dana Sponsor")
    assert decision.signed_off_by == "Dana Sponsor"


def test_a_cost_limit_is_a_real_amount(ruled):
    for limit, said in (
        (10**30, "too large to be real"),
        (1.5, "whole number of cents"),
        (True, "whole number of cents"),
        ("100", "whole number of cents"),
        (-5, "cannot be negative"),
    ):
        with pytest.raises(InvalidInput, match=said):
            ruled.grant_decision_right("sunset", role="finance", cost_limit=limit)
    from labreview.domain.fields import MAX_MONEY

    big = ruled.grant_decision_right("sunset", role="finance", cost_limit=MAX_MONEY)  # 64 bits on PostgreSQL too
    assert big.cost_limit == MAX_MONEY


def test_the_record_says_which_right_and_what_cost_a_sign_off_covered(ruled):
    """Changing the owner or the cost around a decision cannot hide what was signed: the audit record of the
    decision names the right used and the cost at that moment (the edits before and after are records too)."""
    ruled.update_initiative("LAB-1", quarterly_cost=700_000)  # within Ines's EUR 7,500
    ruled.record_decision(Q, "LAB-1", "iterate", rationale="again", signed_off_by="Ines Innovation")
    summary = ruled.audit_log(1)[0].summary
    assert "signed off by Ines Innovation (the marketing innovation lead (up to EUR 7,500 a quarter); " in summary
    assert "EUR 7,000 a quarter)" in summary


def test_amounts_in_a_refusal_never_read_the_same_when_they_differ(ruled):
    ruled.update_initiative("LAB-2", owner="Oscar Owner", quarterly_cost=750_001)  # one cent over Ines's limit
    with pytest.raises(PolicyRefusal) as refused:
        ruled.record_decision(Q, "LAB-2", "iterate", rationale="again", signed_off_by="Ines Innovation")
    assert "up to EUR 7,500.00 a quarter; LAB-2 costs EUR 7,500.01" in refused.value.message


def test_sign_off_checks_what_it_is_asked(ruled, portfolio):
    with pytest.raises(PolicyRefusal, match="not a decision for a factory initiative"):
        ruled.sign_off(Q, "FAC-1", "iterate")
    ruled.record_decision(Q, "LAB-2", "kill", rationale="no lift")
    with pytest.raises(PolicyRefusal, match="takes no further decisions"):
        ruled.sign_off(Q, "LAB-2", "iterate")
    with pytest.raises(PolicyRefusal, match="This decision needs none: record it without a sign-off"):
        ruled.record_decision(Q, "LAB-1", "kill", rationale="no", signed_off_by="Dana Sponsor")
    ruled.end_session(Q)
    with pytest.raises(PolicyRefusal):
        ruled.sign_off(Q, "LAB-1", "iterate")

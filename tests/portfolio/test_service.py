"""Use cases on a temporary database: what they write, what they refuse, and that refusals write nothing."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from labreview.domain.backlog_query import Order
from labreview.domain.errors import InvalidInput, NotFound, PolicyRefusal, StaleEdit
from labreview.domain.vocabulary import AccessStatus, CheckState, Criterion, DecisionOutcome, Gate, Stage, Track
from labreview.portfolio import NewActionItem, parse_filter
from labreview.store.models import AuditEvent

Q = "2026-Q4"


def audit_count(p):
    with p.engine.connect() as c:
        return c.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def pass_gates(p, key, *gates):
    for item in p.templates():
        if item.gate in gates and (not item.ai_only or p.initiative(key).ai_heavy):
            p.set_check(key, item.id, CheckState.MET)


def test_scores_need_an_open_session_and_an_attending_board_member(portfolio):
    with pytest.raises(PolicyRefusal, match="has not started"):
        portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 4)
    portfolio.start_session(Q)
    with pytest.raises(PolicyRefusal, match="not on the review board"):
        portfolio.record_score(Q, "LAB-1", "Oscar Owner", "outcome-impact", 4)
    with pytest.raises(PolicyRefusal, match="not attending"):
        portfolio.record_score(Q, "LAB-1", "Fay Finance", "outcome-impact", 4)
    with pytest.raises(InvalidInput, match="1 to 5"):
        portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", 9)
    portfolio.record_score(Q, "LAB-1", "Dana Sponsor", Criterion.OUTCOME_IMPACT, 5)
    sheet = portfolio.record_score(Q, "LAB-1", "Mo Martech", Criterion.OUTCOME_IMPACT, 2)
    assert sheet.summary.contested == (Criterion.OUTCOME_IMPACT,)
    assert sheet.summary.total == pytest.approx(3.5)
    changed = portfolio.record_score(Q, "LAB-1", "Mo Martech", Criterion.OUTCOME_IMPACT, 4)
    assert changed.summary.stats[Criterion.OUTCOME_IMPACT].mean == pytest.approx(4.5)
    row = portfolio.backlog(parse_filter("churn"), Order("score")).rows[0]
    assert row.score == pytest.approx(4.5) and row.spread == 1


def test_refusals_write_nothing(portfolio):
    before = audit_count(portfolio)
    for attempt in (
        lambda: portfolio.record_decision(Q, "LAB-1", "iterate", rationale="x"),  # session not started
        lambda: portfolio.create_initiative("LAB-1", "dup", category="capability", owner="Oscar Owner"),
        lambda: portfolio.create_initiative("bad key!", "x", category="capability", owner="Oscar Owner"),
        lambda: portfolio.set_check("LAB-2", 10_000, CheckState.MET),
        lambda: portfolio.update_initiative("LAB-1", stage="factory"),
        lambda: portfolio.request_access("LAB-2", tier=2, data_description="emails", retention_days=30),
    ):
        with pytest.raises((InvalidInput, PolicyRefusal, NotFound)):
            attempt()
    assert audit_count(portfolio) == before


def test_promotion_is_refused_while_gates_are_open_then_allowed(portfolio):
    portfolio.start_session(Q)
    with pytest.raises(PolicyRefusal, match=r"cannot be promoted yet\. Pilot approval has"):
        portfolio.record_decision(Q, "LAB-1", "promote", rationale="looks good")
    pass_gates(portfolio, "LAB-1", Gate.PILOT_APPROVAL, Gate.EVIDENCE_REVIEW)
    assert portfolio.initiative("LAB-1").pilot_approved_on == dt.date(2026, 11, 23)
    decision = portfolio.record_decision(
        Q, "LAB-1", "promote", rationale="lift reached", next_review=dt.date(2027, 2, 1)
    )
    assert (decision.stage_before, decision.stage_after) == (Stage.LAB, Stage.TRANSITION)
    item = portfolio.initiative("LAB-1")
    assert item.stage is Stage.TRANSITION and item.track is Track.ITERATE
    assert item.last_outcome is DecisionOutcome.PROMOTE and item.current_gate is Gate.PRODUCTION_READINESS
    with pytest.raises(PolicyRefusal, match="already has a decision"):
        portfolio.record_decision(Q, "LAB-1", "iterate", rationale="again")


def test_decision_with_action_items_and_budget_projection(portfolio):
    portfolio.set_budget_line(Q, "LAB-1", 1_000_000)
    portfolio.set_budget_line(Q, "LAB-2", 500_000)
    portfolio.set_budget_line(Q, "FAC-1", 8_500_000)
    portfolio.start_session(Q)
    owner = portfolio.person("Oscar Owner")
    with pytest.raises(InvalidInput, match="in the past"):
        portfolio.record_decision(
            Q,
            "LAB-2",
            "kill",
            rationale="no lift",
            action_items=[NewActionItem("write up", owner.id, dt.date(2020, 1, 1))],
        )
    decision = portfolio.record_decision(
        Q,
        "LAB-2",
        "kill",
        rationale="no lift; learning published",
        action_items=[NewActionItem("Publish the learning note", owner.id, dt.date(2026, 12, 15))],
    )
    assert decision.stage_after is Stage.RETIRED and decision.track_after is None
    assert [a.text for a in decision.action_items] == ["Publish the learning note"]
    budget = portfolio.budget(Q)
    assert budget.mix.total == 10_000_000 and budget.projected.total == 9_500_000
    assert budget.projected.amount(Track.LAB) == 1_000_000
    assert budget.changes == ("LAB-2 kill: EUR 5,000 leaves the lab track",)


def test_access_policy_through_the_service(portfolio):
    portfolio.start_session(Q)
    request = portfolio.request_access("LAB-2", tier=3, data_description="emails", retention_days=30)
    with pytest.raises(PolicyRefusal, match="owns this initiative"):
        portfolio.sign_access(request.id, "Ines Innovation", capacity="privacy", quarter=Q)
    with pytest.raises(PolicyRefusal, match="finance / procurement; this signature needs the privacy partner"):
        portfolio.sign_access(request.id, "Fay Finance", quarter=Q)
    portfolio.set_attendance(Q, "Pia Privacy", False)
    with pytest.raises(PolicyRefusal, match="Pia Privacy is not attending"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)
    portfolio.set_attendance(Q, "Pia Privacy", True)
    with pytest.raises(InvalidInput, match="needs a reason"):
        portfolio.sign_access(request.id, "Sue Security", approve=False, quarter=Q)
    half = portfolio.sign_access(request.id, "Pat Privacy", conditions="no export", quarter=Q)
    assert half.status is AccessStatus.PENDING and [c.value for c in half.missing] == ["security"]
    with pytest.raises(PolicyRefusal, match="already signed"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)
    done = portfolio.sign_access(request.id, "Sue Security", conditions="hashed ids", quarter=Q)
    assert done.status is AccessStatus.APPROVED and done.conditions == "no export; hashed ids"
    assert int(portfolio.initiative("LAB-2").access_tier) == 3
    with pytest.raises(PolicyRefusal, match="already approved"):
        portfolio.sign_access(request.id, "Pia Privacy", quarter=Q)


def test_level_one_attested_by_the_owner(portfolio):
    request = portfolio.request_access("FAC-1", tier=1, data_description="aggregates", retention_days=365)
    with pytest.raises(PolicyRefusal, match="attested by the initiative's owner"):
        portfolio.sign_access(request.id, "Pat Privacy", capacity="owner")
    assert portfolio.sign_access(request.id, "Olga Ops").status is AccessStatus.APPROVED


def test_waiver_needs_a_reason_and_criteria_change_after_approval_needs_one(portfolio):
    item = next(t for t in portfolio.templates() if t.gate is Gate.PILOT_APPROVAL)
    with pytest.raises(InvalidInput, match="waiver needs a reason"):
        portfolio.set_check("LAB-1", item.id, CheckState.WAIVED)
    portfolio.set_check("LAB-1", item.id, CheckState.WAIVED, "sandbox only")
    portfolio.set_success_criterion("LAB-2", "baseline", "21 %")  # before approval: no reason needed
    pass_gates(portfolio, "LAB-1", Gate.PILOT_APPROVAL)
    with pytest.raises(PolicyRefusal, match="needs a reason"):
        portfolio.set_success_criterion("LAB-1", "target_lift", "+2 pt")
    portfolio.set_success_criterion("LAB-1", "target_lift", "+2 pt", reason="seasonality")
    changes = portfolio.criteria_changes(key="LAB-1")
    assert [(c.field, c.before, c.after, c.reason) for c in changes] == [
        ("target_lift", "+1 pt", "+2 pt", "seasonality")
    ]


def test_undo_reverts_the_last_action_and_is_audited(portfolio):
    portfolio.start_session(Q)
    portfolio.record_score(Q, "LAB-1", "Dana Sponsor", "data-risk", 4)
    portfolio.record_decision(Q, "LAB-2", "kill", rationale="no lift")
    assert portfolio.last_action().startswith("Decided kill for LAB-2")
    assert portfolio.undo().startswith("Decided kill")
    assert portfolio.initiative("LAB-2").stage is Stage.LAB
    assert portfolio.decision(Q, "LAB-2") is None
    portfolio.undo()
    assert portfolio.score_sheet(Q, "LAB-1").scores == {}
    assert portfolio.initiative("LAB-1").last_outcome is None
    entries = portfolio.audit_log(5)
    assert [e.action for e in entries[:2]] == ["undo", "undo"]
    assert portfolio.verify_audit().ok


def test_undo_refuses_when_the_rows_changed_since(portfolio, clock):
    from labreview.portfolio import Portfolio

    other = Portfolio(portfolio.engine, actor="Someone Else", clock=clock)
    portfolio.update_initiative("LAB-1", title="Churn model v2")
    other.update_initiative("LAB-1", title="Churn model v3")
    with pytest.raises(StaleEdit, match="changed again since"):
        portfolio.undo()
    assert portfolio.initiative("LAB-1").title == "Churn model v3"


def test_stale_edits_are_refused(portfolio):
    item = portfolio.initiative("LAB-1")
    portfolio.update_initiative("LAB-1", version=item.version, vendor="Acme")
    with pytest.raises(StaleEdit, match="Someone else changed this"):
        portfolio.update_initiative("LAB-1", version=item.version, vendor="Other")
    assert portfolio.initiative("LAB-1").vendor == "Acme"


def test_agenda_order_and_timebox(portfolio):
    session = portfolio.move_agenda_item(Q, "FAC-1", -2)
    assert [e.key for e in session.agenda] == ["FAC-1", "LAB-1", "LAB-2"]
    assert [e.position for e in session.agenda] == [1, 2, 3]
    portfolio.add_time(Q, "LAB-1", 95)
    portfolio.set_current_item(Q, "LAB-1")
    session = portfolio.set_timebox(Q, "LAB-1", 10)
    entry = next(e for e in session.agenda if e.key == "LAB-1")
    assert (entry.spent_seconds, entry.timebox_seconds, session.current_key) == (95, 600, "LAB-1")
    session = portfolio.toggle_agenda(Q, "LAB-2")
    assert [e.key for e in session.agenda] == ["FAC-1", "LAB-1"]


def test_backlog_filters_sorts_and_pages_in_sql(portfolio):
    all_rows = portfolio.backlog(parse_filter(""), Order("cost", descending=True))
    assert [r.key for r in all_rows.rows] == ["FAC-1", "LAB-1", "LAB-2"] and all_rows.total == 3
    assert [r.key for r in portfolio.backlog(parse_filter("stage:lab owner:oscar")).rows] == ["LAB-1"]
    assert portfolio.backlog(parse_filter("stage:fac")).total == 1
    ids = portfolio.backlog_index(parse_filter("category:capability"), Order("key"))
    assert [r.key for r in portfolio.backlog_rows_by_id(ids)] == ["FAC-1", "LAB-1"]
    counts = portfolio.backlog_stage_counts(parse_filter(""))
    assert counts[Stage.LAB] == 2 and counts[Stage.FACTORY] == 1
    with pytest.raises(InvalidInput, match="Unknown filter 'colour:'"):
        parse_filter("colour:red")
    with pytest.raises(InvalidInput, match="tier:1"):
        parse_filter("tier:9")


def test_audit_records_who_when_what_and_before_after(portfolio):
    portfolio.update_initiative("LAB-1", vendor="Acme")
    with portfolio.engine.connect() as c:
        event = c.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    assert event.actor == "Tess Facilitator" and event.action == "edit initiative"
    assert '"before": {"search_text"' in event.changes or '"vendor": ""' in event.changes
    assert '"vendor": "Acme"' in event.changes


def test_text_that_cannot_be_stored_is_refused_in_words(portfolio):
    before = audit_count(portfolio)
    for attempt in (
        lambda: portfolio.update_initiative("LAB-1", title="Churn \ud800 model"),
        lambda: portfolio.set_intake("LAB-1", "exit_plan", "stop\x00"),
        lambda: portfolio.add_person("Lone \udfff Surrogate"),
        lambda: portfolio.add_person("Eve Email", email="eve\x00@example.com"),
    ):
        with pytest.raises(InvalidInput, match=r"NUL character|broken character"):
            attempt()
    assert audit_count(portfolio) == before
    assert portfolio.add_person("Eve Email", email="  eve@example.com ").email == "eve@example.com"


def test_look_ups_with_a_broken_character_are_answered_in_words(portfolio):
    with pytest.raises(NotFound, match="There is no initiative LAB-\\?"):
        portfolio.initiative("LAB-\ud800")
    assert portfolio.find_initiatives("churn \udfff") == []
    assert portfolio.criteria_changes(key="\ud800") == []
    assert portfolio.backlog(parse_filter("churn x\ud800")).total == 0

"""Hostile input through the service: every text field takes every string of the Big List of Naughty Strings
(and labreview's own extras) and stores it byte-exact, or refuses it with a readable ``InvalidInput``.

"Byte-exact" is after the one documented normalisation of ``clean_text``: blanks
around the text are trimmed and CRLF becomes LF. What is refused is exactly what
must be: NUL, lone surrogates, text over the field's limit, an empty required
field, a duplicate person name. Anything else raised is a failure.

The CSV import and the minutes are tried by the exchange work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy
from sqlalchemy import event

from labreview.domain.errors import DomainError, InvalidInput, PolicyRefusal
from labreview.domain.vocabulary import CheckState, Gate
from labreview.portfolio import NewActionItem, Portfolio, parse_filter
from labreview.store.engine import make_engine
from tests.hostile import normalized, sample, strings

Q = "2026-Q4"


@dataclass(frozen=True)
class Field:
    """A text field: how to store a string in it (returning what was stored, read back), its limit, whether required."""

    name: str
    store: Callable[[Portfolio, str, int], str]
    limit: int
    required: bool = False
    unique: bool = False


def _title(p, text, n):
    p.update_initiative("LAB-1", title=text)
    return p.initiative("LAB-1").title


def _edit(field):
    def store(p, text, n):
        p.update_initiative("LAB-1", **{field: text})
        return getattr(p.initiative("LAB-1"), field)

    return store


def _intake(field):
    def store(p, text, n):
        p.set_intake("LAB-1", field, text)
        return getattr(p.initiative("LAB-1").intake, field)

    return store


def _criterion(field):
    def store(p, text, n):
        p.set_success_criterion("LAB-2", field, text)
        return getattr(p.initiative("LAB-2"), field)

    return store


def _criteria_change_reason(p, text, n):
    p.set_success_criterion("LAB-1", "baseline", f"baseline {n}", reason=text)
    return p.criteria_changes(key="LAB-1")[-1].reason


def _decision(field):
    def store(p, text, n):
        values = {"rationale": "why", "conditions": ""} | {field: text}
        decision = p.record_decision(Q, "LAB-2", "iterate", **values)
        p.undo()
        return getattr(decision, field)

    return store


def _action_item(p, text, n):
    owner = p.person("Oscar Owner").id
    return p.add_action_item(Q, "LAB-1", NewActionItem(text, owner, dt.date(2026, 12, 31))).text


def _waiver(p, text, n):
    item = next(t.id for t in p.templates() if t.gate is Gate.EVIDENCE_REVIEW)
    p.set_check("LAB-2", item, CheckState.WAIVED, text)
    return next(i for r in p.checklist("LAB-2").reports for i in r.items if i.item_id == item).reason


def _data_description(p, text, n):
    return p.request_access("LAB-1", tier=2, data_description=text, retention_days=30).data_description


def _signature(approve):
    def store(p, text, n):
        request = p.request_access("LAB-1", tier=2, data_description=f"data {n}", retention_days=30)
        try:
            view = p.sign_access(request.id, "Pat Privacy", approve=approve, conditions=text, quarter=Q)
            if approve:
                assert view.conditions == view.signatures[0].conditions
            p.undo()  # keeps one request at a time (and undoes through hostile text)
        finally:
            p.undo()
        return view.signatures[0].conditions

    return store


def _person(p, text, n):
    added = p.add_person(text)
    assert p.person(added.id).name == added.name
    return added.name


def _email(p, text, n):
    return p.person(p.add_person(f"Person {n}", email=text).id).email


def _setting(p, text, n):
    p.set_setting("name", text)
    return p.name


def _template(p, text, n):
    added = p.add_template_item(Gate.SCALE_MONITORING, text)
    assert next(t for t in p.templates() if t.id == added.id).text == added.text
    return added.text


FIELDS = [
    Field("initiative title", _title, 200, required=True),
    Field("initiative description", _edit("description"), 10_000),
    Field("initiative vendor", _edit("vendor"), 120),
    Field("intake business objective", _intake("business_objective"), 10_000),
    Field("intake user group", _intake("user_group"), 10_000),
    Field("intake exit plan", _intake("exit_plan"), 10_000),
    Field("criterion baseline", _criterion("baseline"), 500),
    Field("criterion target lift", _criterion("target_lift"), 500),
    Field("criterion test period", _criterion("test_period"), 500),
    Field("criterion operational threshold", _criterion("operational_threshold"), 500),
    Field("criteria change reason", _criteria_change_reason, 1000, required=True),
    Field("decision rationale", _decision("rationale"), 2000, required=True),
    Field("decision conditions", _decision("conditions"), 2000),
    Field("action item", _action_item, 500, required=True),
    Field("waiver reason", _waiver, 1000, required=True),
    Field("access data description", _data_description, 1000, required=True),
    Field("access approval conditions", _signature(True), 1000),
    Field("access rejection reason", _signature(False), 1000, required=True),
    Field("person name", _person, 120, required=True, unique=True),
    Field("person email", _email, 200),
    Field("portfolio name", _setting, 200, required=True),
    Field("gate checklist item", _template, 300, required=True),
]


def must_refuse(text: str, field: Field, seen: set[str]) -> bool:
    stored = normalized(text)
    if "\x00" in stored or any("\ud800" <= c <= "\udfff" for c in stored):
        return True
    return len(stored) > field.limit or (field.required and not stored) or (field.unique and stored in seen)


@pytest.fixture
def fast(portfolio):
    """The ``portfolio`` fixture with fsync off: thousands of commits; durability is not what is tested here."""

    def no_sync(dbapi_connection, _record) -> None:
        if portfolio.engine.dialect.name == "sqlite":
            dbapi_connection.execute("PRAGMA synchronous = OFF")
        else:  # PostgreSQL: a commit does not wait for its WAL to reach the disk (the session's setting)
            dbapi_connection.execute("SET synchronous_commit = off")
            dbapi_connection.commit()

    event.listen(portfolio.engine, "connect", no_sync)
    portfolio.engine.dispose()
    portfolio.start_session(Q)
    for item in portfolio.templates():  # LAB-1's pilot is approved: its criteria need a reason to change
        if item.gate is Gate.PILOT_APPROVAL:
            portfolio.set_check("LAB-1", item.id, CheckState.MET)
    return portfolio


CORPORA = [
    pytest.param(sample, id="sample"),
    pytest.param(strings, id="all", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("corpus", CORPORA)
@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name.replace(" ", "-"))
def test_every_hostile_string_is_stored_exactly_or_refused_in_words(fast, field, corpus):
    p = fast
    seen: set[str] = set()
    stored_count = refused = 0
    for n, text in enumerate(corpus()):
        expect_refusal = must_refuse(text, field, seen)
        try:
            stored = field.store(p, text, n)
        except (InvalidInput, PolicyRefusal) as refusal:
            assert expect_refusal, f"{field.name}: {text!r} was refused: {refusal.message}"
            assert refusal.message and "Traceback" not in refusal.message
            refused += 1
            continue
        except DomainError as other:
            pytest.fail(f"{field.name}: {text!r} raised {type(other).__name__}: {other.message}")
        assert not expect_refusal, f"{field.name}: {text!r} should have been refused"
        assert stored == normalized(text), f"{field.name}: {text!r} came back as {stored!r}"
        seen.add(stored)
        stored_count += 1
    assert stored_count > 150 and refused >= 2
    assert p.verify_audit().ok


def test_titles_are_stored_byte_for_byte(fast, db_target):
    p = fast
    reader = make_engine(db_target)  # a connection of its own: what is in the database, not what the service holds
    as_bytes = "CAST(title AS BLOB)" if reader.dialect.name == "sqlite" else "convert_to(title, 'UTF8')"
    query = sqlalchemy.text(f"SELECT {as_bytes} FROM initiative WHERE key = 'LAB-1'")
    try:
        for hostile in strings():
            expected = normalized(hostile)
            try:
                p.update_initiative("LAB-1", title=hostile)
            except InvalidInput:
                continue
            with reader.connect() as connection:
                raw = connection.execute(query).scalar_one()
            assert bytes(raw) == expected.encode("utf-8"), repr(hostile)
    finally:
        reader.dispose()


def test_hostile_look_ups_and_filters_are_answered_in_words(fast):
    p = fast
    for text in strings():
        attempts = (
            lambda text=text: p.create_initiative(text, "x", category="capability", owner="Oscar Owner"),
            lambda text=text: p.record_score(Q, "LAB-1", "Dana Sponsor", "outcome-impact", text),
            lambda text=text: p.set_budget_line(text, "LAB-1", 100),
            lambda text=text: p.request_access("LAB-1", tier=text, data_description="x", retention_days=30),
            lambda text=text: p.session(text),
            lambda text=text: p.person(text),
            lambda text=text: p.initiative(text),
            lambda text=text: p.criteria_changes(key=text),
            lambda text=text: p.find_initiatives(text),
            lambda text=text: p.backlog(parse_filter(text)),
        )
        for attempt in attempts:
            try:
                attempt()
            except DomainError as refusal:
                assert refusal.message
    assert p.verify_audit().ok

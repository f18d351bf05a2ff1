"""Two facilitators: two OS processes write to the same portfolio at once, a few seconds in all.

On SQLite the file, on PostgreSQL (``LABREVIEW_TEST_BACKEND=postgres``) a server database: there this is
the guard of the write lock (``store.engine.WRITE_LOCK``), without which updates are lost past the
version check and the audit append collides on its ids.

Each process makes ``WRITES`` attempts as fast as it can (scores, gate checks,
agenda changes, versioned edits of a shared initiative and its intake); the
loops are bounded by count, not by time, so that both sides write many times
whatever the machine's speed (SQLite's busy handler is not fair: the side that
just committed often wins the lock again). Then:

- no "database is locked" (a ``StorageError``) reached either of them;
- nothing was lost: each process's count of what it believes it committed equals
  the audit records under its name, the last score, check and agenda state each
  wrote is the one stored, and the edits of the shared initiative form one
  unbroken history (each edit's "before" is the previous edit's "after");
- an edit based on stale data is refused with ``StaleEdit`` and the other
  side's value stays (forced once at the start, and counted whenever it happens).

The numbers are printed for the issue's note (``pytest -s`` shows them).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import random
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import select

from labreview.domain.errors import DomainError, StaleEdit, StorageError
from labreview.domain.vocabulary import CheckState, Criterion, Gate
from labreview.portfolio import Portfolio
from labreview.store.models import AuditEvent

Q = "2026-Q4"
WRITES = 250
"""Attempts per process."""
CAP_SECONDS = 120
"""Only against a hang: a run takes a few seconds."""
SIDES = {
    "Ann Laptop": {"reviewers": ["Dana Sponsor", "Mo Martech", "Olga Ops"], "gate": Gate.PILOT_APPROVAL, "own": "A"},
    "Ben Laptop": {
        "reviewers": ["Sue Security", "Pat Privacy", "Pia Privacy"],
        "gate": Gate.EVIDENCE_REVIEW,
        "own": "B",
    },
}
SCORED = ("LAB-1", "LAB-2", "FAC-1")
SHARED = "SHR-1"


def side(name: str, path: str, handshake, results) -> None:
    """One facilitator's laptop (runs in its own process)."""
    try:
        results.put((name, _work(name, path, handshake)))
    except BaseException:
        results.put((name, {"crash": traceback.format_exc()}))


def _work(name: str, path: str, handshake) -> dict:
    rng = random.Random(name)
    plan = SIDES[name]
    p = Portfolio.open(path, actor=name)
    tally = {"committed": 0, "stale": 0, "refused": 0, "storage_errors": [], "by_action": {}}
    last_score: dict[str, int] = {}
    last_check: dict[str, str] = {}
    toggles: dict[str, int] = {}
    items = [t.id for t in p.templates() if t.gate is plan["gate"] and not t.ai_only]
    own_keys = [f"AGD-{plan['own']}{n}" for n in range(3)]

    def done(action: str) -> None:
        tally["committed"] += 1
        tally["by_action"][action] = tally["by_action"].get(action, 0) + 1

    # A forced stale edit: Ann reads, Ben writes, Ann writes with what she read.
    read_event, written_event, checked_event = handshake
    forced: dict = {}
    if plan["own"] == "A":
        seen = p.initiative(SHARED)
        read_event.set()
        written_event.wait(30)
        try:
            p.update_initiative(SHARED, title="Ann's title from stale data", version=seen.version)
            forced["refused"] = False
        except StaleEdit as exc:
            forced = {"refused": True, "message": exc.message, "title_after": p.initiative(SHARED).title}
            tally["stale"] += 1
        checked_event.set()
    else:
        read_event.wait(30)
        current = p.initiative(SHARED)
        p.update_initiative(SHARED, title="Ben's title", version=current.version)
        done("edit")
        written_event.set()
        checked_event.wait(30)

    cap = time.monotonic() + CAP_SECONDS
    for counter in range(WRITES):
        if time.monotonic() > cap:
            break
        roll = rng.random()
        try:
            if roll < 0.35:
                key, reviewer, criterion = (
                    rng.choice(SCORED),
                    rng.choice(plan["reviewers"]),
                    rng.choice(list(Criterion)),
                )
                value = rng.randint(1, 5)
                p.record_score(Q, key, reviewer, criterion, value)
                last_score[f"{key}|{reviewer}|{criterion.value}"] = value
                done("score")
            elif roll < 0.55:
                key, item_id = rng.choice(SCORED[:2]), rng.choice(items)
                state = rng.choice([CheckState.MET, CheckState.NOT_MET, CheckState.PENDING])
                p.set_check(key, item_id, state)
                last_check[f"{key}|{item_id}"] = state.value
                done("check")
            elif roll < 0.7:
                key = rng.choice(own_keys)
                p.toggle_agenda(Q, key)
                toggles[key] = toggles.get(key, 0) + 1
                done("agenda")
            elif roll < 0.87:
                seen = p.initiative(SHARED)
                p.update_initiative(SHARED, title=f"{name} edit {counter}", version=seen.version)
                done("edit")
            else:
                seen = p.initiative(SHARED)
                p.set_intake(SHARED, "business_objective", f"{name} objective {counter}", version=seen.intake.version)
                done("intake")
        except StaleEdit:
            tally["stale"] += 1
        except StorageError as exc:
            tally["storage_errors"].append(exc.message)
        except DomainError as exc:
            tally["refused"] += 1
            tally.setdefault("refusals", []).append(exc.message)
    p.close()
    return tally | {"forced": forced, "last_score": last_score, "last_check": last_check, "toggles": toggles}


@pytest.fixture
def shared_file(portfolio, db_target) -> Path | str:
    """The shared portfolio: a file on SQLite, a database on the PostgreSQL test server with the postgres backend."""
    p = portfolio
    p.start_session(Q)
    p.create_initiative(SHARED, "Shared initiative", category="efficiency", owner="Oscar Owner")
    for plan in SIDES.values():
        for n in range(3):
            p.create_initiative(f"AGD-{plan['own']}{n}", f"Agenda item {n}", category="capability", owner="Oscar Owner")
    p.close()
    return db_target


def test_two_processes_writing_at_once_lose_nothing(shared_file, capsys):
    context = multiprocessing.get_context("spawn")
    handshake = (context.Event(), context.Event(), context.Event())
    results = context.Queue()
    workers = [context.Process(target=side, args=(name, str(shared_file), handshake, results)) for name in SIDES]
    for worker in workers:
        worker.start()
    outcome = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    for name, tally in outcome.items():
        assert "crash" not in tally, f"{name} crashed:\n{tally['crash']}"
        assert tally["storage_errors"] == [], f"{name} was told: {tally['storage_errors'][:3]}"
        assert tally.get("refusals", []) == [], f"{name}: unexpected refusals {tally.get('refusals', [])[:3]}"

    p = Portfolio.open(shared_file, actor="Checker")
    try:
        assert p.verify_audit().ok
        with p.read() as session:  # the audit log is the record of what was committed
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
            audit = [(e.actor, e.action, json.loads(e.changes)) for e in events]
        for name, tally in outcome.items():
            mine = [a for a in audit if a[0] == name]
            assert len(mine) == tally["committed"], f"{name} committed {tally['committed']}, the log has {len(mine)}"
            sheets = {key: p.score_sheet(Q, key) for key in SCORED}
            people = {person.name: person.id for person in p.people()}
            for cell, value in tally["last_score"].items():
                key, reviewer, criterion = cell.split("|")
                assert sheets[key].score(people[reviewer], Criterion(criterion)) == value, cell
            for cell, state in tally["last_check"].items():
                key, item_id = cell.split("|")
                entry = next(i for r in p.checklist(key).reports for i in r.items if i.item_id == int(item_id))
                assert entry.state.value == state, cell
            agenda = {entry.key for entry in p.session(Q).agenda}
            for key, count in tally["toggles"].items():
                assert (key in agenda) == (count % 2 == 1), key

        shared_id = p.initiative(SHARED).id
        titles = [
            (c["before"]["title"], c["after"]["title"])
            for _actor, action, changes in audit
            if action == "edit initiative"
            for c in changes
            if c["table"] == "initiative" and c["key"]["id"] == shared_id and "title" in c["after"]
        ]
        for (_before, after), (before, _after) in itertools.pairwise(titles):
            assert before == after, "an edit was based on a value that had already been replaced (a lost update)"
        assert p.initiative(SHARED).title == titles[-1][1]

        forced = outcome["Ann Laptop"]["forced"]
        assert forced["refused"] and "Someone else changed this" in forced["message"]
        assert forced["title_after"] == "Ben's title", "the other side's value must stay"
    finally:
        p.close()

    made = sum(t["committed"] for t in outcome.values())
    stale = sum(t["stale"] for t in outcome.values())
    for name, tally in outcome.items():  # every attempt either committed or was refused as stale
        forced_write = 1 if SIDES[name]["own"] == "B" else 0
        assert tally["committed"] - forced_write + tally["stale"] - (1 - forced_write) == WRITES, name
    each = ", ".join(f"{name}: {tally['committed']}" for name, tally in outcome.items())
    with capsys.disabled():
        print(f"\ntwo facilitators at once: {made} writes committed ({each}), {stale} stale edits refused, 0 locked")

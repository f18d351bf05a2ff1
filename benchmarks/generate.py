"""Synthetic portfolios for the benchmarks: N initiatives with 20 quarters of history, written fast.

The schema is the real one (``labreview.store.database.prepare`` runs the
migrations); settings and gate templates come from ``Portfolio.ensure_defaults``.
Everything else is written with SQLAlchemy Core bulk inserts in one transaction,
bypassing the audited service (which needs minutes for 100k initiatives).

What a portfolio of ``size`` initiatives holds (deterministic for a given size):

- a board of 9 (the sample's roles; Kim Novak among them) and ``size // 50`` owners;
- initiatives that enter over 21 quarters (2021-Q4 … 2026-Q4), two thirds as lab
  experiments, a third as factory tools, each with its intake row and every
  column the backlog reads (``search_text``, score columns, gate, tier, last decision);
- 20 closed review sessions (2021-Q4 … 2026-Q3), each reviewing 1.5 % of the
  live initiatives: 7 attendees, 5 reviewers × 5 criteria of scores per item, a
  decision per item whose stage and track follow ``domain.decisions.effect``, an
  action item for most decisions;
- a budget line per live initiative per quarter;
- gate checks matching each live initiative's current gate; access requests with
  their signatures for initiatives that hold an access tier;
- the 2026-Q4 session planned with 12 agenda items (or, for the minutes
  benchmark, held and closed with ``decided`` decisions).

No audit events are generated apart from the set-up ones: the audit log of a
synthetic portfolio is short.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 3
"""Bump when the generated content changes, so that cached files are rebuilt."""

CACHE = Path(__file__).resolve().parent / ".cache"
FIRST_QUARTER = (2021, 4)
CLOSED_SESSIONS = 20
PLANNED_AGENDA = 12
REVIEW_FRACTION = 0.015
"""Share of the live initiatives each closed session reviews."""
CSV_COLUMNS = (
    "key",
    "title",
    "stage",
    "category",
    "owner",
    "quarterly_cost",
    "track",
    "vendor",
    "description",
    "business_objective",
    "user_group",
    "data_sensitivity",
    "integration_scope",
    "success_metric",
    "exit_plan",
)

BOARD = (
    ("Dana Whitfield", "sponsor"),
    ("Kim Novak", "innovation-lead"),
    ("Ravi Menon", "martech-lead"),
    ("Lena Fischer", "marketing-ops"),
    ("Tomás Álvarez", "analytics-lead"),
    ("Sam Okafor", "security-partner"),
    ("Priya Raman", "privacy-partner"),
    ("Grace Liu", "finance"),
    ("Joel Berg", "privacy-partner"),
)
ATTENDEES = ("Dana Whitfield", "Kim Novak", "Ravi Menon", "Lena Fischer", "Tomás Álvarez", "Sam Okafor", "Priya Raman")
REVIEWERS = ("Dana Whitfield", "Kim Novak", "Ravi Menon", "Lena Fischer", "Tomás Álvarez")
FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloé",
    "Diego",
    "Elena",
    "Farid",
    "Greta",
    "Hana",
    "Ivan",
    "Jonas",
    "Kim",
    "Kemal",
    "Laura",
    "Marco",
    "Nadia",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Ula",
    "Victor",
    "Wen",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Anke",
    "Bruno",
    "Carla",
    "Dmitri",
    "Eva",
    "Felix",
    "Gina",
    "Hugo",
    "Ines",
    "Jana",
    "Karl",
    "Lina",
    "Mia",
    "Nils",
    "Olga",
    "Pia",
    "Rafael",
    "Sara",
    "Timo",
    "Vera",
    "Willem",
    "Yara",
    "Zeynep",
    "Alba",
    "Boris",
    "Clara",
    "Dario",
    "Emil",
    "Fanny",
    "Goran",
    "Heidi",
]
LAST_NAMES = [
    "Rossi",
    "Bello",
    "Carter",
    "Dubois",
    "Sato",
    "Novak",
    "Menon",
    "Fischer",
    "Okafor",
    "Raman",
    "Liu",
    "Berg",
    "Schmidt",
    "Garcia",
    "Kowalski",
    "Jensen",
    "Moreau",
    "Silva",
    "Nakamura",
    "Brown",
    "Costa",
    "Weber",
    "Andersen",
    "Horvat",
    "Ivanova",
    "Kaya",
    "Lindqvist",
    "Meyer",
    "Nowak",
    "Olsen",
    "Petrov",
    "Quist",
    "Ramos",
    "Stein",
    "Tanaka",
    "Urban",
    "Varga",
    "Wagner",
    "Young",
    "Ziegler",
    "Ahmed",
    "Bauer",
    "Conti",
    "Dahl",
    "Eriksen",
    "Ferrari",
    "Gomez",
    "Haas",
    "Ito",
    "Jung",
    "Keller",
    "Lopez",
    "Martin",
    "Nielsen",
    "Ortiz",
    "Park",
    "Richter",
    "Santos",
    "Toth",
    "Vogel",
    "Wolf",
    "Zimmermann",
]
VENDORS = [
    "Pixelworks",
    "Adstream",
    "Brightcart",
    "Cohortly",
    "Dataloom",
    "Echofy",
    "Funnelwise",
    "Glimpse",
    "Hivewire",
    "Insightly",
    "Jetsend",
    "Kinetic",
    "Lumen",
    "Mailhaven",
    "Nimbus",
    "Orbit",
    "Promptly",
    "Quanta",
    "Relay",
    "Signalpath",
    "Tagbird",
    "Uplift",
    "Vantage",
    "Wavelet",
    "Yieldly",
    "Zephyr",
    "Acme",
    "Beacon",
    "Clearbit",
    "Driftwood",
]
ADJECTIVES = [
    "predictive",
    "adaptive",
    "automated",
    "generative",
    "real-time",
    "personalised",
    "unified",
    "lightweight",
    "conversational",
    "dynamic",
    "cross-channel",
    "privacy-safe",
    "self-service",
    "omnichannel",
    "incremental",
]
SUBJECTS = [
    "churn scoring",
    "subject lines",
    "product feed",
    "audience builder",
    "loyalty offers",
    "store traffic model",
    "creative testing",
    "price alerts",
    "search ranking",
    "review summaries",
    "send-time optimisation",
    "lead routing",
    "media mix model",
    "chat assistant",
    "image tagging",
    "coupon engine",
    "attribution",
    "consent manager",
    "journey orchestration",
    "content briefs",
    "inventory messaging",
    "call summaries",
    "survey analysis",
    "affiliate tracking",
    "SMS reminders",
]
CHANNELS = ["email", "web", "app", "stores", "social", "search", "TV", "retail-media", "SMS", "CRM", "partners"]
AUDIENCES = [
    "loyalty members",
    "new customers",
    "lapsed buyers",
    "B2B accounts",
    "store staff",
    "the call centre",
    "media buyers",
]
TECHNIQUES = [
    "an LLM",
    "a vendor API",
    "a rules engine",
    "a clean room",
    "a uplift model",
    "an A/B framework",
    "a CDP segment",
]
OBJECTIVES = (
    "Lift repeat purchases",
    "Cut manual effort in campaign set-up",
    "Improve conversion on product pages",
    "Reduce cost per acquisition",
    "Faster answers for customers",
    "Better measurement of media spend",
)
USER_GROUPS = ("CRM team, daily", "Store managers, weekly", "Media buyers, daily", "Analysts, weekly")
EXIT_PLANS = ("Switch off; export learnings", "Return to the manual process", "Cancel at the end of the term")
SENSITIVITIES = ("anonymous", "pseudonymous", "identifiable")
SCOPES = ("isolated", "one-way-sync", "core-dependency")
METRICS = ("efficiency", "revenue-lift", "conversion-rate", "cost-reduction", "quality-improvement")
CATEGORIES = ("efficiency", "performance", "capability", "risk-mitigation")
CRITERIA = ("outcome-impact", "operational-fit", "integration-burden", "data-risk", "economic-value")
RATIONALES = {
    "promote": "Target lift reached in the test period; operational threshold held",
    "iterate": "Promising but below target; one more cycle with a narrower audience",
    "kill": "No lift against the baseline after the full test period",
    "hold": "Waiting for the data-access approval before continuing",
    "renew": "",
    "retire": "Superseded by the platform's built-in feature",
    "consolidate": "Overlaps with a larger tool already in the factory",
}
ACTIONS = {
    "promote": ("Plan the production-readiness review", 60),
    "iterate": ("Re-run the test with the narrower audience", 90),
    "kill": ("Write up the learnings and switch off", 30),
    "hold": ("Chase the access approval", 30),
    "renew": ("Negotiate the renewal terms", 45),
    "retire": ("Decommission and archive the data", 60),
    "consolidate": ("Migrate users to the surviving tool", 90),
}
OUTCOME_WEIGHTS = {
    "lab": (("promote", 20), ("iterate", 40), ("kill", 25), ("hold", 15)),
    "transition": (("promote", 50), ("iterate", 25), ("kill", 15), ("hold", 10)),
    "factory": (("renew", 70), ("retire", 15), ("consolidate", 15)),
}


@dataclass
class Item:
    """One initiative while the history is simulated."""

    id: int
    key: str
    start: int
    stage: str
    track: str
    cost: int
    ai: bool
    quality: float
    owner_id: int
    title: str
    vendor: str
    description: str
    category: str
    criteria: bool
    last_outcome: str | None = None
    last_quarter: str | None = None
    scores: dict[str, float] | None = None
    spread: int | None = None
    pilot_approved: dt.date | None = None
    gate: int | None = 1


@dataclass(frozen=True)
class Generated:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int]
    cached: bool


def quarter_name(index: int) -> str:
    year, q = FIRST_QUARTER
    q += index
    year += (q - 1) // 4
    q = (q - 1) % 4 + 1
    return f"{year}-Q{q}"


def quarter_start(index: int) -> dt.date:
    year, q = (int(p) for p in quarter_name(index).split("-Q"))
    return dt.date(year, 3 * (q - 1) + 1, 1)


def cache_path(size: int, decided: int | None = None) -> Path:
    from labreview.store.schema import HEAD

    suffix = f"-decided{decided}" if decided else ""
    return CACHE / f"portfolio-{size}{suffix}-g{GENERATOR_VERSION}-s{HEAD}.db"


def portfolio(size: int, *, decided: int | None = None, refresh: bool = False) -> Generated:
    """The cached portfolio of ``size`` initiatives, generated first if needed."""
    path = cache_path(size, decided)
    if path.exists() and not refresh:
        return Generated(path, size, 0.0, table_counts(path), True)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    _remove(tmp)
    started = time.perf_counter()
    build(tmp, size, decided=decided)
    seconds = time.perf_counter() - started
    _remove(path)
    tmp.replace(path)
    return Generated(path, size, seconds, table_counts(path), False)


def _remove(path: Path) -> None:
    for extra in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + extra).unlink(missing_ok=True)


def copy_to(source: Path, folder: Path, name: str | None = None) -> Path:
    """A scratch copy the app may write to (the cached file is never opened by the app).

    The copy is flushed to disk and put in WAL mode, as a portfolio the app has
    used before is: otherwise the app's first commit pays for fsyncing the whole
    freshly written file (about 0.5 s at 100k) and for the switch to WAL.
    """
    import sqlite3

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    _remove(target)
    shutil.copyfile(source, target)
    with target.open("rb+") as handle:
        os.fsync(handle.fileno())
    connection = sqlite3.connect(target)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    return target


def table_counts(path: Path) -> dict[str, int]:
    import sqlite3

    connection = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        connection.close()


# ---------------------------------------------------------------------- building


def build(path: Path, size: int, *, decided: int | None = None, seed: int = 20261123) -> None:
    """Write a portfolio of ``size`` initiatives to ``path`` (which must not exist)."""
    from sqlalchemy import create_engine, event, text

    from labreview.portfolio.service import Portfolio
    from labreview.store.database import prepare
    from labreview.store.engine import make_engine

    rng = random.Random(seed * 1_000_003 + size + (decided or 0))
    prepare(path, create=True)
    fixed = dt.datetime(2021, 10, 1, 9, tzinfo=dt.UTC)
    service = Portfolio(make_engine(path), actor="Benchmark generator", clock=lambda: fixed)
    try:
        service.ensure_defaults()
        service.set_setting("name", f"Synthetic portfolio ({size:,} initiatives)")
    finally:
        service.close()

    engine = create_engine(f"sqlite:///{path.as_posix()}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA foreign_keys = OFF")  # checked at the end with foreign_key_check
        cursor.close()

    try:
        with engine.begin() as connection:
            _Builder(connection, rng, size, decided).run()
        with engine.connect() as connection:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"generated rows break foreign keys: {broken[:5]}")
    finally:
        engine.dispose()
    _compact(path)


def _compact(path: Path) -> None:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()


class _Builder:
    CHUNK = 20_000

    def __init__(self, connection, rng: random.Random, size: int, decided: int | None) -> None:
        from labreview.store import models

        self.c = connection
        self.rng = rng
        self.size = size
        self.decided = decided
        self.m = models
        self.ids: dict[str, int] = {}

    # -- helpers

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def insert(self, model, rows: Iterable[dict]) -> int:
        table = model.__table__
        count = 0
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.CHUNK:
                self.c.execute(table.insert(), batch)
                count += len(batch)
                batch = []
        if batch:
            self.c.execute(table.insert(), batch)
            count += len(batch)
        return count

    def at(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)

    # -- the build

    def run(self) -> None:
        from sqlalchemy import func, select

        m = self.m
        # Ids continue after the rows ensure_defaults wrote.
        for model, name in ((m.Person, "person"), (m.GateTemplateItem, "gate_template_item")):
            self.ids[name] = self.c.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()
        self.templates = [
            (row.id, row.gate, row.ai_only)
            for row in self.c.execute(
                select(m.GateTemplateItem.id, m.GateTemplateItem.gate, m.GateTemplateItem.ai_only)
            )
        ]
        self.people()
        self.items = self.initiatives()
        self.history()
        self.finish_initiatives()
        self.gate_checks()
        self.access()

    def people(self) -> None:
        rows = []
        self.board: dict[str, int] = {}
        for name, role in BOARD:
            pid = self.next_id("person")
            self.board[name] = pid
            email = name.lower().replace(" ", ".").replace("á", "a").replace("é", "e")
            rows.append({"id": pid, "name": name, "email": f"{email}@example.com", "board_role": role, "active": True})
        taken = {name for name, _role in BOARD}
        self.owners: list[int] = []
        self.owner_names: dict[int, str] = {}
        wanted = max(20, self.size // 50)
        number = 0
        while len(self.owners) < wanted:
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number // len(FIRST_NAMES) + number) % len(LAST_NAMES)]
            name = f"{first} {last}"
            rounds = number // (len(FIRST_NAMES) * len(LAST_NAMES))
            if rounds:
                name += f" {rounds + 1}"
            number += 1
            if name in taken:
                continue
            taken.add(name)
            pid = self.next_id("person")
            self.owners.append(pid)
            self.owner_names[pid] = name
            rows.append({"id": pid, "name": name, "email": f"p{pid}@example.com", "board_role": None, "active": True})
        for name, pid in self.board.items():
            self.owner_names[pid] = name
        self.insert(self.m.Person, rows)

    def initiatives(self) -> list[Item]:
        from labreview.store.queries import search_text

        rng = self.rng
        items: list[Item] = []
        numbers = {"EXP": 0, "FAC": 0}
        rows = []
        intake = []
        owners = self.owners + list(self.board.values())[:3]
        for index in range(self.size):
            start = 0 if rng.random() < 0.25 else rng.randint(0, CLOSED_SESSIONS)
            lab = rng.random() < 0.66
            prefix = "EXP" if lab else "FAC"
            numbers[prefix] += 1
            key = f"{prefix}-{numbers[prefix]:06d}"
            stage = "lab" if lab else "factory"
            cost = (rng.randint(20, 400) if lab else rng.randint(100, 4000)) * 10_000  # minor units
            subject = rng.choice(SUBJECTS)
            title = f"{rng.choice(ADJECTIVES).capitalize()} {subject} for {rng.choice(CHANNELS)}"
            vendor = "" if rng.random() < 0.3 else rng.choice(VENDORS)
            description = (
                f"{rng.choice(OBJECTIVES)} for {rng.choice(AUDIENCES)} using {rng.choice(TECHNIQUES)}"
                f" ({subject}, {rng.choice(CHANNELS)})."
            )
            owner_id = rng.choice(owners)
            item = Item(
                id=index + 1,
                key=key,
                start=start,
                stage=stage,
                track="lab" if lab else "factory",
                cost=cost,
                ai=rng.random() < 0.25,
                quality=rng.uniform(1.5, 4.8),
                owner_id=owner_id,
                title=title,
                vendor=vendor,
                description=description,
                category=rng.choice(CATEGORIES),
                criteria=lab and rng.random() < 0.6,
            )
            items.append(item)
            created = self.at(quarter_start(start) + dt.timedelta(days=rng.randint(0, 40)))
            rows.append(
                {
                    "id": item.id,
                    "key": key,
                    "title": title,
                    "description": description,
                    "stage": stage,
                    "category": item.category,
                    "track": item.track,
                    "owner_id": owner_id,
                    "sponsor_id": self.board["Dana Whitfield"] if rng.random() < 0.3 else None,
                    "vendor": vendor,
                    "quarterly_cost": cost,
                    "renewal_date": dt.date(2027, rng.randint(1, 12), 1) if not lab else None,
                    "ai_heavy": item.ai,
                    "baseline": "3.1 % repeat rate" if item.criteria else "",
                    "target_lift": "+0.5 pt" if item.criteria else "",
                    "test_period": "8 weeks" if item.criteria else "",
                    "operational_threshold": "No extra manual steps" if item.criteria else "",
                    "pilot_approved_on": None,
                    "current_gate": 1,
                    "access_tier": None,
                    "search_text": search_text(key, title, self.owner_names[owner_id], vendor, description),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            intake.append(
                {
                    "initiative_id": item.id,
                    "business_objective": rng.choice(OBJECTIVES),
                    "user_group": rng.choice(USER_GROUPS),
                    "data_sensitivity": rng.choice(SENSITIVITIES),
                    "integration_scope": rng.choice(SCOPES),
                    "success_metric": rng.choice(METRICS),
                    "exit_plan": rng.choice(EXIT_PLANS),
                    "version": 1,
                }
            )
        self.insert(self.m.Initiative, rows)
        self.insert(self.m.Intake, intake)
        return items

    def history(self) -> None:
        from labreview.domain.decisions import default_next_review, effect
        from labreview.domain.vocabulary import DecisionOutcome, Stage, Track

        rng = self.rng
        m = self.m
        for q in range(CLOSED_SESSIONS + 1):
            quarter = quarter_name(q)
            live = [i for i in self.items if i.start <= q and i.stage != "retired"]
            self.insert(m.BudgetLine, self._budget(q, live))
            held_on = quarter_start(q) + dt.timedelta(days=52)
            session_id = self.next_id("review_session")
            last = q == CLOSED_SESSIONS
            holding = not last or self.decided
            if last and not self.decided:
                agenda = rng.sample(live, min(PLANNED_AGENDA, len(live)))
            elif last:
                agenda = rng.sample(live, min(self.decided, len(live)))
            else:
                agenda = rng.sample(live, max(min(8, len(live)), round(len(live) * REVIEW_FRACTION)))
            self.agenda_keys = [i.key for i in agenda]
            self.insert(
                m.ReviewSession,
                [
                    {
                        "id": session_id,
                        "quarter": quarter,
                        "held_on": held_on,
                        "facilitator_id": self.board["Kim Novak"],
                        "status": "closed" if holding else "planned",
                        "timebox_seconds": 480,
                        "started_at": self.at(held_on, 13) if holding else None,
                        "ended_at": self.at(held_on, 17) if holding else None,
                        "current_item_id": None,
                        "version": 3 if holding else 1,
                    }
                ],
            )
            self.insert(m.Attendee, [{"session_id": session_id, "person_id": self.board[n]} for n in ATTENDEES])
            agenda_rows = []
            for position, item in enumerate(agenda, 1):
                agenda_rows.append(
                    {
                        "id": self.next_id("agenda_item"),
                        "session_id": session_id,
                        "initiative_id": item.id,
                        "position": position,
                        "timebox_seconds": 480,
                        "spent_seconds": rng.randint(120, 700) if holding else 0,
                    }
                )
            self.insert(m.AgendaItem, agenda_rows)
            if not holding:
                continue
            scores, decisions, actions = [], [], []
            for minute, item in enumerate(agenda):
                moment = self.at(held_on, 13) + dt.timedelta(seconds=20 * minute)
                contested = rng.random() < 0.2
                by_criterion: dict[str, list[int]] = {c: [] for c in CRITERIA}
                for reviewer in REVIEWERS:
                    for index, criterion in enumerate(CRITERIA):
                        base = item.quality + rng.uniform(-0.8, 0.8)
                        if contested and index == 1:
                            base += 1.6 if reviewer in ("Lena Fischer", "Ravi Menon") else -1.2
                        value = max(1, min(5, round(base)))
                        by_criterion[criterion].append(value)
                        scores.append(
                            {
                                "id": self.next_id("score"),
                                "session_id": session_id,
                                "initiative_id": item.id,
                                "reviewer_id": self.board[reviewer],
                                "criterion": criterion,
                                "value": value,
                                "recorded_at": moment,
                            }
                        )
                item.scores = {c: sum(v) / len(v) for c, v in by_criterion.items()}
                item.spread = max(max(v) - min(v) for v in by_criterion.values())
                choices, weights = zip(*OUTCOME_WEIGHTS[item.stage], strict=True)
                outcome = rng.choices(choices, weights)[0]
                stage_before, track_before = item.stage, item.track
                result = effect(Stage(item.stage), DecisionOutcome(outcome), Track(item.track))
                if outcome == "promote" and item.pilot_approved is None:
                    item.pilot_approved = held_on - dt.timedelta(days=rng.randint(60, 200))
                item.stage = result.stage.value
                if result.track is not None:
                    item.track = result.track.value
                item.last_outcome, item.last_quarter = outcome, quarter
                decision_id = self.next_id("decision")
                decisions.append(
                    {
                        "id": decision_id,
                        "session_id": session_id,
                        "initiative_id": item.id,
                        "outcome": outcome,
                        "stage_before": stage_before,
                        "stage_after": item.stage,
                        "track_before": track_before,
                        "track_after": result.track.value if result.track else None,
                        "rationale": RATIONALES[outcome],
                        "conditions": "Report at the next review" if outcome in ("iterate", "hold") else "",
                        "next_review": default_next_review(DecisionOutcome(outcome), held_on),
                        "decided_at": moment + dt.timedelta(seconds=15),
                    }
                )
                if rng.random() < 0.8:
                    text, days = ACTIONS[outcome]
                    due = held_on + dt.timedelta(days=days)
                    done = q < CLOSED_SESSIONS - 2 and rng.random() < 0.85
                    actions.append(
                        {
                            "id": self.next_id("action_item"),
                            "session_id": session_id,
                            "decision_id": decision_id,
                            "initiative_id": item.id,
                            "owner_id": item.owner_id,
                            "text": text,
                            "due": due,
                            "status": "done" if done else "open",
                            "done_on": due - dt.timedelta(days=3) if done else None,
                        }
                    )
            self.insert(m.Score, scores)
            self.insert(m.Decision, decisions)
            self.insert(m.ActionItem, actions)

    def _budget(self, q: int, live: list[Item]) -> Iterator[dict]:
        quarter = quarter_name(q)
        for item in live:
            drift = 1 + (q - item.start) * (0.03 if item.track == "lab" else 0.01)
            yield {
                "id": self.next_id("budget_line"),
                "quarter": quarter,
                "initiative_id": item.id,
                "track": item.track,
                "amount": int(item.cost * drift) // 100 * 100,
            }

    def finish_initiatives(self) -> None:
        """Write the summary columns the service layer keeps: stage, track, scores, gate, last decision."""
        from sqlalchemy import bindparam, update

        rng = self.rng
        table = self.m.Initiative.__table__
        rows = []
        for item in self.items:
            if item.stage == "lab":
                gate = 2 if (item.criteria and rng.random() < 0.6) or item.pilot_approved else 1
            elif item.stage == "transition":
                gate = 3
            elif item.stage == "factory":
                gate = 4 if rng.random() < 0.3 else None
            else:
                gate = 1
            item.gate = gate
            if gate != 1 and item.pilot_approved is None and item.stage != "retired":
                item.pilot_approved = quarter_start(item.start) + dt.timedelta(days=30)
            scores = item.scores or {}
            rows.append(
                {
                    "b_id": item.id,
                    "stage": item.stage,
                    "track": item.track,
                    "current_gate": gate,
                    "pilot_approved_on": item.pilot_approved,
                    "score_outcome_impact": scores.get("outcome-impact"),
                    "score_operational_fit": scores.get("operational-fit"),
                    "score_integration_burden": scores.get("integration-burden"),
                    "score_data_risk": scores.get("data-risk"),
                    "score_economic_value": scores.get("economic-value"),
                    "score_spread": item.spread,
                    "last_outcome": item.last_outcome,
                    "last_quarter": item.last_quarter,
                    "version": 2 if item.last_outcome else 1,
                }
            )
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({k: bindparam(k) for k in rows[0] if k != "b_id"})
        )
        for start in range(0, len(rows), self.CHUNK):
            self.c.execute(statement, rows[start : start + self.CHUNK])

    def gate_checks(self) -> None:
        """Checks that make each live initiative's current gate what the column says."""

        def rows() -> Iterator[dict]:
            for item in self.items:
                if item.stage == "retired" or item.gate == 1:
                    continue
                passed = 4 if item.gate is None else item.gate - 1
                when = self.at(quarter_start(item.start) + dt.timedelta(days=30))
                for template_id, gate, ai_only in self.templates:
                    if gate <= passed and (item.ai or not ai_only):
                        yield {
                            "initiative_id": item.id,
                            "item_id": template_id,
                            "state": "met",
                            "reason": "",
                            "updated_at": when,
                            "updated_by": "Kim Novak",
                        }

        self.insert(self.m.GateCheck, rows())

    def access(self) -> None:
        """A third of the live initiatives hold an approved access tier, with its signatures."""
        from sqlalchemy import bindparam, update

        rng = self.rng
        m = self.m
        requests, signatures, tiers = [], [], []
        signers = {
            "privacy": self.board["Priya Raman"],
            "security": self.board["Sam Okafor"],
        }
        for item in self.items:
            if item.stage == "retired" or rng.random() >= 0.33:
                continue
            tier = rng.choices((1, 2, 3), (50, 30, 20))[0]
            requested = quarter_start(item.start) + dt.timedelta(days=20)
            request_id = self.next_id("access_request")
            requests.append(
                {
                    "id": request_id,
                    "initiative_id": item.id,
                    "tier": tier,
                    "data_description": "Pseudonymous engagement events" if tier > 1 else "Aggregates only",
                    "retention_days": 180,
                    "export_allowed": tier == 1,
                    "expires_on": dt.date(2027, 12, 31),
                    "requested_on": requested,
                    "status": "approved",
                    "conditions": "",
                    "version": 2,
                }
            )
            capacities = {1: ("owner",), 2: ("privacy",), 3: ("privacy", "security")}[tier]
            for capacity in capacities:
                signatures.append(
                    {
                        "id": self.next_id("access_signature"),
                        "request_id": request_id,
                        "person_id": item.owner_id if capacity == "owner" else signers[capacity],
                        "capacity": capacity,
                        "approve": True,
                        "conditions": "",
                        "session_id": None,
                        "signed_at": self.at(requested + dt.timedelta(days=3)),
                    }
                )
            tiers.append({"b_id": item.id, "access_tier": tier})
        self.insert(m.AccessRequest, requests)
        self.insert(m.AccessSignature, signatures)
        if tiers:
            table = m.Initiative.__table__
            statement = (
                update(table).where(table.c.id == bindparam("b_id")).values(access_tier=bindparam("access_tier"))
            )
            for start in range(0, len(tiers), self.CHUNK):
                self.c.execute(statement, tiers[start : start + self.CHUNK])


# ---------------------------------------------------------------------- CSV for the import benchmark


def csv_file(rows: int, *, refresh: bool = False, folder: Path = CACHE) -> Path:
    """A CSV of ``rows`` new initiatives in the columns ``labreview import`` reads (cached in ``folder``)."""
    import csv

    path = folder / f"import-{rows}-g{GENERATOR_VERSION}.csv"
    if path.exists() and not refresh:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7_000_003 + rows)
    owners = [f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[i % len(LAST_NAMES)]}" for i in range(400)]
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for n in range(1, rows + 1):
            stage = "lab" if rng.random() < 0.66 else "factory"
            subject = rng.choice(SUBJECTS)
            writer.writerow(
                (
                    f"CSV-{n:06d}",
                    f"{rng.choice(ADJECTIVES).capitalize()} {subject} for {rng.choice(CHANNELS)}",
                    stage,
                    rng.choice(CATEGORIES),
                    rng.choice(owners),
                    rng.randint(2, 4000) * 100,
                    "lab" if stage == "lab" else "factory",
                    "" if rng.random() < 0.3 else rng.choice(VENDORS),
                    f"{rng.choice(OBJECTIVES)} for {rng.choice(AUDIENCES)} using {rng.choice(TECHNIQUES)}.",
                    rng.choice(OBJECTIVES),
                    rng.choice(USER_GROUPS),
                    rng.choice(SENSITIVITIES),
                    rng.choice(SCOPES),
                    rng.choice(METRICS),
                    rng.choice(EXIT_PLANS),
                )
            )
    tmp.replace(path)
    return path


def empty_portfolio(folder: Path) -> Path:
    """A new, empty portfolio (migrated, default settings and gate templates): the import target."""
    from labreview.portfolio.service import Portfolio
    from labreview.store.database import prepare
    from labreview.store.engine import make_engine

    target = folder / "import-target.db"
    _remove(target)
    prepare(target, create=True)
    service = Portfolio(make_engine(target), actor="Benchmark generator")
    try:
        service.ensure_defaults()
    finally:
        service.close()
    return target


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Generate (or refresh) the cached benchmark portfolios.")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--refresh", action="store_true")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        result = portfolio(size, refresh=args.refresh)
        mib = result.path.stat().st_size / 2**20
        print(f"{size:>7,}: {result.path.name} {mib:.1f} MiB in {result.seconds:.1f} s  {result.counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Importing many initiatives at once: one transaction, one audit event, bulk SQL.

``import_initiatives`` is the whole use case behind ``labreview import``: it
takes records already read from a file (``exchange.csvio`` turns CSV text into
typed values) and upserts them by key under the same rules as the single-record
use cases — the same text limits, an existing initiative's stage never changes
(that takes a board decision), pre-registered criteria fixed at pilot approval
stay fixed (they change in the app, where the reason is recorded) — and creates
the owners and sponsors it does not know as people who are not on the board.

Either every good row is written or none is: with any bad row nothing is
written unless ``skip_invalid`` is given. Writes are Core ``executemany``
statements rather than an ORM flush per row (100,000 rows must stay in
seconds). The audit event lists every row before and after when the import is
small enough to undo; a larger one is recorded compactly (keys and the names of
the fields that changed) and ``ledger.revert`` refuses to undo it.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from labreview.domain import decisions as decision_rules
from labreview.domain.errors import DomainError, InvalidInput
from labreview.domain.vocabulary import Stage
from labreview.portfolio import ledger
from labreview.portfolio.service import KEY_PATTERN, clean_text
from labreview.store import queries
from labreview.store.models import Initiative, Intake, Person

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called now and then while a long import runs."""

INITIATIVE_FIELDS = (
    "title",
    "stage",
    "category",
    "track",
    "owner",
    "sponsor",
    "vendor",
    "quarterly_cost",
    "renewal_date",
    "ai_heavy",
    "description",
    "baseline",
    "target_lift",
    "test_period",
    "operational_threshold",
)
INTAKE_FIELDS = (
    "business_objective",
    "user_group",
    "data_sensitivity",
    "integration_scope",
    "success_metric",
    "exit_plan",
)
FIELDS = ("key", *INITIATIVE_FIELDS, *INTAKE_FIELDS)
"""Every field an import can set, in the order files list them."""

CRITERIA_FIELDS = ("baseline", "target_lift", "test_period", "operational_threshold")
TEXT_LIMITS = {
    "title": 200,
    "description": 10_000,
    "vendor": 120,
    "baseline": 500,
    "target_lift": 500,
    "test_period": 500,
    "operational_threshold": 500,
    "business_objective": 10_000,
    "user_group": 10_000,
    "exit_plan": 10_000,
}
"""The limits the single-record use cases apply (``service.create_initiative`` and friends)."""
NAME_LIMIT = 120
MAX_MONEY = 10**15
FULL_AUDIT_LIMIT = 2_000
"""Imports touching at most this many initiatives are audited row by row and can be undone."""
CHUNK = 500
"""Keys per ``IN (...)`` query: well below SQLite's limit on bound variables."""


@dataclass(frozen=True)
class ImportRecord:
    """One row of an import file: its line, its key, and the fields it gives (typed), or why it is unusable.

    Fields not in ``fields`` are left as they are on an existing initiative.
    Values are stored forms or enums: text, ``int`` minor units, ``date``,
    ``bool``, a ``domain.vocabulary`` enum, or ``None`` for "empty".
    """

    line: int
    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class CreatedInitiative:
    line: int
    key: str
    title: str
    stage: str
    values: Mapping[str, Any]
    """Every field of the new initiative, as stored (owner and sponsor by name)."""


@dataclass(frozen=True)
class ChangedInitiative:
    line: int
    key: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Problem:
    line: int
    key: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or would do (``dry_run``), row by row."""

    rows: int
    created: tuple[CreatedInitiative, ...]
    changed: tuple[ChangedInitiative, ...]
    unchanged: int
    new_people: tuple[str, ...]
    problems: tuple[Problem, ...]
    dry_run: bool
    written: bool
    undoable: bool

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------------- the use case


def import_initiatives(
    portfolio: Any,
    records: Sequence[ImportRecord],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    source: str = "a file",
    progress: Progress | None = None,
) -> ImportReport:
    """Upsert ``records`` into ``portfolio`` (a ``service.Portfolio``) by key; see the module docstring."""
    if dry_run:
        with Session(portfolio.engine) as session:
            plan = _plan(session, records, progress)
        return plan.report(dry_run=True, written=False)
    with portfolio._action("import initiatives") as rec:
        plan = _plan(rec.session, records, progress)
        if plan.problems and not skip_invalid:
            rec.summary = "Import refused"
            return plan.report(dry_run=False, written=False)
        if not plan.creates and not plan.updates:
            rec.summary = f"Imported {source}: nothing to change"
            return plan.report(dry_run=False, written=False)
        undoable = len(plan.creates) + len(plan.updates) <= FULL_AUDIT_LIMIT
        _apply(portfolio, rec, plan, progress, record_rows=undoable)
        if not undoable:
            rec.changes[:] = [_compact(plan)]
        rec.summary = _summary(plan, source)
        return plan.report(dry_run=False, written=True, undoable=undoable)


# ---------------------------------------------------------------------- planning


@dataclass
class _Create:
    line: int
    key: str
    values: dict[str, Any]
    intake: dict[str, Any]
    owner: str
    sponsor: str | None


@dataclass
class _Update:
    line: int
    key: str
    initiative_id: int
    values: dict[str, Any]
    """Changed initiative columns → new stored value (owner/sponsor resolved later)."""
    before: dict[str, Any]
    intake: dict[str, Any]
    intake_before: dict[str, Any]
    intake_exists: bool
    shown: tuple[FieldChange, ...]
    current: Mapping[str, Any]
    """The stored row the changes apply to (for owner, sponsor and search text)."""
    owner: str | None = None
    sponsor: str | None = None
    sponsor_cleared: bool = False


@dataclass
class _Plan:
    rows: int = 0
    creates: list[_Create] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    new_people: dict[str, str] = field(default_factory=dict)
    """Folded name → name as first written, for people the portfolio does not know yet."""
    people: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Folded name → (id, name) of everybody already in the portfolio."""

    def report(self, *, dry_run: bool, written: bool, undoable: bool = False) -> ImportReport:
        return ImportReport(
            rows=self.rows,
            created=tuple(
                CreatedInitiative(
                    c.line,
                    c.key,
                    c.values["title"],
                    c.values["stage"],
                    {**c.values, **c.intake, "owner": c.owner, "sponsor": c.sponsor},
                )
                for c in self.creates
            ),
            changed=tuple(ChangedInitiative(u.line, u.key, u.shown) for u in self.updates),
            unchanged=self.unchanged,
            new_people=tuple(self.new_people.values()),
            problems=tuple(sorted(self.problems, key=lambda p: p.line)),
            dry_run=dry_run,
            written=written,
            undoable=undoable,
        )


def fold_name(name: str) -> str:
    """How people's names are matched: case and runs of blanks do not matter."""
    return " ".join(name.split()).casefold()


def _plan(session: Session, records: Sequence[ImportRecord], progress: Progress | None) -> _Plan:
    plan = _Plan(rows=len(records))
    for person_id, name in session.execute(select(Person.id, Person.name)).all():
        plan.people[fold_name(name)] = (person_id, name)
    existing = _existing(session, [r.key for r in records if r.problem is None])
    first_line: dict[str, int] = {}
    step = max(1, len(records) // 100)
    for index, record in enumerate(records):
        if progress and index % step == 0:
            progress("Checking rows", index, len(records))
        if record.problem is not None:
            plan.problems.append(Problem(record.line, record.key, record.problem))
            continue
        try:
            key = _check_key(record.key)
            if key in first_line:
                raise InvalidInput(f"{key} appears again (first on line {first_line[key]}); give each key once.")
            first_line[key] = record.line
            values = _clean(record.fields)
            current = existing.get(key)
            if current is None:
                plan.creates.append(_create(record.line, key, values))
            else:
                update = _update(record.line, key, values, current)
                if update is None:
                    plan.unchanged += 1
                else:
                    plan.updates.append(update)
        except DomainError as exc:
            plan.problems.append(Problem(record.line, record.key, exc.message))
            continue
        for name in (values.get("owner"), values.get("sponsor")):
            if name and fold_name(name) not in plan.people:
                plan.new_people.setdefault(fold_name(name), " ".join(name.split()))
    if progress:
        progress("Checking rows", len(records), len(records))
    return plan


def _existing(session: Session, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored fields of the initiatives among ``keys``, with owner and sponsor names."""
    wanted = sorted({str(k).strip().upper() for k in keys})
    owner = aliased(Person)
    sponsor = aliased(Person)
    columns = [
        Initiative.id,
        Initiative.key,
        *(getattr(Initiative, f) for f in INITIATIVE_FIELDS if f not in ("owner", "sponsor")),
        Initiative.owner_id,
        Initiative.sponsor_id,
        Initiative.pilot_approved_on,
        Initiative.search_text,
        Initiative.updated_at,
        owner.name.label("owner"),
        sponsor.name.label("sponsor"),
        Intake.initiative_id.label("intake_id"),
        *(getattr(Intake, f) for f in INTAKE_FIELDS),
    ]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        statement = (
            select(*columns)
            .join(owner, owner.id == Initiative.owner_id)
            .outerjoin(sponsor, sponsor.id == Initiative.sponsor_id)
            .outerjoin(Intake, Intake.initiative_id == Initiative.id)
            .where(Initiative.key.in_(wanted[start : start + CHUNK]))
        )
        for row in session.execute(statement).mappings():
            found[row["key"]] = dict(row)
    return found


def _check_key(key: str) -> str:
    cleaned = str(key or "").strip().upper()
    if not cleaned:
        raise InvalidInput("The key is empty; every row needs the initiative's key (e.g. LAB-014).")
    if not KEY_PATTERN.match(cleaned):
        raise InvalidInput(
            f"'{cleaned}' is not a usable key: use letters, digits, '-', '.' or '_', "
            "up to 24 characters (e.g. LAB-014)."
        )
    return cleaned


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Stored forms of the given fields, under the limits of the single-record use cases."""
    values: dict[str, Any] = {}
    for name, value in fields.items():
        cleaner = _CLEANERS.get(name)
        if cleaner is None:
            raise InvalidInput(f"'{name}' is not a field an import can set.")
        values[name] = cleaner(name, value)
    return values


def _text(name: str, value: Any) -> str:
    """``clean_text`` with a fast path: most cells are short, clean strings (100,000 rows × a dozen columns)."""
    limit = TEXT_LIMITS[name]
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        if "\x00" not in text and len(text) <= limit and (text or name != "title"):
            return text
    return clean_text(value, what=name.replace("_", " "), limit=limit, required=name == "title")


def _person_name(name: str, value: Any) -> str | None:
    text = clean_text(value, what=f"{name}'s name", limit=NAME_LIMIT)
    return " ".join(text.split()) or None


def _money(name: str, value: Any) -> int:
    amount = 0 if value is None else value
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidInput(f"The quarterly cost must be an amount of 0 or more; got {value!r}.")
    if amount > MAX_MONEY:
        raise InvalidInput("That quarterly cost is too large to be real.")
    return amount


def _date(name: str, value: Any) -> dt.date | None:
    if value is not None and not isinstance(value, dt.date):
        raise InvalidInput(f"The {name.replace('_', ' ')} must be a date; got {value!r}.")
    return value


def _choice(name: str, value: Any) -> str | None:
    """Enums (stage, category, track, the intake choices) are stored by value."""
    return None if value in (None, "") else getattr(value, "value", value)


_CLEANERS: dict[str, Callable[[str, Any], Any]] = {
    **{name: _text for name in TEXT_LIMITS},
    "owner": _person_name,
    "sponsor": _person_name,
    "quarterly_cost": _money,
    "renewal_date": _date,
    "ai_heavy": lambda _name, value: bool(value),
    **{
        name: _choice
        for name in ("stage", "category", "track", "data_sensitivity", "integration_scope", "success_metric")
    },
}


def _create(line: int, key: str, values: dict[str, Any]) -> _Create:
    missing = [label for name, label in (("title", "title"), ("category", "category")) if not values.get(name)]
    if not values.get("owner"):
        missing.append("owner")
    if missing:
        raise InvalidInput(f"{key} is new, and a new initiative needs {_and(missing)}.")
    stage = Stage(values.get("stage") or Stage.LAB.value)
    track = values.get("track") or decision_rules.DEFAULT_TRACK[stage].value
    row = {
        "key": key,
        "title": values["title"],
        "description": values.get("description", ""),
        "stage": stage.value,
        "category": values["category"],
        "track": track,
        "vendor": values.get("vendor", ""),
        "quarterly_cost": values.get("quarterly_cost", 0),
        "renewal_date": values.get("renewal_date"),
        "ai_heavy": values.get("ai_heavy", False),
        **{name: values.get(name, "") for name in CRITERIA_FIELDS},
    }
    intake = {name: values.get(name, None if name in _INTAKE_CHOICES else "") for name in INTAKE_FIELDS}
    return _Create(line, key, row, intake, values["owner"], values.get("sponsor"))


_INTAKE_CHOICES = ("data_sensitivity", "integration_scope", "success_metric")


def _update(
    line: int,
    key: str,
    values: dict[str, Any],
    current: Mapping[str, Any],
) -> _Update | None:
    stage = values.get("stage")
    if stage and stage != current["stage"]:
        raise InvalidInput(
            f"{key} is {Stage(current['stage']).label} in the portfolio; an import cannot make it "
            f"{Stage(stage).label} — a stage changes only by a decision of the board."
        )
    if "title" in values and not values["title"]:
        raise InvalidInput(f"The title of {key} cannot be emptied.")
    if "category" in values and not values["category"]:
        raise InvalidInput(f"The category of {key} cannot be emptied; choose one.")
    if "owner" in values and not values["owner"]:
        raise InvalidInput(f"{key} must keep an owner; give a name.")
    changed: dict[str, Any] = {}
    before: dict[str, Any] = {}
    shown: list[FieldChange] = []
    owner = sponsor = None
    sponsor_cleared = False
    for name, value in values.items():
        if name in ("stage", *INTAKE_FIELDS):
            continue
        if name == "track" and not value:
            continue
        if name in ("owner", "sponsor"):
            old = current[name]
            if (fold_name(old) if old else None) == (fold_name(value) if value else None):
                continue
            shown.append(FieldChange(name, old, value))
            if name == "owner":
                owner = value
            elif value:
                sponsor = value
            else:
                sponsor_cleared = True
            continue
        if current[name] != value:
            if name in CRITERIA_FIELDS and current["pilot_approved_on"] is not None:
                raise InvalidInput(
                    f"{key}'s success criteria were fixed at pilot approval on "
                    f"{current['pilot_approved_on'].isoformat()}; change the {name.replace('_', ' ')} "
                    "in the app, where the reason is recorded."
                )
            changed[name] = value
            before[name] = current[name]
            shown.append(FieldChange(name, current[name], value))
    intake: dict[str, Any] = {}
    intake_before: dict[str, Any] = {}
    for name in INTAKE_FIELDS:
        if name not in values:
            continue
        old = current[name] if current["intake_id"] is not None else (None if name in _INTAKE_CHOICES else "")
        if old != values[name]:
            intake[name] = values[name]
            intake_before[name] = old
            shown.append(FieldChange(name, old, values[name]))
    if not shown:
        return None
    return _Update(
        line,
        key,
        current["id"],
        changed,
        before,
        intake,
        intake_before,
        current["intake_id"] is not None,
        tuple(shown),
        current,
        owner,
        sponsor,
        sponsor_cleared,
    )


# ---------------------------------------------------------------------- writing


_INITIATIVE_DEFAULTS: dict[str, Any] | None = None


def _initiative_defaults() -> dict[str, Any]:
    """Every column of ``initiative`` with the model's default, so that audit rows are whole rows."""
    global _INITIATIVE_DEFAULTS
    if _INITIATIVE_DEFAULTS is None:
        from pydantic_core import PydanticUndefined

        defaults = {}
        for column in Initiative.__table__.columns:
            default = Initiative.model_fields[column.name].default
            defaults[column.name] = None if default is PydanticUndefined else default
        _INITIATIVE_DEFAULTS = defaults
    return dict(_INITIATIVE_DEFAULTS)


def _apply(portfolio: Any, rec: ledger.Recorder, plan: _Plan, progress: Progress | None, *, record_rows: bool) -> None:
    """Write the plan with bulk statements; with ``record_rows``, record every row changed in ``rec.changes``.

    Without it (a large import) nothing is recorded row by row: the caller records a compact summary.
    """
    now = portfolio.now()
    session = rec.session
    changes: list[ledger.Change] = []
    person_table = Person.__table__
    initiative = Initiative.__table__
    intake_table = Intake.__table__
    total = len(plan.creates) + len(plan.updates)
    if progress:
        progress("Writing", 0, total)

    people = dict(plan.people)
    if plan.new_people:
        newest = session.execute(select(func.max(Person.id))).scalar() or 0
        rows = [{"name": name, "email": "", "board_role": None, "active": True} for name in plan.new_people.values()]
        _insert_many(session, person_table, rows)
        for person_id, name in session.execute(select(Person.id, Person.name).where(Person.id > newest)).all():
            people[fold_name(name)] = (person_id, name)
            if record_rows:
                row = {"id": person_id, "name": name, "email": "", "board_role": None, "active": True}
                changes.append(ledger.Change("insert", "person", {"id": person_id}, None, row))

    def person_id(name: str | None) -> int | None:
        return people[fold_name(name)][0] if name else None

    if plan.creates:
        newest = session.execute(select(func.max(Initiative.id))).scalar() or 0
        rows = []
        for create in plan.creates:
            row = _initiative_defaults()
            del row["id"]
            row.update(create.values)
            row.update(
                owner_id=person_id(create.owner),
                sponsor_id=person_id(create.sponsor),
                search_text=queries.search_text(
                    create.key, row["title"], people[fold_name(create.owner)][1], row["vendor"], row["description"]
                ),
                created_at=now,
                updated_at=now,
            )
            rows.append(row)
        _insert_many(session, initiative, rows)
        ids = dict(session.execute(select(Initiative.key, Initiative.id).where(Initiative.id > newest)).all())
        intakes = []
        for create, row in zip(plan.creates, rows, strict=True):
            row["id"] = ids[create.key]
            intakes.append({"initiative_id": row["id"], **create.intake, "version": 1})
            if record_rows:
                changes.append(ledger.Change("insert", "initiative", {"id": row["id"]}, None, _plain_row(row)))
        _insert_many(session, intake_table, intakes)
        if record_rows:
            changes.extend(
                ledger.Change("insert", "intake", {"initiative_id": i["initiative_id"]}, None, _plain_row(i))
                for i in intakes
            )
    if progress:
        progress("Writing", len(plan.creates), total)

    gate_refresh: list[int] = []
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    intake_updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    intake_inserts: list[dict[str, Any]] = []
    for update in plan.updates:
        current = update.current
        values = dict(update.values)
        before = dict(update.before)
        if update.owner is not None:
            values["owner_id"] = person_id(update.owner)
            before["owner_id"] = current["owner_id"]
        if update.sponsor is not None or update.sponsor_cleared:
            values["sponsor_id"] = person_id(update.sponsor)
            before["sponsor_id"] = current["sponsor_id"]
        owner_name = people[fold_name(update.owner)][1] if update.owner else current["owner"]
        search = queries.search_text(
            update.key,
            values.get("title", current["title"]),
            owner_name,
            values.get("vendor", current["vendor"]),
            values.get("description", current["description"]),
        )
        if search != current["search_text"]:
            values["search_text"] = search
            before["search_text"] = current["search_text"]
        if "ai_heavy" in values:
            gate_refresh.append(update.initiative_id)
        if values:
            before["updated_at"] = current["updated_at"]
            values["updated_at"] = now
            columns = tuple(sorted(values))
            by_columns.setdefault(columns, []).append({"_id": update.initiative_id, **values})
            if record_rows:
                change = ledger.Change(
                    "update", "initiative", {"id": update.initiative_id}, _plain_row(before), _plain_row(values)
                )
                changes.append(change)
        if update.intake:
            if update.intake_exists:
                columns = tuple(sorted(update.intake))
                intake_updates.setdefault(columns, []).append({"_id": update.initiative_id, **update.intake})
                if record_rows:
                    change = ledger.Change(
                        "update",
                        "intake",
                        {"initiative_id": update.initiative_id},
                        _plain_row(update.intake_before),
                        _plain_row(update.intake),
                    )
                    changes.append(change)
            else:
                row = {name: None if name in _INTAKE_CHOICES else "" for name in INTAKE_FIELDS}
                row.update(update.intake, initiative_id=update.initiative_id, version=1)
                intake_inserts.append(row)
                if record_rows:
                    key = {"initiative_id": update.initiative_id}
                    changes.append(ledger.Change("insert", "intake", key, None, _plain_row(row)))
    for columns, rows in by_columns.items():
        statement = (
            initiative.update()
            .where(initiative.c.id == bindparam("_id"))
            .values(version=initiative.c.version + 1, **{c: bindparam(c) for c in columns})
        )
        session.execute(statement, rows)
    for columns, rows in intake_updates.items():
        statement = (
            intake_table.update()
            .where(intake_table.c.initiative_id == bindparam("_id"))
            .values(version=intake_table.c.version + 1, **{c: bindparam(c) for c in columns})
        )
        session.execute(statement, rows)
    _insert_many(session, intake_table, intake_inserts)
    rec.changes.extend(changes)
    for initiative_id in gate_refresh:
        # AI-heavy initiatives have extra pilot-approval checks: the current gate may move with the flag.
        row = session.get(Initiative, initiative_id, populate_existing=True)
        portfolio._refresh_gate(rec, row)
    if progress:
        progress("Writing", total, total)


def _insert_many(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) in one ``executemany``.

    On SQLite the statement goes straight to the driver, with each value passed
    through SQLAlchemy's own bind processor for its column type (so what is
    stored is exactly what Core would store): Core's per-row parameter handling
    is most of the time of a 100,000-row import.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        connection.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    processors = [
        table.c[name].type.dialect_impl(connection.dialect).bind_processor(connection.dialect) for name in names
    ]
    columns = ", ".join(quote(name) for name in names)
    marks = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"
    getter = operator.itemgetter(*names)
    converted = [(index, process) for index, process in enumerate(processors) if process is not None]
    if len(names) == 1:
        data = [(getter(row),) for row in rows]
    elif not converted:
        data = [getter(row) for row in rows]
    else:
        data = []
        for row in rows:
            values = list(getter(row))
            for index, process in converted:
                values[index] = process(values[index])
            data.append(tuple(values))
    connection.exec_driver_sql(statement, data)


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ledger._plain(v) for k, v in row.items()}


def _compact(plan: _Plan) -> ledger.Change:
    """The audit record of a large import: which keys were created and which fields changed, not whole rows."""
    return ledger.Change(
        "bulk",
        "initiative",
        {},
        None,
        {
            "created": [c.key for c in plan.creates],
            "changed": {u.key: [c.field for c in u.shown] for u in plan.updates},
            "people": list(plan.new_people.values()),
        },
    )


def _summary(plan: _Plan, source: str) -> str:
    parts = [f"created {len(plan.creates):,}", f"changed {len(plan.updates):,}"]
    if plan.new_people:
        parts.append(f"added {len(plan.new_people):,} {'person' if len(plan.new_people) == 1 else 'people'}")
    skipped = f"; skipped {len(plan.problems):,} bad rows" if plan.problems else ""
    return f"Imported {source}: {', '.join(parts)}{skipped}"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


__all__ = [
    "FIELDS",
    "ChangedInitiative",
    "CreatedInitiative",
    "FieldChange",
    "ImportRecord",
    "ImportReport",
    "Problem",
    "import_initiatives",
]

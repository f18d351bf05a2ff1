"""Importing many initiatives at once: one transaction, one audit event, bulk SQL.

``import_initiatives`` is the whole use case behind ``labreview import``: it
takes records already read from a file (``exchange.csvio`` turns CSV text into
typed values) and upserts them by key under the same rules as the single-record
use cases — the same text limits, an existing initiative's stage never changes
(that takes a board decision), pre-registered criteria fixed at pilot approval
stay fixed (they change in the app, where the reason is recorded) — and creates
the owners and sponsors it does not know as people who are not on the board.

Either every good row is written or none is: with any bad row nothing is
written unless ``skip_invalid`` is given. Writes are ``executemany`` statements
rather than an ORM flush per row (100,000 rows must stay in seconds): values go
through SQLAlchemy's bind processors once per distinct value, a large import
into a (nearly) empty table builds the secondary indexes once at the end, and
the cyclic garbage collector is paused while the rows are checked. Records that
come column by column (``RecordColumns``, from the CSV reader) and only create
new initiatives from clean values are checked column by column, 2,000 rows at
a time (``_plan_columns``), with the same outcome as record by record, which is
what every other import goes through. New initiatives are held column by column
(``_Creates``) and reported lazily (``CreatedList``). The audit
event lists every row before and after when the import is small enough to undo;
a larger one is recorded compactly (keys and the names of the fields that
changed) and ``ledger.revert`` refuses to undo it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from labreview.domain import decisions as decision_rules
from labreview.domain.errors import DomainError, InvalidInput
from labreview.domain.fields import KEY_PATTERN, clean_text
from labreview.domain.vocabulary import Stage
from labreview.portfolio import ledger
from labreview.portfolio.gc_pause import collector_paused
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

_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)
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


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""In a ``RecordColumns`` column: the row does not give this field (it is not in the record's ``fields``)."""


class _RowsOfColumns(Sequence[_Row]):
    """A sequence held column by column, each item made only when it is looked at (``_item``).

    Subclasses keep ``lines`` (one source line per item) and the columns ``_item`` reads.
    """

    __slots__ = ()
    lines: Sequence[int]

    def _item(self, index: int) -> _Row:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._item(i) for i in range(len(self))[index]]
        return self._item(range(len(self))[index])

    def __iter__(self) -> Iterator[_Row]:
        return map(self._item, range(len(self)))


class RecordColumns(_RowsOfColumns[ImportRecord]):
    """Import records held column by column: what a reader gives for a file in which every value could be read.

    A sequence of ``ImportRecord``s like any other (each is made when it is looked at), and what lets
    ``import_initiatives`` check a file of new initiatives a column at a time instead of a record at a time
    (``_plan_columns``). ``fields`` maps each field to one value per row, ``ABSENT`` where the row leaves it
    out, in the order the records' ``fields`` list them; none of the records has a ``problem``.
    """

    __slots__ = ("fields", "keys", "lines")

    def __init__(self, lines: Sequence[int], keys: Sequence[str], fields: Mapping[str, Sequence[Any]]) -> None:
        if any(len(values) != len(lines) for values in (keys, *fields.values())):
            raise ValueError("every column needs one value per line")
        self.lines = lines
        self.keys = keys
        self.fields = fields

    def _item(self, index: int) -> ImportRecord:
        fields = {name: value for name, values in self.fields.items() if (value := values[index]) is not ABSENT}
        return ImportRecord(self.lines[index], self.keys[index], fields)

    def __repr__(self) -> str:
        return f"RecordColumns({len(self)} records)"


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


class CreatedList(Sequence[CreatedInitiative]):
    """The initiatives an import created, made into ``CreatedInitiative``s only when looked at.

    A 100,000-row import would otherwise build 100,000 dicts of every field for a report
    that shows the first fifty.
    """

    __slots__ = ("_creates",)

    def __init__(self, creates: Sequence[_Create]) -> None:
        self._creates = creates

    def __len__(self) -> int:
        return len(self._creates)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [_created(c) for c in self._creates[index]]
        return _created(self._creates[index])

    def __iter__(self) -> Iterator[CreatedInitiative]:
        return map(_created, self._creates)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CreatedList | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CreatedList({len(self)} initiatives)"


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or would do (``dry_run``), row by row."""

    rows: int
    created: Sequence[CreatedInitiative]
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
    with collector_paused():
        return _import(portfolio, records, dry_run, skip_invalid, source, progress)


def _import(
    portfolio: Any,
    records: Sequence[ImportRecord],
    dry_run: bool,
    skip_invalid: bool,
    source: str,
    progress: Progress | None,
) -> ImportReport:
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


CREATE_COLUMNS = (
    "key",
    "title",
    "description",
    "stage",
    "category",
    "track",
    "vendor",
    "quarterly_cost",
    "renewal_date",
    "ai_heavy",
    *CRITERIA_FIELDS,
)
"""The ``initiative`` columns a new row takes from its import record (the others: owner and sponsor ids,
search text, timestamps, and the model's defaults)."""


class _Create(NamedTuple):
    """A new initiative (a tuple: 100,000 of them are held at once, and a list of them turns into columns with
    one ``zip``)."""

    line: int
    key: str
    row: tuple[Any, ...]
    """Values of ``CREATE_COLUMNS`` (tuples rather than dicts)."""
    intake: tuple[Any, ...]
    """Values of ``INTAKE_FIELDS``."""
    owner: str
    sponsor: str | None

    @property
    def values(self) -> dict[str, Any]:
        return dict(zip(CREATE_COLUMNS, self.row, strict=True))

    @property
    def intake_values(self) -> dict[str, Any]:
        return dict(zip(INTAKE_FIELDS, self.intake, strict=True))


class _Creates(_RowsOfColumns[_Create]):
    """The new initiatives of a plan held column by column; a ``_Create`` is made when one is looked at.

    A 100,000-row import checks them a column at a time (``_plan_columns``) and writes them with one ``zip`` of
    columns, and a tuple per row (or three) would only be taken apart again.
    """

    __slots__ = ("intake", "keys", "lines", "owners", "row", "sponsors")

    def __init__(
        self,
        lines: Sequence[int],
        keys: Sequence[str],
        row: Sequence[Sequence[Any]],
        intake: Sequence[Sequence[Any]],
        owners: Sequence[str],
        sponsors: Sequence[str | None],
    ) -> None:
        self.lines = lines
        self.keys = keys
        self.row = row
        """One sequence of values per ``CREATE_COLUMNS``."""
        self.intake = intake
        """One sequence of values per ``INTAKE_FIELDS``."""
        self.owners = owners
        self.sponsors = sponsors

    @classmethod
    def of(cls, creates: Sequence[_Create]) -> _Creates:
        if not creates:
            return cls((), (), [()] * len(CREATE_COLUMNS), [()] * len(INTAKE_FIELDS), (), ())
        lines, keys, rows, intakes, owners, sponsors = transposed(creates, len(_Create._fields))
        row = transposed(rows, len(CREATE_COLUMNS))
        return cls(lines, keys, row, transposed(intakes, len(INTAKE_FIELDS)), owners, sponsors)

    def _item(self, index: int) -> _Create:
        return _Create(
            self.lines[index],
            self.keys[index],
            tuple(values[index] for values in self.row),
            tuple(values[index] for values in self.intake),
            self.owners[index],
            self.sponsors[index],
        )


def transposed(rows: Sequence[Sequence[Any]], width: int, chunk: int = 1024) -> list[list[Any]]:
    """The ``width`` columns of ``rows``. By chunks of rows: ``zip(*rows)`` of 100,000 rows at once steps
    100,000 iterators in turn for every column, and takes twice as long."""
    columns: list[list[Any]] = [[] for _ in range(width)]
    extend = [column.extend for column in columns]
    for start in range(0, len(rows), chunk):
        for add, values in zip(extend, zip(*rows[start : start + chunk], strict=True), strict=True):
            add(values)
    return columns


def _keys(creates: Sequence[_Create]) -> Sequence[str]:
    return creates.keys if isinstance(creates, _Creates) else [create.key for create in creates]


def _created(create: _Create) -> CreatedInitiative:
    values = create.values
    return CreatedInitiative(
        create.line,
        create.key,
        values["title"],
        values["stage"],
        {**values, **create.intake_values, "owner": create.owner, "sponsor": create.sponsor},
    )


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
    creates: Sequence[_Create] = field(default_factory=list)
    """A list while records are planned one by one; ``_Creates`` when the plan is made."""
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
            created=CreatedList(self.creates),
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
    if isinstance(records, RecordColumns):
        plan = _plan_columns(session, records, progress)
        if plan is not None:
            return plan
        records = list(records)  # not all new and clean: record by record, which says what is wrong
    plan = _Plan(rows=len(records))
    for person_id, name in session.execute(select(Person.id, Person.name)).all():
        plan.people[fold_name(name)] = (person_id, name)
    existing = _existing(session, [r.key for r in records if r.problem is None])
    first_line: dict[str, int] = {}
    folded: dict[str, str] = {}
    """Name → ``fold_name(name)``: the same owners come back on many rows."""
    step = max(1, len(records) // 100)
    create = plan.creates.append
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
            current = existing.get(key) if existing else None
            if current is None:
                create(_create(record.line, key, values))
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
            if name:
                key = folded.get(name)
                if key is None:
                    key = folded[name] = fold_name(name)
                if key not in plan.people:
                    plan.new_people.setdefault(key, " ".join(name.split()))
    plan.creates = _Creates.of(plan.creates)
    if progress:
        progress("Checking rows", len(records), len(records))
    return plan


def _plan_columns(session: Session, batch: RecordColumns, progress: Progress | None) -> _Plan | None:
    """The plan of ``batch`` worked out column by column, when every row creates a new initiative from clean
    values: what ``_plan`` gives for those records, in a fraction of the time (a function call per distinct
    value or per chunk of a column rather than per cell). ``None`` when any row is not like that — a key
    that is not usable, given twice or already stored, a value that ``_clean`` refuses, a required field left
    out —, and then ``_plan`` goes record by record and reports what is wrong.
    """
    count = len(batch)
    if progress:
        progress("Checking rows", 0, count)
    keys = batch.keys
    # A key matching KEY_PATTERN is one that _check_key leaves as it is (upper-case ASCII, no blanks).
    try:
        if not all(map(KEY_PATTERN.match, keys)):
            return None
    except TypeError:  # not text
        return None
    unique = set(keys)
    if len(unique) != count:
        return None
    stored = session.execute(select(func.count()).select_from(Initiative)).scalar_one()
    if stored and not unique.isdisjoint(session.execute(select(Initiative.key)).scalars()):
        return None  # updates: record by record
    if not {"title", "category", "owner"} <= batch.fields.keys():  # as _create
        return None
    # A chunk of rows at a time, every column: the values of a row were read together and lie together in
    # memory, and each is checked while it is in the processor's cache (not in passes over 100,000 values).
    cleaners = {name: _column_cleaner(name) for name in batch.fields}
    cleaned: dict[str, list[Any]] = {name: [] for name in batch.fields}
    for start in range(0, count, CHECK_CHUNK):
        for name, values in batch.fields.items():
            part = cleaners[name](values[start : start + CHECK_CHUNK])
            if part is None:
                return None
            cleaned[name].extend(part)
        if progress:
            progress("Checking rows", min(count, start + CHECK_CHUNK), count)

    def column(name: str) -> Sequence[Any]:
        """The cleaned values of ``name``, or what a new initiative gets when the file does not give it."""
        values = cleaned.get(name)
        return [_NEW_DEFAULTS.get(name)] * count if values is None else values  # stage, track: None

    # As _create: the stage defaults to lab, the track to the stage's.
    stages = column("stage")
    if None in stages:
        stages = [stage or _LAB for stage in stages]
    if not _STAGES.keys() >= set(stages):
        return None  # not a stage (only a caller other than the reader can give one): _create says so
    tracks = column("track")
    if None in tracks:
        tracks = [track or _DEFAULT_TRACK_OF[stage] for stage, track in zip(stages, tracks, strict=True)]
    row = [keys, cleaned["title"], column("description"), stages, cleaned["category"], tracks]
    row.extend(map(column, CREATE_COLUMNS[len(row) :]))
    owners = cleaned["owner"]
    sponsors = column("sponsor")
    plan = _Plan(rows=count, people=_people(session))
    plan.creates = _Creates(batch.lines, keys, row, list(map(column, INTAKE_FIELDS)), owners, sponsors)
    # As _plan: the people named that the portfolio does not know, in the order the file first names them.
    for name in dict.fromkeys(itertools.chain.from_iterable(zip(owners, sponsors, strict=True))):
        if name:
            key = fold_name(name)
            if key not in plan.people:
                plan.new_people.setdefault(key, " ".join(name.split()))
    if progress:
        progress("Checking rows", count, count)
    return plan


CHECK_CHUNK = 2_000
"""Rows checked together by ``_plan_columns``."""


def _column_cleaner(name: str) -> Callable[[Sequence[Any]], list[Any] | None]:
    """A function giving ``_clean``'s value of ``name`` for the rows of a chunk of its column, chunk after chunk,
    with ``_NEW_DEFAULTS`` for ``ABSENT`` (``None`` for the stage and track); ``None`` when a value is refused, a
    required field (title, category, owner) is left out or empty, or the column holds values of two types
    (``True == 1`` and ``Stage.LAB == "lab"``, but they are cleaned apart; the reader never gives that).

    Text is taken apart value by value only when some value needs ``_text``'s slow path (not text, a carriage
    return, a NUL, too long, an empty title); any other field is cleaned once per distinct value.
    """
    required = name in ("title", "category", "owner")
    default = _NEW_DEFAULTS.get(name)
    limit = TEXT_LIMITS.get(name)
    if limit is not None:

        def clean_text(values: Sequence[Any]) -> list[Any] | None:
            try:
                joined = "".join(values)
            except TypeError:  # ABSENT, or not text
                if required and ABSENT in values:
                    return None
                values = [default if value is ABSENT else value for value in values]
                try:
                    joined = "".join(values)
                except TypeError:
                    joined = "\x00"  # not text: value by value
            if "\r" not in joined and "\x00" not in joined:
                stripped = list(map(str.strip, values))
                if max(map(len, stripped), default=0) <= limit and (not required or all(stripped)):
                    return stripped  # what _clean's fast path gives for each
            try:
                cleaned = [_text(name, text) for text in values]
            except DomainError:
                return None
            return cleaned if not required or all(cleaned) else None

        return clean_text
    cleaner = _CLEANERS.get(name)
    seen: dict[Any, Any] = {}
    kinds: set[type] = set()

    def clean(values: Sequence[Any]) -> list[Any] | None:
        chunk_kinds = set(map(type, values))
        if cleaner is None or (required and _Absent in chunk_kinds):
            return None
        kinds.update(chunk_kinds)
        if len(kinds - {_Absent}) > 1:
            return None
        try:
            for value in dict.fromkeys(values):
                if value not in seen:
                    seen[value] = default if value is ABSENT else cleaner(name, value)
        except TypeError:  # an unhashable value (not from a reader)
            return None
        except DomainError:
            return None
        cleaned = list(map(seen.__getitem__, values))
        return cleaned if not required or all(cleaned) else None

    return clean


def _people(session: Session) -> dict[str, tuple[int, str]]:
    """Folded name → (id, name) of everybody in the portfolio."""
    return {fold_name(name): (person_id, name) for person_id, name in session.execute(select(Person.id, Person.name))}


def _existing(session: Session, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored fields of the initiatives among ``keys``, with owner and sponsor names."""
    unique = {_upper_ascii(str(k).strip()) for k in keys}
    if len(unique) > 4 * CHUNK:
        # Many keys (a big file): find which exist in one pass over the key index, then read only those.
        stored = set(session.execute(select(Initiative.key)).scalars())
        unique &= stored
    wanted = sorted(unique)
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


def _upper_ascii(key: str) -> str:
    """A key upper-cased the way ``_check_key`` does it: only ASCII letters change."""
    return key.upper() if key.isascii() else key


def _check_key(key: str) -> str:
    typed = str(key or "").strip()
    cleaned = typed.upper() if typed.isascii() else typed  # never "EXP-ß" → "EXP-SS": refused below
    if not cleaned:
        raise InvalidInput("The key is empty; every row needs the initiative's key (e.g. LAB-014).")
    if not KEY_PATTERN.match(cleaned):
        raise InvalidInput(
            f"'{cleaned}' is not a usable key: use letters, digits, '-', '.' or '_', "
            "up to 24 characters (e.g. LAB-014)."
        )
    return cleaned


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Stored forms of the given fields, under the limits of the single-record use cases.

    The two commonest cases (a clean string within its limit, an enum member) are taken inline:
    a 100,000-row file has over a million cells, and a function call per cell is a second of work.
    """
    values: dict[str, Any] = {}
    limits = TEXT_LIMITS
    for name, value in fields.items():
        limit = limits.get(name)
        if limit is not None:
            if type(value) is str and "\r" not in value and "\x00" not in value:  # _text's fast path
                text = value.strip()
                if len(text) <= limit and (text or name != "title"):
                    values[name] = text
                    continue
            values[name] = _text(name, value)
            continue
        if name in _CHOICE_FIELDS and isinstance(value, StrEnum):  # _choice's fast path
            values[name] = value._value_
            continue
        cleaner = _CLEANERS.get(name)
        if cleaner is None:
            raise InvalidInput(f"'{name}' is not a field an import can set.")
        values[name] = cleaner(name, value)
    return values


def _text(name: str, value: Any) -> str:
    """``clean_text`` with a fast path: most cells are short, clean strings (100,000 rows × a dozen columns)."""
    limit = TEXT_LIMITS[name]
    if isinstance(value, str):
        text = (value.replace("\r\n", "\n") if "\r" in value else value).strip()
        if "\x00" not in text and len(text) <= limit and (text or name != "title"):
            return text
    return clean_text(value, what=name.replace("_", " "), limit=limit, required=name == "title")


def _person_name(name: str, value: Any) -> str | None:
    if isinstance(value, str):
        return _person_name_of_text(name, value)
    text = clean_text(value, what=f"{name}'s name", limit=NAME_LIMIT)
    return " ".join(text.split()) or None


@functools.lru_cache(maxsize=4096)
def _person_name_of_text(name: str, value: str) -> str | None:
    """``_person_name`` of a string, remembered: a file names the same few hundred people on every row.
    (A refused name raises every time: exceptions are not cached.)"""
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
    if isinstance(value, StrEnum):
        return value._value_  # the member's value, without the descriptor behind ``.value`` (600,000 cells)
    return None if value in (None, "") else getattr(value, "value", value)


_CHOICE_FIELDS = frozenset(("stage", "category", "track", "data_sensitivity", "integration_scope", "success_metric"))
_CLEANERS: dict[str, Callable[[str, Any], Any]] = {
    **{name: _text for name in TEXT_LIMITS},
    "owner": _person_name,
    "sponsor": _person_name,
    "quarterly_cost": _money,
    "renewal_date": _date,
    "ai_heavy": lambda _name, value: bool(value),
    **{name: _choice for name in _CHOICE_FIELDS},
}


def _create(line: int, key: str, values: dict[str, Any]) -> _Create:
    get = values.get
    if not (get("title") and get("category") and get("owner")):
        missing = [name for name in ("title", "category", "owner") if not get(name)]
        raise InvalidInput(f"{key} is new, and a new initiative needs {_and(missing)}.")
    stage_value = get("stage") or Stage.LAB.value
    stage = _STAGES.get(stage_value) or Stage(stage_value)
    merged = _NEW_DEFAULTS | values
    merged["key"] = key
    merged["stage"] = stage._value_
    merged["track"] = get("track") or _DEFAULT_TRACKS[stage]
    return _Create(line, key, _CREATE_ROW(merged), _INTAKE_ROW(merged), values["owner"], merged["sponsor"])


_NEW_DEFAULTS: dict[str, Any] = {
    "description": "",
    "vendor": "",
    "quarterly_cost": 0,
    "renewal_date": None,
    "ai_heavy": False,
    **{name: "" for name in CRITERIA_FIELDS},
    **{
        name: None if name in ("data_sensitivity", "integration_scope", "success_metric") else ""
        for name in INTAKE_FIELDS
    },
    "sponsor": None,
}
"""What a new initiative gets for a field its row leaves empty."""
_CREATE_ROW = operator.itemgetter(*CREATE_COLUMNS)
_INTAKE_ROW = operator.itemgetter(*INTAKE_FIELDS)


_INTAKE_CHOICES = ("data_sensitivity", "integration_scope", "success_metric")
_STAGES = {stage.value: stage for stage in Stage}
_DEFAULT_TRACKS = {stage: track.value for stage, track in decision_rules.DEFAULT_TRACK.items()}
_DEFAULT_TRACK_OF = {stage.value: track for stage, track in _DEFAULT_TRACKS.items()}
_LAB = Stage.LAB.value


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

    folded: dict[str, str] = {}

    def person(name: str) -> tuple[int, str]:
        """(id, name as stored) of a person named in the file."""
        key = folded.get(name)
        if key is None:
            key = folded[name] = fold_name(name)
        return people[key]

    def person_id(name: str | None) -> int | None:
        return person(name)[0] if name else None

    if plan.creates:
        _insert_creates(session, plan.creates, person, now, changes if record_rows else None)
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


_CREATE_EXTRA = ("owner_id", "sponsor_id", "search_text", "created_at", "updated_at")
_ID = operator.itemgetter(0)
_NAME = operator.itemgetter(1)
_INTAKE_COLUMNS = ("initiative_id", *INTAKE_FIELDS, "version")
DEFER_INDEXES_FROM = 10_000
"""Creating at least this many initiatives, and more than the table holds already, drops the secondary
indexes of ``initiative`` inside the transaction and builds them again after the insert: one scan and
sort per index instead of a B-tree insert per row and index. Measured (instructions, callgrind, raw
SQL of an import into an empty portfolio): 100,000 rows 13.1 G against 15.7 G; 10,000 rows 3.85 G
against 4.09 G."""


def _insert_creates(
    session: Session,
    creates: _Creates,
    person: Callable[[str], tuple[int, str]],
    now: dt.datetime,
    changes: list[ledger.Change] | None,
) -> None:
    """Insert the new initiatives and their intake rows; with ``changes``, record every row for undo."""
    initiative = Initiative.__table__
    defaults = _initiative_defaults()
    del defaults["id"]
    # Columns left to their default: those whose default is NULL are simply not named in the INSERT.
    tail_columns = tuple(
        c for c, v in defaults.items() if c not in CREATE_COLUMNS and c not in _CREATE_EXTRA and v is not None
    )
    columns = (*CREATE_COLUMNS, *_CREATE_EXTRA, *tail_columns)
    tail = tuple(defaults[c] for c in tail_columns)
    bind = _Binder(session, initiative, columns)
    stamps = bind.constant(len(CREATE_COLUMNS) + 3, (now, now))
    tail_bound = bind.constant(len(CREATE_COLUMNS) + len(_CREATE_EXTRA), tail)
    search_text = queries.search_text
    # Column by column (100,000 rows without a Python call per row): the values, bound; owner and sponsor ids
    # looked up once per name; the search text of key, title, owner, vendor and description, as
    # service.create_initiative computes it (with the owner's name as stored).
    count = len(creates)
    values = creates.row
    owner_of = {name: person(name) for name in dict.fromkeys(creates.owners)}
    sponsor_of = {name: person(name)[0] if name else None for name in dict.fromkeys(creates.sponsors)}
    owners = list(map(owner_of.__getitem__, creates.owners))
    searches = queries.search_texts(values[0], values[1], map(_NAME, owners), values[6], values[2])
    bound = [
        *(bind.column(index, column) for index, column in enumerate(values)),
        list(map(_ID, owners)),
        list(map(sponsor_of.__getitem__, creates.sponsors)),
        searches,
        *(itertools.repeat(value, count) for value in (*stamps, *tail_bound)),
    ]
    del owners, searches
    newest = session.execute(select(func.max(Initiative.id))).scalar() or 0
    existing = session.execute(select(func.count()).select_from(initiative)).scalar_one()
    defer = len(creates) >= DEFER_INDEXES_FROM and len(creates) > existing
    with _indexes_rebuilt_after(session, initiative.name) if defer else nullcontext():
        bind.insert_columns(bound)
    del bound
    ids = _new_ids(session, newest, creates)
    intake = [ids, *creates.intake, itertools.repeat(1, count)]
    bind = _Binder(session, Intake.__table__, _INTAKE_COLUMNS)
    bind.insert_columns([bind.column(index, column) for index, column in enumerate(intake)])
    if changes is not None:
        for initiative_id, create in zip(ids, creates, strict=True):
            owner_id, owner_name = person(create.owner)
            row = {
                "id": initiative_id,
                **defaults,
                **create.values,
                "owner_id": owner_id,
                "sponsor_id": person(create.sponsor)[0] if create.sponsor else None,
                "search_text": search_text(create.key, create.row[1], owner_name, create.row[6], create.row[2]),
                "created_at": now,
                "updated_at": now,
            }
            changes.append(ledger.Change("insert", "initiative", {"id": initiative_id}, None, _plain_row(row)))
        intake[-1] = itertools.repeat(1, count)
        for values in zip(*intake, strict=True):
            after = _plain_row(dict(zip(_INTAKE_COLUMNS, values, strict=True)))
            changes.append(ledger.Change("insert", "intake", {"initiative_id": values[0]}, None, after))


class _Binder:
    """Rows of Python values for ``columns`` of ``table`` into what the driver is given, and the INSERT.

    On SQLite each value goes through SQLAlchemy's own bind processor for its column type, as Core
    would (dates and timestamps become text), once per distinct value: a column repeats the same few
    values (one timestamp for every row, no renewal date on most). Elsewhere rows go through Core.
    """

    def __init__(self, session: Session, table: Any, columns: Sequence[str]) -> None:
        self.connection = session.connection()
        self.table = table
        self.columns = tuple(columns)
        dialect = self.connection.dialect
        self.sqlite = dialect.name == "sqlite"
        self.processors: list[Callable[[Any], Any] | None] = [
            _remembering(process)
            if self.sqlite and (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            else None
            for name in self.columns
        ]
        self._whole = self.part(0, len(self.columns))

    def part(self, start: int, stop: int) -> Callable[[tuple[Any, ...]], Sequence[Any]]:
        """A function binding the values of ``columns[start:stop]`` (a tuple of exactly those)."""
        processed = [(i - start, p) for i, p in enumerate(self.processors[start:stop], start) if p is not None]
        if not processed:
            return lambda values: values

        def bound(values: tuple[Any, ...]) -> list[Any]:
            result = list(values)
            for index, process in processed:
                result[index] = process(result[index])
            return result

        return bound

    def column(self, index: int, values: Sequence[Any]) -> Sequence[Any]:
        """The values of ``columns[index]`` in many rows, bound."""
        process = self.processors[index]
        if process is None:
            return values
        if isinstance(values, list) and values:
            first = values[0]
            if all(map(operator.is_, values, itertools.repeat(first))):  # as "no renewal date" on every row
                return [process(first)] * len(values)
        return list(map(process, values))

    def constant(self, start: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (the same on every row) of the columns from ``start`` on, bound once."""
        return tuple(self.part(start, start + len(values))(values))

    def bind(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A whole row bound."""
        return tuple(self._whole(row))

    def insert_columns(self, values: Sequence[Iterable[Any]]) -> None:
        """One ``executemany`` of rows given column by column, each bound (``column``) or an ``itertools.repeat``
        of a bound value (``constant``).

        A nullable column that is NULL in every row is left out of the INSERT, as the columns whose default is
        NULL already are (none has a DEFAULT clause, so SQLite stores NULL): pysqlite binds each None through a
        lookup of adapters that fails (two attribute lookups), about 6 % of the instructions of inserting
        100,000 initiatives with neither a sponsor nor a renewal date.
        """
        kept = [
            index
            for index, (name, column) in enumerate(zip(self.columns, values, strict=True))
            if not (
                self.sqlite
                and self.table.c[name].nullable
                and isinstance(column, list)
                and column.count(None) == len(column)
            )
        ]
        rows = zip(*(values[index] for index in kept), strict=True)
        self.insert(rows, [self.columns[index] for index in kept])

    def insert(self, rows: Iterable[tuple[Any, ...]], columns: Sequence[str] | None = None) -> None:
        """One ``executemany`` of ``rows``, already bound (see ``part``), of ``columns`` (default: all).

        On SQLite through the DB-API connection under the session's (same transaction, raw ``executemany``):
        pysqlite takes the rows from an iterator as it inserts them, where SQLAlchemy's ``exec_driver_sql``
        wants a list of them built first (measured: 0.1–0.2 s and ~25 MiB more for 100,000 initiatives). Its
        errors are raised as SQLAlchemy's, as ``exec_driver_sql`` raises them.
        """
        columns = self.columns if columns is None else columns
        if not self.sqlite:
            rows = list(rows)
            if rows:
                self.connection.execute(self.table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
            return
        quote = self.connection.dialect.identifier_preparer.quote
        statement = (
            f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        dbapi = self.connection.dialect.loaded_dbapi
        try:
            self.connection.connection.driver_connection.executemany(statement, rows)
        except dbapi.Error as exc:
            raise DBAPIError.instance(statement, None, exc, dbapi.Error, dialect=self.connection.dialect) from exc


def _new_ids(session: Session, newest: int, creates: Sequence[_Create]) -> Sequence[int]:
    """The ids the new initiatives got, in the order of ``creates``.

    SQLite gives each inserted row the largest rowid so far plus one; when the new rows hold
    exactly ``newest + 1 …`` in the order of their keys, that is checked with one query instead
    of reading 100,000 (key, id) pairs back. Otherwise they are read back.
    """
    count = len(creates)
    found, first, last = session.execute(
        select(func.count(), func.min(Initiative.id), func.max(Initiative.id)).where(Initiative.id > newest)
    ).one()
    if found == count and first == newest + 1 and last == newest + count:
        ends = dict(
            session.execute(select(Initiative.id, Initiative.key).where(Initiative.id.in_((first, last)))).all()
        )
        keys = _keys(creates)
        if ends == {first: keys[0], last: keys[-1]}:
            return range(first, last + 1)
    ids = dict(session.execute(select(Initiative.key, Initiative.id).where(Initiative.id > newest)).all())
    return [ids[key] for key in _keys(creates)]


@contextmanager
def _indexes_rebuilt_after(session: Session, table: str) -> Iterator[None]:
    """Drop the non-unique indexes made by CREATE INDEX on ``table`` (SQLite), and make them again, with
    their own SQL, when the block succeeds.

    Inside the import's transaction: on failure the rollback brings them back with everything else,
    and other connections never see the table without them. (Keeping the few-valued ones — stage,
    track, category — up to date row by row was measured too: it costs more instructions than
    building them again.)
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    quote = connection.dialect.identifier_preparer.quote
    names = [
        name
        for _seq, name, unique, origin, _partial in connection.exec_driver_sql(f"PRAGMA index_list({quote(table)})")
        if origin == "c" and not unique
    ]
    statements = []
    for name in names:
        sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,))
        statements.append(sql.scalar_one())
    for name in names:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for statement in statements:
        connection.exec_driver_sql(statement)


def _insert_rows(session: Session, table: Any, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (tuples of Python values for ``columns``) in one ``executemany`` (see ``_Binder``)."""
    if not rows:
        return
    binder = _Binder(session, table, columns)
    if binder.sqlite and any(binder.processors):
        rows = [binder.bind(row) for row in rows]
    binder.insert(list(rows))


def _remembering(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, computed once per distinct value (by type and value; a timestamp once per object,
    since equal instants in different time zones are equal but need not be written alike)."""
    seen: dict[Any, Any] = {}
    last: list[Any] = [object(), None]

    def remembered(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        if isinstance(value, dt.datetime):
            result = process(value)
        else:
            key = (type(value), value)
            try:
                result = seen[key]
            except KeyError:
                result = seen[key] = process(value)
            except TypeError:  # unhashable
                result = process(value)
        last[0], last[1] = value, result
        return result

    return remembered


def _insert_many(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts, all with the same keys) in one ``executemany`` (see ``_insert_rows``)."""
    if rows:
        names = tuple(rows[0])
        _insert_rows(session, table, names, [tuple(row[name] for name in names) for row in rows])


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
            "created": list(_keys(plan.creates)),
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

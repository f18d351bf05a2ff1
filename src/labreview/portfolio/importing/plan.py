"""Planning an import: every record checked against the field rules and the stored portfolio, nothing written.

``_plan`` goes record by record; ``_plan_columns`` checks a file of new initiatives column by column, 2,000
rows at a time, with the same outcome. The plan holds what to create (``_Creates``, column by column), what
to change (``_Update``), the problems, and the people to add.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from labreview.domain import decisions as decision_rules
from labreview.domain.errors import DomainError, InvalidInput
from labreview.domain.fields import KEY_PATTERN, TEXT_LIMITS
from labreview.domain.vocabulary import Stage
from labreview.portfolio.importing.clean import _CLEANERS, _check_key, _clean, _text, _upper_ascii
from labreview.portfolio.importing.records import (
    ABSENT,
    CRITERIA_FIELDS,
    INITIATIVE_FIELDS,
    INTAKE_FIELDS,
    ImportRecord,
    Progress,
    RecordColumns,
    _Absent,
    _RowsOfColumns,
)
from labreview.portfolio.importing.report import (
    ChangedInitiative,
    CreatedList,
    FieldChange,
    ImportReport,
    Problem,
    _and,
)
from labreview.store.models import Initiative, Intake, Person

CHUNK = 500
"""Keys per ``IN (...)`` query: well below SQLite's limit on bound variables."""


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

"""What an import did, or would do: the report returned to the caller, and the audit summary."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class _Create(Protocol):
    """What the report reads of a planned creation (``plan._Create``; named here so plan → report is one way)."""

    line: int
    key: str
    values: Mapping[str, Any]
    intake_values: Mapping[str, Any]
    owner: Any
    sponsor: Any


class _Plan(Protocol):
    """What the summary reads of a plan (``plan._Plan``)."""

    creates: Sequence[Any]
    updates: Sequence[Any]
    new_people: Mapping[str, str]
    problems: Sequence[Any]


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


def _created(create: _Create) -> CreatedInitiative:
    values = create.values
    return CreatedInitiative(
        create.line,
        create.key,
        values["title"],
        values["stage"],
        {**values, **create.intake_values, "owner": create.owner, "sponsor": create.sponsor},
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

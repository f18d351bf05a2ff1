"""The contract between a reader and the import: ``ImportRecord``s, or ``RecordColumns`` of them.

Standard library and the domain only, so that the CSV reader (``exchange.csv_read``) can build records
without loading SQLAlchemy. Which fields a record may give (``FIELDS``, in file order) is part of the
contract: they are ``domain.fields``'s, re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from labreview.domain.fields import CRITERIA_FIELDS, FIELDS, INITIATIVE_FIELDS, INTAKE_FIELDS

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: called now and then while a long import runs."""

__all__ = [
    "ABSENT",
    "CRITERIA_FIELDS",
    "FIELDS",
    "INITIATIVE_FIELDS",
    "INTAKE_FIELDS",
    "ImportRecord",
    "Progress",
    "RecordColumns",
]

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

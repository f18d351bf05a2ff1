"""Importing many initiatives at once: one transaction, one audit event, bulk SQL.

``import_initiatives`` is the whole use case behind ``labreview import``: it
takes records already read from a file (``exchange.csv_read`` turns CSV text into
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

The modules, in the order an import goes through them:

- ``records``: the contract a reader produces (``ImportRecord``, ``RecordColumns``, ``ABSENT``); standard
  library only.
- ``clean``: the stored form of each field, under the single-record use cases' limits.
- ``plan``: checking the records against those rules and the stored portfolio (nothing written).
- ``report``: what an import did or would do (``ImportReport``), and the audit summary.
- ``write``: the use case (``import_initiatives``) and its writes, through ``store.bulk``.

Lazy on purpose: the CSV reader imports ``importing.records`` without loading SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labreview.domain.fields import MAX_MONEY, NAME_LIMIT, TEXT_LIMITS
    from labreview.portfolio.importing.records import (
        ABSENT,
        CRITERIA_FIELDS,
        FIELDS,
        INITIATIVE_FIELDS,
        INTAKE_FIELDS,
        ImportRecord,
        Progress,
        RecordColumns,
    )
    from labreview.portfolio.importing.report import (
        ChangedInitiative,
        CreatedInitiative,
        FieldChange,
        ImportReport,
        Problem,
    )
    from labreview.portfolio.importing.write import import_initiatives

_RECORDS = "labreview.portfolio.importing.records"
_REPORT = "labreview.portfolio.importing.report"
_EXPORTS = {
    "ABSENT": _RECORDS,
    "CRITERIA_FIELDS": _RECORDS,
    "FIELDS": _RECORDS,
    "INITIATIVE_FIELDS": _RECORDS,
    "INTAKE_FIELDS": _RECORDS,
    "ImportRecord": _RECORDS,
    "Progress": _RECORDS,
    "RecordColumns": _RECORDS,
    "ChangedInitiative": _REPORT,
    "CreatedInitiative": _REPORT,
    "FieldChange": _REPORT,
    "ImportReport": _REPORT,
    "Problem": _REPORT,
    "import_initiatives": "labreview.portfolio.importing.write",
    "MAX_MONEY": "labreview.domain.fields",
    "NAME_LIMIT": "labreview.domain.fields",
    "TEXT_LIMITS": "labreview.domain.fields",
}

__all__ = [
    "ABSENT",
    "CRITERIA_FIELDS",
    "FIELDS",
    "INITIATIVE_FIELDS",
    "INTAKE_FIELDS",
    "MAX_MONEY",
    "NAME_LIMIT",
    "TEXT_LIMITS",
    "ChangedInitiative",
    "CreatedInitiative",
    "FieldChange",
    "ImportRecord",
    "ImportReport",
    "Problem",
    "Progress",
    "RecordColumns",
    "import_initiatives",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'labreview.portfolio.importing' has no attribute {name!r}")

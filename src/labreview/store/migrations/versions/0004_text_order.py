"""Text sorts the same everywhere: on PostgreSQL every text column compares by code point (``COLLATE "C"``).

SQLite compares text byte by byte (UTF-8: code point order), and so do the backlog's memory index
(Python's ``str`` order) and the minutes. PostgreSQL compares by the database's collation, which under
an ICU or glibc locale sorts ``A_3 a-1 A-2`` (case and punctuation ignored at first), so a backlog,
an agenda, a list of people or the minutes would come out in another order than on SQLite. ``"C"``
is byte order, which for UTF-8 is code point order: the same as SQLite's. It also makes ``lower`` and
``upper`` fold ASCII only, as SQLite's built-in ones do.

A column added by a later migration on PostgreSQL must say ``COLLATE "C"`` too
(``tests/store/test_text_order.py`` checks every text column of the head schema).

Nothing changes on SQLite.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT_COLUMNS = sa.text(
    "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
    " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> 'alembic_version'"
    " AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('text'::regtype, 'varchar'::regtype)"
    " ORDER BY c.relname, a.attnum"
)


def _collate(collation: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table, column, type_ in bind.execute(_TEXT_COLUMNS).all():
        op.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {type_} COLLATE {collation}')


def upgrade() -> None:
    _collate('"C"')


def downgrade() -> None:
    _collate('"default"')

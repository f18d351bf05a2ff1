"""Consolidation names the survivor: ``decision.absorbed_by_id``, the initiative that absorbs a consolidated one.

A "consolidate" decision retires a factory tool into another; the other (the surviving tool) is recorded
here, shown in the minutes and on Outcomes. Null for every other outcome and for consolidations recorded
before this revision. Nothing else changes; no text column is added (so no ``COLLATE "C"`` on PostgreSQL).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FK = "fk_decision_absorbed_by_id_initiative"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; Alembic's batch mode would copy the whole table,
        # and the copy lists the foreign keys in an order that varies from run to run (the sample must not).
        op.execute(f"ALTER TABLE decision ADD COLUMN absorbed_by_id INTEGER CONSTRAINT {FK} REFERENCES initiative (id)")
        return
    op.add_column("decision", sa.Column("absorbed_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK, "decision", "initiative", ["absorbed_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("absorbed_by_id")

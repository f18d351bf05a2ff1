"""Decision rights: ``decision_right`` (who may sign off which kind of decision, up to what quarterly cost)
and ``decision.signed_off_by_id`` (who signed a decision off under such a right).

Both start empty: a portfolio without rights records decisions as before, and decisions recorded before this
revision have no sign-off.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FK = "fk_decision_signed_off_by_id_person"


def _text() -> sa.types.TypeEngine:
    """Text compared by code point on PostgreSQL, as every other text column since 0004."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.String(collation="C")
    return sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "decision_right",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _text(), nullable=False),
        sa.Column("board_role", _text(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("cost_limit", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_decision_right_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_right")),
    )
    op.create_index(op.f("ix_decision_right_person_id"), "decision_right", ["person_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # In place, as 0006 (batch mode would copy the table and reorder its foreign keys from run to run).
        op.execute(f"ALTER TABLE decision ADD COLUMN signed_off_by_id INTEGER CONSTRAINT {FK} REFERENCES person (id)")
        return
    op.add_column("decision", sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK, "decision", "person", ["signed_off_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        if op.get_bind().dialect.name != "sqlite":
            batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_column("signed_off_by_id")
    op.drop_index(op.f("ix_decision_right_person_id"), table_name="decision_right")
    op.drop_table("decision_right")

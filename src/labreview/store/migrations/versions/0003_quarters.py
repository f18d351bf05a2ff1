"""Quarter after quarter: why an agenda item was carried over, and a budget envelope per quarter.

``agenda_item.carried_reason`` says why planning the session put the item on its
agenda ("carried from 2026-Q4: not reached", "renewal due 2027-03-31", …); items
put on by hand have an empty reason. ``budget_envelope`` holds a quarter's total
budget and the ring-fenced lab budget inside it (integer minor units).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("carried_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
    op.create_table(
        "budget_envelope",
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("lab", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", name=op.f("pk_budget_envelope")),
    )


def downgrade() -> None:
    op.drop_table("budget_envelope")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_column("carried_reason")

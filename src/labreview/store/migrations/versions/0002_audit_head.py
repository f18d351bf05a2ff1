"""The audit head: the newest audit record, so that a log cut short at its end is seen.

The head is set to the newest record of the log being upgraded, and row 2
remembers that this is where the upgrade found the log: nothing in the file shows
whether that log had already been cut (a head dropped and the schema claimed to be
0001 looks the same), so ``labreview audit verify`` says so for those records
instead of calling them anchored; only a head kept elsewhere (minutes) vouches for them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(
        "INSERT INTO audit_head (id, event_id, records, hash) "
        "SELECT 1, id, (SELECT count(*) FROM audit_event), hash FROM audit_event ORDER BY id DESC LIMIT 1"
    )
    op.execute(  # row 2: how far the log reached when the upgrade found it without a head
        "INSERT INTO audit_head (id, event_id, records, hash) "
        "SELECT 2, id, (SELECT count(*) FROM audit_event), hash FROM audit_event ORDER BY id DESC LIMIT 1"
    )


def downgrade() -> None:
    op.drop_table("audit_head")

"""KPI readings: one metric's number in one quarter, portfolio-wide or for one initiative, recorded in the app
or imported (``labreview import --kpis``). The KPIs the portfolio computes from its own history need no table;
the board's targets are a setting.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text() -> sa.types.TypeEngine:
    """Text compared by code point on PostgreSQL, as every other text column since 0004."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.String(collation="C")
    return sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table(
        "kpi_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", _text(), nullable=False),
        sa.Column("metric", _text(), nullable=False),
        sa.Column("value", _text(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_by", _text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_kpi_reading_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_reading")),
    )
    op.create_index(op.f("ix_kpi_reading_initiative_id"), "kpi_reading", ["initiative_id"], unique=False)
    op.create_index("ix_kpi_reading_quarter_metric", "kpi_reading", ["quarter", "metric"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_kpi_reading_quarter_metric", table_name="kpi_reading")
    op.drop_index(op.f("ix_kpi_reading_initiative_id"), table_name="kpi_reading")
    op.drop_table("kpi_reading")

"""Board members at their own seats: personal links, secret ballots, and the meeting's presence; and
the steps of the 90-day stabilisation plan among the action items.

``seat_link`` holds a hash of each attendee's personal link to a session; ``ballot`` and ``ballot_score``
hold scores cast in secret on an agenda item until the facilitator reveals them (then they move to
``score``); ``presence`` says which item the meeting is on and how long it has run, kept by the one app
holding the clock, and ``service_state`` where ``labreview serve`` can be reached (neither is audited).
``action_item.plan_days`` marks an action item as a step of a stabilisation plan (due so many days after
the promotion into the factory).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text() -> sa.types.TypeEngine:
    """Text compared by code point on PostgreSQL, as every other text column since 0004."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.String(collation="C")
    return sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_days", sa.Integer(), nullable=True))
    op.create_table(
        "seat_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _text(), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_seat_link_person_id_person")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_seat_link_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_seat_link_token_hash")),
    )
    op.create_index(op.f("ix_seat_link_person_id"), "seat_link", ["person_id"], unique=False)
    op.create_index(op.f("ix_seat_link_session_id"), "seat_link", ["session_id"], unique=False)
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revealed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_ballot_initiative_id_initiative")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_ballot_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
        sa.UniqueConstraint("session_id", "initiative_id", name=op.f("uq_ballot_session_id_initiative_id")),
    )
    op.create_index(op.f("ix_ballot_initiative_id"), "ballot", ["initiative_id"], unique=False)
    op.create_index(op.f("ix_ballot_session_id"), "ballot", ["session_id"], unique=False)
    op.create_table(
        "ballot_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("criterion", _text(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("cast_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ballot_id"], ["ballot.id"], name=op.f("fk_ballot_score_ballot_id_ballot")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["person.id"], name=op.f("fk_ballot_score_reviewer_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_score")),
        sa.UniqueConstraint(
            "ballot_id", "reviewer_id", "criterion", name=op.f("uq_ballot_score_ballot_id_reviewer_id_criterion")
        ),
    )
    op.create_index(op.f("ix_ballot_score_ballot_id"), "ballot_score", ["ballot_id"], unique=False)
    op.create_table(
        "presence",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("holder", _text(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("elapsed_seconds", sa.Integer(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.Column("beat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_presence_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_presence")),
    )

    op.create_table(
        "service_state",
        sa.Column("key", _text(), nullable=False),
        sa.Column("value", _text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_service_state")),
    )


def downgrade() -> None:
    op.drop_table("service_state")
    op.drop_table("presence")
    op.drop_index(op.f("ix_ballot_score_ballot_id"), table_name="ballot_score")
    op.drop_table("ballot_score")
    op.drop_index(op.f("ix_ballot_session_id"), table_name="ballot")
    op.drop_index(op.f("ix_ballot_initiative_id"), table_name="ballot")
    op.drop_table("ballot")
    op.drop_index(op.f("ix_seat_link_session_id"), table_name="seat_link")
    op.drop_index(op.f("ix_seat_link_person_id"), table_name="seat_link")
    op.drop_table("seat_link")
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_column("plan_days")

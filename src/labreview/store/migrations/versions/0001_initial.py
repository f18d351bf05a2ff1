"""The first schema: portfolio, sessions, scores, gates, access, budget, decisions, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changes", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_undoes_id"), ["undoes_id"], unique=False)

    op.create_table(
        "gate_template_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ai_only", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gate_template_item")),
    )
    with op.batch_alter_table("gate_template_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gate_template_item_gate"), ["gate"], unique=False)

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("board_role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("name", name=op.f("uq_person_name")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_board_role"), ["board_role"], unique=False)

    op.create_table(
        "setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "initiative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("track", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("vendor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quarterly_cost", sa.Integer(), nullable=False),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("ai_heavy", sa.Boolean(), nullable=False),
        sa.Column("baseline", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target_lift", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("test_period", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("operational_threshold", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pilot_approved_on", sa.Date(), nullable=True),
        sa.Column("current_gate", sa.Integer(), nullable=True),
        sa.Column("access_tier", sa.Integer(), nullable=True),
        sa.Column("score_outcome_impact", sa.Float(), nullable=True),
        sa.Column("score_operational_fit", sa.Float(), nullable=True),
        sa.Column("score_integration_burden", sa.Float(), nullable=True),
        sa.Column("score_data_risk", sa.Float(), nullable=True),
        sa.Column("score_economic_value", sa.Float(), nullable=True),
        sa.Column("score_spread", sa.Integer(), nullable=True),
        sa.Column("last_outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_quarter", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_initiative_owner_id_person")),
        sa.ForeignKeyConstraint(["sponsor_id"], ["person.id"], name=op.f("fk_initiative_sponsor_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiative")),
        sa.UniqueConstraint("key", name=op.f("uq_initiative_key")),
    )
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initiative_access_tier"), ["access_tier"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_current_gate"), ["current_gate"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_initiative_quarterly_cost", ["quarterly_cost"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_stage"), ["stage"], unique=False)
        batch_op.create_index("ix_initiative_stage_key", ["stage", "key"], unique=False)
        batch_op.create_index("ix_initiative_title", ["title"], unique=False)
        batch_op.create_index(batch_op.f("ix_initiative_track"), ["track"], unique=False)

    op.create_table(
        "review_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("timebox_seconds", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("current_item_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["person.id"], name=op.f("fk_review_session_facilitator_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_session")),
        sa.UniqueConstraint("quarter", name=op.f("uq_review_session_quarter")),
    )
    op.create_table(
        "access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("data_description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("export_allowed", sa.Boolean(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_access_request_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_request")),
    )
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_request_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("timebox_seconds", sa.Integer(), nullable=False),
        sa.Column("spent_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_agenda_item_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_agenda_item_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
        sa.UniqueConstraint("session_id", "initiative_id", name=op.f("uq_agenda_item_session_id_initiative_id")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agenda_item_session_id"), ["session_id"], unique=False)

    op.create_table(
        "attendee",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_attendee_person_id_person")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_attendee_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_attendee")),
    )
    op.create_table(
        "budget_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("track", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_budget_line_initiative_id_initiative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_line")),
        sa.UniqueConstraint("quarter", "initiative_id", name=op.f("uq_budget_line_quarter_initiative_id")),
    )
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_line_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_line_quarter"), ["quarter"], unique=False)

    op.create_table(
        "criteria_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_criteria_change_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_criteria_change_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_change")),
    )
    with op.batch_alter_table("criteria_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_criteria_change_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage_before", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stage_after", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("track_before", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("track_after", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_decision_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_decision_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
        sa.UniqueConstraint("session_id", "initiative_id", name=op.f("uq_decision_session_id_initiative_id")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_session_id"), ["session_id"], unique=False)

    op.create_table(
        "gate_check",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_gate_check_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["gate_template_item.id"], name=op.f("fk_gate_check_item_id_gate_template_item")
        ),
        sa.PrimaryKeyConstraint("initiative_id", "item_id", name=op.f("pk_gate_check")),
    )
    op.create_table(
        "intake",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("business_objective", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_group", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data_sensitivity", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("integration_scope", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("success_metric", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("exit_plan", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_intake_initiative_id_initiative")),
        sa.PrimaryKeyConstraint("initiative_id", name=op.f("pk_intake")),
    )
    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiative.id"], name=op.f("fk_score_initiative_id_initiative")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["person.id"], name=op.f("fk_score_reviewer_id_person")),
        sa.ForeignKeyConstraint(["session_id"], ["review_session.id"], name=op.f("fk_score_session_id_review_session")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score")),
        sa.UniqueConstraint(
            "session_id",
            "initiative_id",
            "reviewer_id",
            "criterion",
            name=op.f("uq_score_session_id_initiative_id_reviewer_id_criterion"),
        ),
    )
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_initiative_id"), ["initiative_id"], unique=False)

    op.create_table(
        "access_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("approve", sa.Boolean(), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_access_signature_person_id_person")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["access_request.id"], name=op.f("fk_access_signature_request_id_access_request")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_access_signature_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_signature")),
        sa.UniqueConstraint("request_id", "capacity", name=op.f("uq_access_signature_request_id_capacity")),
    )
    with op.batch_alter_table("access_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_signature_request_id"), ["request_id"], unique=False)

    op.create_table(
        "action_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"], name=op.f("fk_action_item_decision_id_decision")),
        sa.ForeignKeyConstraint(
            ["initiative_id"], ["initiative.id"], name=op.f("fk_action_item_initiative_id_initiative")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_action_item_owner_id_person")),
        sa.ForeignKeyConstraint(
            ["session_id"], ["review_session.id"], name=op.f("fk_action_item_session_id_review_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_item_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_item_session_id"))
        batch_op.drop_index(batch_op.f("ix_action_item_initiative_id"))

    op.drop_table("action_item")
    with op.batch_alter_table("access_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_signature_request_id"))

    op.drop_table("access_signature")
    with op.batch_alter_table("score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_initiative_id"))

    op.drop_table("score")
    op.drop_table("intake")
    op.drop_table("gate_check")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_session_id"))
        batch_op.drop_index(batch_op.f("ix_decision_initiative_id"))

    op.drop_table("decision")
    with op.batch_alter_table("criteria_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criteria_change_initiative_id"))

    op.drop_table("criteria_change")
    with op.batch_alter_table("budget_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_line_quarter"))
        batch_op.drop_index(batch_op.f("ix_budget_line_initiative_id"))

    op.drop_table("budget_line")
    op.drop_table("attendee")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_session_id"))
        batch_op.drop_index(batch_op.f("ix_agenda_item_initiative_id"))

    op.drop_table("agenda_item")
    with op.batch_alter_table("access_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_request_initiative_id"))

    op.drop_table("access_request")
    op.drop_table("review_session")
    with op.batch_alter_table("initiative", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiative_track"))
        batch_op.drop_index("ix_initiative_title")
        batch_op.drop_index("ix_initiative_stage_key")
        batch_op.drop_index(batch_op.f("ix_initiative_stage"))
        batch_op.drop_index("ix_initiative_quarterly_cost")
        batch_op.drop_index(batch_op.f("ix_initiative_owner_id"))
        batch_op.drop_index(batch_op.f("ix_initiative_current_gate"))
        batch_op.drop_index(batch_op.f("ix_initiative_category"))
        batch_op.drop_index(batch_op.f("ix_initiative_access_tier"))

    op.drop_table("initiative")
    op.drop_table("setting")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_board_role"))

    op.drop_table("person")
    with op.batch_alter_table("gate_template_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gate_template_item_gate"))

    op.drop_table("gate_template_item")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_undoes_id"))

    op.drop_table("audit_event")

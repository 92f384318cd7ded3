"""dispatch: officer history, one active assignment per officer, cases, holidays, random draws

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("officers", sa.Column("daily_cap", sa.Integer(), server_default="4",
                                        nullable=False))
    op.add_column("officers", sa.Column("version", sa.Integer(), server_default="1",
                                        nullable=False))
    op.create_table(
        "officer_history",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("officer_id", sa.Integer(), sa.ForeignKey("officers.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("county_adcode", sa.String(6), nullable=False, index=True),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("inspection_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    )
    # The database itself forbids double-booking: one active assignment per officer.
    op.create_index("uq_assignments_active_officer", "assignments", ["officer_id"], unique=True,
                    postgresql_where=sa.text("released_at IS NULL"))
    # An officer may return to an inspection after a release (reassign, re-open): only the
    # active pair is unique.
    op.drop_constraint("uq_assignment", "assignments", type_="unique")
    op.create_index("uq_assignments_active_pair", "assignments", ["inspection_id", "officer_id"],
                    unique=True, postgresql_where=sa.text("released_at IS NULL"))
    op.add_column("inspections", sa.Column("assigned_at", sa.DateTime(timezone=True)))
    op.add_column("inspections", sa.Column("closed_reason", sa.Text()))
    op.add_column("inspections", sa.Column("created_by", sa.String(64)))
    op.add_column("complaints", sa.Column("actionable", sa.Boolean(), server_default="true",
                                          nullable=False))
    op.add_column("complaints", sa.Column("not_actionable_reason", sa.Text()))
    op.create_table(
        "holidays",  # 法定节假日 and 调休 make-up working days
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.String(64), nullable=True),
        sa.CheckConstraint("kind IN ('holiday', 'workday')", name="ck_holidays_kind"),
    )
    op.create_table(
        "cases",  # 立案
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("inspection_id", sa.BigInteger(), sa.ForeignKey("inspections.id"),
                  nullable=True, index=True),
        sa.Column("employer_id", sa.BigInteger(), sa.ForeignKey("employers.id"), nullable=True),
        sa.Column("county_adcode", sa.String(6), nullable=False, index=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("extended", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("extension_approved_by", sa.String(64)),
        sa.Column("extension_reason", sa.Text()),
        sa.Column("outcome", sa.String(32)),
        sa.Column("closed_on", sa.Date()),
        sa.Column("supervised", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("supervised_note", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("outcome IS NULL OR outcome IN ('penalty', 'order_to_correct', "
                           "'withdrawn', 'transferred')", name="ck_cases_outcome"),
        sa.CheckConstraint("(outcome IS NULL) = (closed_on IS NULL)", name="ck_cases_closed"),
    )
    op.create_table(
        "random_draws",  # 双随机: reproducible from its seed, fully recorded
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("area_adcode", sa.String(6), nullable=False, index=True),
        sa.Column("check_item", sa.String(128), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("employer_pool", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("inspector_pool", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("result", postgresql.JSONB(), nullable=False),
        sa.Column("drawn_by", sa.String(64)),
        sa.Column("drawn_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
    )


def downgrade() -> None:
    op.drop_table("random_draws")
    op.drop_table("cases")
    op.drop_table("holidays")
    op.drop_column("complaints", "not_actionable_reason")
    op.drop_column("complaints", "actionable")
    op.drop_column("inspections", "created_by")
    op.drop_column("inspections", "closed_reason")
    op.drop_column("inspections", "assigned_at")
    op.drop_index("uq_assignments_active_pair", table_name="assignments")
    op.create_unique_constraint("uq_assignment", "assignments", ["inspection_id", "officer_id"])
    op.drop_index("uq_assignments_active_officer", table_name="assignments")
    op.drop_table("officer_history")
    op.drop_column("officers", "version")
    op.drop_column("officers", "daily_cap")

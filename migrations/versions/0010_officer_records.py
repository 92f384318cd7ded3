"""officers as records (issue 12): enforcement certificates with expiry and annual review,
active/deactivated, recusals with their source, training records and yearly assessments

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    for column in (sa.Column("certificate_no", sa.String(32), nullable=True),
                   sa.Column("certificate_issued_on", sa.Date(), nullable=True),
                   sa.Column("certificate_expires_on", sa.Date(), nullable=True),
                   sa.Column("certificate_reviewed_on", sa.Date(), nullable=True),
                   sa.Column("phone", sa.String(32), nullable=True),
                   sa.Column("active", sa.Boolean(), server_default=sa.text("true"),
                             nullable=False),
                   sa.Column("deactivated_at", TZ, nullable=True)):
        op.add_column("officers", column)
    op.create_unique_constraint(op.f("uq_officers_certificate_no"), "officers",
                                ["certificate_no"])
    op.create_check_constraint(
        op.f("ck_officers_certificate"), "officers",
        "certificate_expires_on IS NULL OR certificate_issued_on IS NULL "
        "OR certificate_expires_on > certificate_issued_on")
    op.add_column("recusals", sa.Column("source", sa.String(8), server_default="admin",
                                        nullable=False))
    op.add_column("recusals", sa.Column("created_by", sa.String(64), nullable=True))
    op.create_check_constraint(op.f("ck_recusals_source"), "recusals",
                               "source IN ('self', 'admin')")
    op.create_table(
        "officer_trainings",  # 培训
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(128), nullable=False),
        sa.Column("hours", sa.Numeric(5, 1), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("provider", sa.String(128), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("hours > 0 AND hours <= 1000", name=op.f("ck_officer_trainings_hours")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="CASCADE",
                                name=op.f("fk_officer_trainings_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_trainings")),
    )
    op.create_index(op.f("ix_officer_trainings_officer_id"), "officer_trainings", ["officer_id"])
    op.create_table(
        "officer_assessments",  # 评议考核
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figures", JSONB(), nullable=False),
        sa.Column("grade", sa.String(24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(64), nullable=True),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.CheckConstraint("grade IS NULL OR grade IN ('excellent', 'competent', "
                           "'basically_competent', 'incompetent')",
                           name=op.f("ck_officer_assessments_grade")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], ondelete="CASCADE",
                                name=op.f("fk_officer_assessments_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_assessments")),
        sa.UniqueConstraint("officer_id", "year", name="uq_officer_assessments_officer_year"),
    )
    op.create_index(op.f("ix_officer_assessments_officer_id"), "officer_assessments",
                    ["officer_id"])


def downgrade() -> None:
    op.drop_table("officer_assessments")
    op.drop_table("officer_trainings")
    op.drop_constraint(op.f("ck_recusals_source"), "recusals", type_="check")
    op.drop_column("recusals", "created_by")
    op.drop_column("recusals", "source")
    op.drop_constraint(op.f("ck_officers_certificate"), "officers", type_="check")
    op.drop_constraint(op.f("uq_officers_certificate_no"), "officers", type_="unique")
    for name in ("certificate_no", "certificate_issued_on", "certificate_expires_on",
                 "certificate_reviewed_on", "phone", "active", "deactivated_at"):
        op.drop_column("officers", name)

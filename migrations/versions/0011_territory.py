"""territory of users (issue 12): every user has an area (province, city or county) that
limits what they read and write; cross-county officer requests (跨区调用)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.alter_column("users", "county_adcode", new_column_name="area_adcode")
    op.execute("UPDATE users SET area_adcode = '410000' WHERE area_adcode IS NULL")
    op.alter_column("users", "area_adcode", nullable=False, server_default="410000")
    op.create_check_constraint(op.f("ck_users_area_adcode"), "users",
                               "area_adcode ~ '^[0-9]{6}$'")
    op.create_table(
        "officer_loans",  # 跨区调用
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("requesting_county", sa.String(6), nullable=False),
        sa.Column("lending_county", sa.String(6), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(12), server_default="requested", nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=True),
        sa.Column("requested_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("valid_until", TZ, nullable=True),
        sa.CheckConstraint("status IN ('requested', 'approved', 'refused', 'withdrawn')",
                           name=op.f("ck_officer_loans_status")),
        sa.CheckConstraint("requesting_county <> lending_county",
                           name=op.f("ck_officer_loans_different_counties")),
        sa.CheckConstraint("hours BETWEEN 1 AND 720", name=op.f("ck_officer_loans_hours")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_loans")),
    )
    op.create_index(op.f("ix_officer_loans_requesting_county"), "officer_loans",
                    ["requesting_county"])
    op.create_index(op.f("ix_officer_loans_lending_county"), "officer_loans",
                    ["lending_county"])


def downgrade() -> None:
    op.drop_table("officer_loans")
    op.drop_constraint(op.f("ck_users_area_adcode"), "users", type_="check")
    op.alter_column("users", "area_adcode", nullable=True, server_default=None)
    op.execute("UPDATE users SET area_adcode = NULL WHERE area_adcode = '410000'")
    op.alter_column("users", "area_adcode", new_column_name="county_adcode")

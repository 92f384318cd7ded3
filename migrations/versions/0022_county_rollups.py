"""county_rollups: each county's rolled-up KPI figures and the key they were computed for

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "county_rollups",
        sa.Column("county_adcode", sa.String(6), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("figures", postgresql.JSONB(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("county_rollups")

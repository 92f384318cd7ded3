"""grid planning (issue 3): placeholder kept empty until grid edits need schema changes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""casework lists at province scale: the complaint queue's order as an index (province and
per county), and inspections by complaint

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The order of GET /api/v1/complaints: undecided first, urgent first, nearest limit, newest.
QUEUE = ("(status NOT IN ('received', 'info_requested')), (priority <> 'urgent'), "
         "acceptance_due NULLS FIRST, id DESC")


def upgrade() -> None:
    op.create_index("ix_inspections_complaint_id", "inspections", ["complaint_id"])
    op.execute(f"CREATE INDEX ix_complaints_queue ON complaints ({QUEUE})")
    op.execute(f"CREATE INDEX ix_complaints_county_queue ON complaints (county_adcode, {QUEUE})")


def downgrade() -> None:
    op.execute("DROP INDEX ix_complaints_county_queue")
    op.execute("DROP INDEX ix_complaints_queue")
    op.drop_index("ix_inspections_complaint_id", table_name="inspections")

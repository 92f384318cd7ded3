"""inspections.closed_at: when an inspection was done or cancelled (the console's "done today")

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('inspections', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    # Closed before this column existed: the time of the audited close, where there is one.
    op.execute("""
        UPDATE inspections i SET closed_at = a.at
        FROM (SELECT entity_id::bigint AS id, max(at) AS at FROM audit_log
              WHERE entity = 'inspection' AND action IN ('complete', 'cancel')
                AND entity_id ~ '^[0-9]+$'
              GROUP BY entity_id) a
        WHERE a.id = i.id AND i.status IN ('done', 'cancelled')
    """)


def downgrade() -> None:
    op.drop_column('inspections', 'closed_at')

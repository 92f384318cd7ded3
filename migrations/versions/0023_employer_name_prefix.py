"""employers: a b-tree on the name in byte order, for one- and two-character searches

pg_trgm needs three characters, so "郑州" could only be matched by reading every employer.
A query that short now matches names that start with it (geo.employers.service.search_mode),
which this index serves as a range, in order, so LIMIT stops early.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute('CREATE INDEX ix_employers_name_prefix ON employers ((name COLLATE "C"))')


def downgrade() -> None:
    op.execute("DROP INDEX ix_employers_name_prefix")

"""attachments (issue 15): documents and photos beside a record, stored outside the web root

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('owner_kind', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'jpeg', 'png', 'docx', 'xlsx')", name=op.f('ck_attachments_kind')),
    sa.CheckConstraint("owner_kind IN ('referral', 'project', 'case', 'complaint', 'reward', 'audit', 'review')", name=op.f('ck_attachments_owner_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    op.create_index(op.f('ix_attachments_county_adcode'), 'attachments', ['county_adcode'], unique=False)
    op.create_index('ix_attachments_owner', 'attachments', ['owner_kind', 'owner_id'], unique=False)
    op.add_column('project_checks', sa.Column('attachment_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('project_checks', 'attachment_id')
    op.drop_table('attachments')

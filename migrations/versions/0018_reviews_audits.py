"""written review campaigns and submissions, entrusted audits (issue 15)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('review_campaigns',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('area_adcode', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('min_employees', sa.Integer(), nullable=False),
    sa.Column('industries', postgresql.ARRAY(sa.String(length=1)), server_default='{}', nullable=False),
    sa.Column('grades', postgresql.ARRAY(sa.String(length=8)), server_default='{}', nullable=False),
    sa.Column('employers', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_campaigns')),
    sa.UniqueConstraint('area_adcode', 'year', name=op.f('uq_review_campaigns_area_adcode'))
    )
    op.create_index(op.f('ix_review_campaigns_area_adcode'), 'review_campaigns', ['area_adcode'], unique=False)
    op.create_table('review_submissions',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('reviewed_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('findings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('inspection_id', sa.BigInteger(), nullable=True),
    sa.Column('case_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('pending', 'submitted', 'reviewed')", name=op.f('ck_review_submissions_status')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('ok', 'problems')", name=op.f('ck_review_submissions_outcome')),
    sa.ForeignKeyConstraint(['campaign_id'], ['review_campaigns.id'], name=op.f('fk_review_submissions_campaign_id_review_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_review_submissions_employer_id_employers')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_review_submissions_inspection_id_inspections'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_submissions')),
    sa.UniqueConstraint('campaign_id', 'employer_id', name=op.f('uq_review_submissions_campaign_id'))
    )
    op.create_index(op.f('ix_review_submissions_employer_id'), 'review_submissions', ['employer_id'], unique=False)
    op.create_index('ix_review_submissions_campaign', 'review_submissions', ['campaign_id', 'county_adcode', 'status'], unique=False)
    op.create_table('audits',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('employer_id', sa.BigInteger(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('firm', sa.String(length=200), nullable=False),
    sa.Column('scope', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('fee', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('commissioned_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), server_default='commissioned', nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('report_attachment_id', sa.BigInteger(), nullable=True),
    sa.Column('findings', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('inspection_id', sa.BigInteger(), nullable=True),
    sa.Column('case_id', sa.BigInteger(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('commissioned', 'reported')", name=op.f('ck_audits_status')),
    sa.CheckConstraint('period_to >= period_from AND due_on >= commissioned_on', name=op.f('ck_audits_dates')),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_audits_fee')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_audits_employer_id_employers')),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_audits_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audits'))
    )
    op.create_index(op.f('ix_audits_employer_id'), 'audits', ['employer_id'], unique=False)
    op.create_index(op.f('ix_audits_county_adcode'), 'audits', ['county_adcode'], unique=False)


def downgrade() -> None:
    op.drop_table('audits')
    op.drop_table('review_submissions')
    op.drop_table('review_campaigns')

"""tip rewards (issue 15): one reward per case begun by a complaint and penalised with a fine

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rewards',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=False),
    sa.Column('complaint_id', sa.BigInteger(), nullable=False),
    sa.Column('county_adcode', sa.String(length=6), nullable=False),
    sa.Column('fine_amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='proposed', nullable=False),
    sa.Column('proposed_by', sa.String(length=64), nullable=True),
    sa.Column('proposed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('refusal', sa.String(length=10), nullable=True),
    sa.Column('refusal_note', sa.Text(), nullable=True),
    sa.Column('pay_due_on', sa.Date(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('paid_by', sa.String(length=64), nullable=True),
    sa.Column('payment_reference', sa.String(length=64), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'refused', 'paid')", name=op.f('ck_rewards_status')),
    sa.CheckConstraint("refusal IS NULL OR refusal IN ('false_tip', 'not_first', 'other')", name=op.f('ck_rewards_refusal')),
    sa.CheckConstraint('amount > 0 AND fine_amount > 0', name=op.f('ck_rewards_amounts')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_rewards_case_id_cases')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_rewards_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rewards')),
    sa.UniqueConstraint('case_id', name=op.f('uq_rewards_case_id'))
    )
    op.create_index(op.f('ix_rewards_complaint_id'), 'rewards', ['complaint_id'], unique=False)
    op.create_index(op.f('ix_rewards_county_adcode'), 'rewards', ['county_adcode'], unique=False)
    op.create_index(op.f('ix_rewards_status'), 'rewards', ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('rewards')

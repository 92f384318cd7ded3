"""referrals (issue 15): direction, another jurisdiction, receipt deadline and receipt,
reminders, a police transfer's facts, closing

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('referrals', sa.Column('direction', sa.String(length=8), server_default='outgoing', nullable=False))
    op.add_column('referrals', sa.Column('target_area', sa.String(length=6), nullable=True))
    op.add_column('referrals', sa.Column('sent_on', sa.Date(), nullable=True))
    op.add_column('referrals', sa.Column('receipt_due_on', sa.Date(), nullable=True))
    op.add_column('referrals', sa.Column('received_on', sa.Date(), nullable=True))
    op.add_column('referrals', sa.Column('reminders', sa.Integer(), server_default='0', nullable=False))
    op.add_column('referrals', sa.Column('last_reminded_on', sa.Date(), nullable=True))
    op.add_column('referrals', sa.Column('facts', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column('referrals', sa.Column('closed_on', sa.Date(), nullable=True))
    op.create_check_constraint(op.f('ck_referrals_direction'), 'referrals', "direction IN ('outgoing', 'incoming')")
    op.create_index('ix_referrals_department', 'referrals', ['department', 'status'], unique=False)
    op.execute("UPDATE referrals SET sent_on = (created_at AT TIME ZONE 'Asia/Shanghai')::date")


def downgrade() -> None:
    op.drop_index('ix_referrals_department', table_name='referrals')
    op.drop_constraint(op.f('ck_referrals_direction'), 'referrals', type_='check')
    for column in ('closed_on', 'facts', 'last_reminded_on', 'reminders', 'received_on',
                   'receipt_due_on', 'sent_on', 'target_area', 'direction'):
        op.drop_column('referrals', column)

"""job_runs and scheduled_jobs: the scheduled jobs' runs and the scheduler's heartbeat

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("job", sa.String(40), nullable=False),
        sa.Column("trigger", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("attempt", sa.Integer(), server_default="1", nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("requested_by", sa.String(64)),
        sa.Column("worker", sa.String(80)),
        sa.Column("result", postgresql.JSONB()),
        sa.Column("error", sa.Text()),
        sa.CheckConstraint("trigger IN ('schedule', 'startup', 'manual', 'cli', 'retry')",
                           name=op.f("ck_job_runs_trigger_known")),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')",
                           name=op.f("ck_job_runs_status_known")),
    )
    op.create_index("ix_job_runs_job_id", "job_runs", ["job", "id"])
    op.create_index("uq_job_runs_queued", "job_runs", ["job"], unique=True,
                    postgresql_where=sa.text("status = 'queued'"))
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True)),
        sa.Column("seen_at", sa.DateTime(timezone=True)),
        sa.Column("seen_by", sa.String(80)),
    )


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.drop_table("job_runs")

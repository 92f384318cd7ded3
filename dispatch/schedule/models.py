"""Job runs (one row per attempt) and what the scheduler process last said about each job."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base, in_check

TRIGGERS = ("schedule", "startup", "manual", "cli", "retry")
STATUSES = ("queued", "running", "succeeded", "failed")


class JobRun(Base):
    """One attempt at a job. A manual request is a `queued` row until a scheduler claims it."""

    __tablename__ = "job_runs"
    __table_args__ = (
        CheckConstraint(in_check("trigger", TRIGGERS), name="trigger_known"),
        CheckConstraint(in_check("status", STATUSES), name="status_known"),
        Index("ix_job_runs_job_id", "job", "id"),
        # At most one waiting request per job: a second click is told it is already queued.
        Index("uq_job_runs_queued", "job", unique=True, postgresql_where=text("status = 'queued'")),
    )
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    attempt: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(80))
    result: Mapped[dict | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)


class ScheduledJob(Base):
    """The scheduler's view of a job: its next run, and when a scheduler was last alive."""

    __tablename__ = "scheduled_jobs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seen_by: Mapped[str | None] = mapped_column(String(80))

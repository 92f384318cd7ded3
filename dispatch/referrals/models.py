"""A referral (移交): out to a department or another jurisdiction, or in from one."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.projects.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

SOURCES = ("project", "case", "complaint", "incident")
STATUSES = ("sent", "received", "feedback", "closed")
DIRECTIONS = ("outgoing", "incoming")


class Referral(Base):
    """Outgoing: from a project (its warning), case, complaint or incident, due to be signed
    for by `receipt_due_on` and answered by `feedback_due_on`. Incoming: the complaint it
    became is its source."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(12))
    source_id: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    department: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    feedback_due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default="sent")
    feedback: Mapped[str | None] = mapped_column(Text)
    feedback_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    direction: Mapped[str] = mapped_column(String(8), server_default="outgoing")
    target_area: Mapped[str | None] = mapped_column(String(6))  # another jurisdiction
    sent_on: Mapped[date | None] = mapped_column(Date)           # Beijing date
    receipt_due_on: Mapped[date | None] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    reminders: Mapped[int] = mapped_column(Integer, server_default="0")
    last_reminded_on: Mapped[date | None] = mapped_column(Date)
    facts = mapped_column(JSONB)                                 # a police transfer's facts
    closed_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (
        CheckConstraint(in_check("source_kind", SOURCES), name="source_kind"),
        CheckConstraint(in_check("status", STATUSES), name="status"),
        CheckConstraint(in_check("direction", DIRECTIONS), name="direction"),
        Index("ix_referrals_source", "source_kind", "source_id"),
        Index("ix_referrals_department", "department", "status"),
    )

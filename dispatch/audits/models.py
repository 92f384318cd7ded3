"""One entrusted audit of an employer."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.inspections.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

SCOPES = ("wages", "social_insurance")
STATUSES = ("commissioned", "reported")
FINDINGS = ("unpaid_wages", "underpaid_wages", "unpaid_insurance", "other")


class Audit(Base):
    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    firm: Mapped[str] = mapped_column(String(200))
    scope: Mapped[list[str]] = mapped_column(ARRAY(String(20)))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    fee: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    commissioned_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), server_default="commissioned")
    reported_on: Mapped[date | None] = mapped_column(Date)
    report_attachment_id: Mapped[int | None] = mapped_column(BigInteger)
    findings = mapped_column(JSONB)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
    case_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __table_args__ = (
        CheckConstraint(in_check("status", STATUSES), name="status"),
        CheckConstraint("period_to >= period_from AND due_on >= commissioned_on", name="dates"),
        CheckConstraint("fee >= 0", name="fee"),
    )

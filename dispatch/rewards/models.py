"""The tip reward (举报奖励) of one case: proposed, approved or refused, paid."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.casework.models  # noqa: F401  (foreign-key targets)
from geo.core.db import Base, in_check

STATUSES = ("proposed", "approved", "refused", "paid")
REFUSALS = ("false_tip", "not_first", "other")  # 举报不实 / 非首次举报 / other


class Reward(Base):
    """One reward per case; the tipster is the complaint's (confidential) complainant."""

    __tablename__ = "rewards"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    fine_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default="proposed", index=True)
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refusal: Mapped[str | None] = mapped_column(String(10))
    refusal_note: Mapped[str | None] = mapped_column(Text)
    pay_due_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by: Mapped[str | None] = mapped_column(String(64))
    payment_reference: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __table_args__ = (
        CheckConstraint(in_check("status", STATUSES), name="status"),
        CheckConstraint("refusal IS NULL OR " + in_check("refusal", REFUSALS), name="refusal"),
        CheckConstraint("amount > 0 AND fine_amount > 0", name="amounts"),
    )

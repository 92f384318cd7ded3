"""A written-review campaign and one employer's submission to it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.inspections.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

# What an employer declares (人社部 书面审查 contents).
ITEMS = ("labour_contracts", "wage_payment", "minimum_wage", "working_hours",
         "social_insurance", "rest_leave", "special_protection", "labour_dispatch")
SUBMISSION_STATUSES = ("pending", "submitted", "reviewed")
OUTCOMES = ("ok", "problems")


class ReviewCampaign(Base):
    __tablename__ = "review_campaigns"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_adcode: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    min_employees: Mapped[int] = mapped_column(Integer)
    industries: Mapped[list[str]] = mapped_column(ARRAY(String(1)), server_default="{}")
    grades: Mapped[list[str]] = mapped_column(ARRAY(String(8)), server_default="{}")
    employers: Mapped[int] = mapped_column(Integer, server_default="0")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    __table_args__ = (UniqueConstraint("area_adcode", "year"),)


class ReviewSubmission(Base):
    __tablename__ = "review_submissions"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("review_campaigns.id",
                                                        ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    submitted_on: Mapped[date | None] = mapped_column(Date)
    items = mapped_column(JSONB)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(10))
    findings = mapped_column(JSONB)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id",
                                                                 ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    __table_args__ = (
        CheckConstraint(in_check("status", SUBMISSION_STATUSES), name="status"),
        CheckConstraint("outcome IS NULL OR " + in_check("outcome", OUTCOMES), name="outcome"),
        UniqueConstraint("campaign_id", "employer_id"),
        Index("ix_review_submissions_campaign", "campaign_id", "county_adcode", "status"),
    )

"""Public disclosure of major violations (重大劳动保障违法行为社会公布办法): lists per area
and period (county and city each quarter, the province each half-year) whose entries hold
exactly the fields the rule lists, drafted, approved, published; entries can be withdrawn."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.casework.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

# Art. 5 of the rule: the kinds of violation that are published.
CATEGORIES = ("wage_arrears", "social_insurance", "working_hours", "women_minors",
              "child_labour", "social_impact", "other")
LIST_STATUSES = ("draft", "approved", "published")
LEVELS = ("county", "city", "province")


class DisclosureList(Base):
    __tablename__ = "disclosure_lists"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_adcode: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8))  # 2026-Q3 (county, city) or 2026-H1
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), server_default="draft")
    drafted_by: Mapped[str | None] = mapped_column(String(64))
    drafted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        UniqueConstraint("area_adcode", "period", name="uq_disclosure_lists_area_period"),
        CheckConstraint(in_check("status", LIST_STATUSES), name="status"),
        CheckConstraint(in_check("level", LEVELS), name="level"),
    )


class DisclosureEntry(Base):
    """One published violation: the rule's fields only (Art. 6), nothing about the people
    who complained or the workers."""

    __tablename__ = "disclosure_entries"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disclosure_lists.id", ondelete="CASCADE"),
                                         index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(16))
    employer_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18))
    address: Mapped[str | None] = mapped_column(String(300))
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    facts: Mapped[str] = mapped_column(Text)      # 主要违法事实
    handling: Mapped[str] = mapped_column(Text)   # 相关处理情况
    added_by: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, server_default="0")
    __table_args__ = (
        UniqueConstraint("list_id", "case_id", name="uq_disclosure_entries_list_case"),
        CheckConstraint(in_check("category", CATEGORIES), name="category"),
    )

"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.inspections.models  # noqa: F401  (foreign-key target)
import geo.employers.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

COMPLAINT_CATEGORIES = ("wage_arrears", "no_contract", "overtime", "social_insurance",
                        "child_labour", "other")


class Complaint(Base):
    """A complaint or tip (举报投诉); the complainant's identity is confidential."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    category: Mapped[str] = mapped_column(String(32))
    workers_affected: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str | None] = mapped_column(Text)
    complainant_name: Mapped[str | None] = mapped_column(String(64))
    complainant_phone: Mapped[str | None] = mapped_column(String(32))
    actionable: Mapped[bool] = mapped_column(Boolean, server_default="true")
    not_actionable_reason: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="received")
    __table_args__ = (
        CheckConstraint(in_check("category", COMPLAINT_CATEGORIES), name="category"),
        CheckConstraint("workers_affected >= 1", name="workers"),
        CheckConstraint(
            "status IN ('received', 'accepted', 'refused', 'redirected', 'closed')", name="status"),
    )


class Case(Base):
    """A formal case (立案): 60 working days, extendable once by 30 with approval."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, server_default="false")
    extension_approved_by: Mapped[str | None] = mapped_column(String(64))
    extension_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_on: Mapped[date | None] = mapped_column(Date)
    supervised: Mapped[bool] = mapped_column(Boolean, server_default="false")  # 挂牌督办
    supervised_note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('penalty', 'order_to_correct', "
                        "'withdrawn', 'transferred')", name="ck_cases_outcome"),
        CheckConstraint("(outcome IS NULL) = (closed_on IS NULL)", name="ck_cases_closed"),
    )


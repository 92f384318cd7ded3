"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text,
    UniqueConstraint, func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from geo.db import Base
from geo.models import _in

OFFICER_KINDS = ("inspector", "grid_worker")  # 监察员 / 网格员
OFFICER_STATUSES = ("off_duty", "available", "assigned", "en_route", "on_site", "unavailable")
COMPLAINT_CATEGORIES = ("wage_arrears", "no_contract", "overtime", "social_insurance",
                        "child_labour", "other")
INSPECTION_KINDS = ("complaint", "scheduled", "random", "incident")
PRIORITIES = ("urgent", "high", "normal")
INSPECTION_STATUSES = ("pending", "assigned", "in_progress", "done", "cancelled")


class Officer(Base):
    """An inspector (监察员) or grid worker (网格员) with live status and position."""

    __tablename__ = "officers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    certified: Mapped[bool] = mapped_column(Boolean, default=False)  # holds 执法证
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"),
                                                index=True)
    status: Mapped[str] = mapped_column(String(16), default="off_duty")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    position_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list,
                                              server_default="{}")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(_in("kind", OFFICER_KINDS), name="kind"),
        CheckConstraint(_in("status", OFFICER_STATUSES), name="status"),
    )


class Recusal(Base):
    """An officer who must not act on an employer (回避)."""

    __tablename__ = "recusals"
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"),
                                             primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    acceptance_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="received")
    __table_args__ = (
        CheckConstraint(_in("category", COMPLAINT_CATEGORIES), name="category"),
        CheckConstraint("workers_affected >= 1", name="workers"),
        CheckConstraint(
            "status IN ('received', 'accepted', 'refused', 'redirected', 'closed')", name="status"),
    )


class Inspection(Base):
    """An inspection to carry out, from a complaint, schedule, random draw or incident."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __table_args__ = (
        CheckConstraint(_in("kind", INSPECTION_KINDS), name="kind"),
        CheckConstraint(_in("priority", PRIORITIES), name="priority"),
        CheckConstraint(_in("status", INSPECTION_STATUSES), name="status"),
    )


class Assignment(Base):
    """One officer on one inspection; at least two certified inspectors per inspection."""

    __tablename__ = "assignments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"),
                                               index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    release_reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("inspection_id", "officer_id", name="uq_assignment"),)

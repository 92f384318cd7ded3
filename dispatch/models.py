"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String,
    Text, func, text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
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
    daily_cap: Mapped[int] = mapped_column(Integer, server_default="4")  # inspections per day
    version: Mapped[int] = mapped_column(Integer, server_default="1")
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
    actionable: Mapped[bool] = mapped_column(Boolean, server_default="true")
    not_actionable_reason: Mapped[str | None] = mapped_column(Text)
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
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
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
    __table_args__ = (
        Index("uq_assignments_active_pair", "inspection_id", "officer_id", unique=True,
              postgresql_where=text("released_at IS NULL")),
        # The database itself forbids double-booking: one active assignment per officer.
        Index("uq_assignments_active_officer", "officer_id", unique=True,
              postgresql_where=text("released_at IS NULL")),
    )


class OfficerHistory(Base):
    """One row per officer status change."""

    __tablename__ = "officer_history"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    inspection_id: Mapped[int | None] = mapped_column(BigInteger)
    actor: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Holiday(Base):
    """A public holiday (法定节假日) or a make-up working day (调休) on a weekend."""

    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="ck_holidays_kind"),)


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


class RandomDraw(Base):
    """A 双随机 draw: seed, pools and result, so anyone can reproduce it."""

    __tablename__ = "random_draws"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_adcode: Mapped[str] = mapped_column(String(6), index=True)
    check_item: Mapped[str] = mapped_column(String(128))
    seed: Mapped[int] = mapped_column(BigInteger)
    share: Mapped[float] = mapped_column()
    employer_pool: Mapped[list[int]] = mapped_column(ARRAY(BigInteger))
    inspector_pool: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    result = mapped_column(JSONB, nullable=False)
    drawn_by: Mapped[str | None] = mapped_column(String(64))
    drawn_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

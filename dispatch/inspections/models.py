"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

import dispatch.casework.models  # noqa: F401  (foreign-key target)
import dispatch.officers.models  # noqa: F401  (foreign-key target)
import geo.employers.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

INSPECTION_KINDS = ("complaint", "scheduled", "random", "incident")


PRIORITIES = ("urgent", "high", "normal")


INSPECTION_STATUSES = ("pending", "assigned", "in_progress", "done", "cancelled")


class Inspection(Base):
    """An inspection to carry out, from a complaint, schedule, random draw or incident."""

    __tablename__ = "inspections"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # done or cancelled
    created_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # 双随机: the draw that created it, its check item and the inspectors it drew (who go).
    random_draw_id: Mapped[int | None] = mapped_column(ForeignKey("random_draws.id"), index=True)
    check_item: Mapped[str | None] = mapped_column(ForeignKey("check_items.code"))
    drawn_officer_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    team_override_reason: Mapped[str | None] = mapped_column(Text)
    team_override_by: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        CheckConstraint(in_check("kind", INSPECTION_KINDS), name="kind"),
        CheckConstraint(in_check("priority", PRIORITIES), name="priority"),
        CheckConstraint(in_check("status", INSPECTION_STATUSES), name="status"),
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


class CheckItem(Base):
    """A check item (检查事项) of the random-inspection list, with its legal basis."""

    __tablename__ = "check_items"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")


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


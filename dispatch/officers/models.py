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
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

import geo.accounts.models  # noqa: F401  (foreign-key target)
import geo.employers.models  # noqa: F401  (foreign-key target)
import geo.grids.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

OFFICER_KINDS = ("inspector", "grid_worker")  # 监察员 / 网格员


OFFICER_STATUSES = ("off_duty", "available", "assigned", "en_route", "on_site", "unavailable")


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
        CheckConstraint(in_check("kind", OFFICER_KINDS), name="kind"),
        CheckConstraint(in_check("status", OFFICER_STATUSES), name="status"),
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


"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base


class Holiday(Base):
    """A public holiday (法定节假日) or a make-up working day (调休) on a weekend."""

    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(64))
    # 'official': the State Council schedule as shipped; 'admin': entered or overridden here.
    source: Mapped[str] = mapped_column(String(8), server_default="official")
    updated_by: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'workday')", name="ck_holidays_kind"),
        CheckConstraint("source IN ('official', 'admin')", name="source"),
    )


class CalendarYear(Base):
    """A year whose official schedule is loaded; a year missing here counts weekdays only."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(8))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[str | None] = mapped_column(String(64))


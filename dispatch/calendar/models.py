"""Dispatch tables: officers, recusals, complaints, inspections, assignments."""
from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
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
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="ck_holidays_kind"),)


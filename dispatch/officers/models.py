"""Officers (inspectors and grid workers) with their certificates, recusals, training,
assessments and status history."""
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
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
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
    # 执法证: number, issue and expiry dates, last annual review (年审). A recorded date is
    # enforced (expired or review missed → not certified for assignment).
    certificate_no: Mapped[str | None] = mapped_column(String(32), unique=True)
    certificate_issued_on: Mapped[date | None] = mapped_column(Date)
    certificate_expires_on: Mapped[date | None] = mapped_column(Date)
    certificate_reviewed_on: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(in_check("kind", OFFICER_KINDS), name="kind"),
        CheckConstraint(in_check("status", OFFICER_STATUSES), name="status"),
        CheckConstraint("certificate_expires_on IS NULL OR certificate_issued_on IS NULL "
                        "OR certificate_expires_on > certificate_issued_on", name="certificate"),
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
    # Who recorded it: the inspector themself ('self') or an administrator ('admin').
    source: Mapped[str] = mapped_column(String(8), server_default="admin")
    created_by: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (CheckConstraint("source IN ('self', 'admin')", name="source"),)


ASSESSMENT_GRADES = ("excellent", "competent", "basically_competent", "incompetent")


class Training(Base):
    """A training record of an officer (培训): course, hours, date."""

    __tablename__ = "officer_trainings"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            index=True)
    course: Mapped[str] = mapped_column(String(128))
    hours = mapped_column(Numeric(5, 1), nullable=False)
    held_on: Mapped[date] = mapped_column(Date)
    provider: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 1000", name="hours"),)


class Assessment(Base):
    """The yearly assessment of an officer (评议考核): figures computed from the record, and a
    reviewer's grade."""

    __tablename__ = "officer_assessments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="CASCADE"),
                                            index=True)
    year: Mapped[int] = mapped_column(Integer)
    figures = mapped_column(JSONB, nullable=False)
    grade: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        UniqueConstraint("officer_id", "year", name="uq_officer_assessments_officer_year"),
        CheckConstraint(f"grade IS NULL OR {in_check('grade', ASSESSMENT_GRADES)}",
                        name="grade"),
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



LOAN_STATUSES = ("requested", "approved", "refused", "withdrawn")


class OfficerLoan(Base):
    """A cross-county request (跨区调用): a county asks to see and send another county's
    officers; the lending county approves or refuses it. While approved and not expired, the
    lending county's officers appear in the requesting county's recommendations and can be
    assigned there. Recorded, never deleted."""

    __tablename__ = "officer_loans"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    requesting_county: Mapped[str] = mapped_column(String(6), index=True)
    lending_county: Mapped[str] = mapped_column(String(6), index=True)
    reason: Mapped[str] = mapped_column(Text)
    hours: Mapped[int] = mapped_column(Integer)  # how long the approval lasts
    inspection_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="requested",
                                        server_default="requested")
    requested_by: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint(in_check("status", LOAN_STATUSES), name="status"),
        CheckConstraint("requesting_county <> lending_county", name="different_counties"),
        CheckConstraint("hours BETWEEN 1 AND 720", name="hours"),
    )

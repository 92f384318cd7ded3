"""Wage security on construction projects (保障农民工工资支付条例): projects and their sites,
the ten site systems checked in the field, the wage-deposit ledger (工资保证金), the owner's
monthly labour-cost transfers into the dedicated account, grid-worker reports, the early
warning of each project, and referrals to the competent department (部门移交)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import geo.employers.models  # noqa: F401  (foreign-key target)
import geo.grids.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

# 行业主管部门: housing & construction, transport, water, other.
DEPARTMENTS = ("housing", "transport", "water", "other")
STATUSES = ("planned", "building", "suspended", "completed")
# The ten site systems as Henan counties check them (十项制度), in the order of the form.
SITE_SYSTEMS = ("labour_contract", "labour_manager", "attendance", "wage_roster", "full_pay",
                "direct_pay", "wage_account", "deposit", "notice_board", "real_name")
# Deposit ledger: paid in, returned at completion, drawn to pay workers (动用), top-up demanded.
DEPOSIT_KINDS = ("paid", "returned", "drawn", "top_up_demanded")
DEPOSIT_FORMS = ("cash", "bank_guarantee", "insurance")
PAYMENT_SOURCES = ("manual", "bank_csv")
REPORT_KINDS = ("arrears_signs", "workers_gathering", "contractor_absent", "other")
WARNING_LEVELS = ("yellow", "orange", "red")


class Project(Base):
    """A construction project: its site, builders, contract, dates and deposit terms."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    site = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=True), nullable=False)
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
    source_crs: Mapped[str] = mapped_column(String(16), server_default="wgs84")
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"),
                                                index=True)
    department: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"), index=True)
    owner_name: Mapped[str | None] = mapped_column(String(200))  # 建设单位 not in the registry
    contractor_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    contract_value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    start_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    workers: Mapped[int] = mapped_column(Integer, server_default="0")
    status: Mapped[str] = mapped_column(String(12), server_default="building")
    deposit_rate: Mapped[Decimal] = mapped_column(Numeric(6, 5))
    deposit_rule: Mapped[str] = mapped_column(String(16))  # base / clean / arrears / manual
    deposit_required: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    deposit_exempt: Mapped[bool] = mapped_column(Boolean, server_default="false")
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("department", DEPARTMENTS), name="department"),
        CheckConstraint(in_check("status", STATUSES), name="status"),
        CheckConstraint("contract_value > 0", name="contract_value"),
        CheckConstraint("planned_end_on >= start_on", name="dates"),
        CheckConstraint("ST_GeometryType(site) IN ('ST_Point', 'ST_Polygon', "
                        "'ST_MultiPolygon')", name="site"),
    )


class ProjectSubcontractor(Base):
    __tablename__ = "project_subcontractors"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True,
                                             index=True)


class ProjectCheck(Base):
    """One item of the ten site systems as found on one visit (the history; the latest per
    item is the project's checklist)."""

    __tablename__ = "project_checks"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(16))
    ok: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    photo: Mapped[str | None] = mapped_column(String(80))  # file name under var/uploads
    attachment_id: Mapped[int | None] = mapped_column(BigInteger)  # the photo (geo.attachments)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    checked_on: Mapped[date] = mapped_column(Date)  # Beijing date
    checked_by: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("item", SITE_SYSTEMS), name="item"),
        Index("ix_project_checks_latest", "project_id", "item", "checked_at"),
    )


class ProjectDeposit(Base):
    """The wage-deposit ledger of a project (amounts in yuan, always positive)."""

    __tablename__ = "project_deposits"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    form: Mapped[str | None] = mapped_column(String(16))  # for paid
    workers_paid: Mapped[int | None] = mapped_column(Integer)  # for drawn
    on_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("kind", DEPOSIT_KINDS), name="kind"),
        CheckConstraint("form IS NULL OR " + in_check("form", DEPOSIT_FORMS), name="form"),
        CheckConstraint("amount > 0", name="amount"),
    )


class ProjectPayment(Base):
    """The owner's transfer of labour costs (人工费用) for a month into the wage account."""

    __tablename__ = "project_payments"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month paid for
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    paid_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(8), server_default="manual")
    reference: Mapped[str | None] = mapped_column(String(64))  # bank transaction id
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("source", PAYMENT_SOURCES), name="source"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("extract(day FROM month) = 1", name="month"),
        Index("ix_project_payments_project_month", "project_id", "month"),
        UniqueConstraint("project_id", "reference", name="uq_project_payments_reference"),
    )


class ProjectReport(Base):
    """A grid worker's or inspector's report of warning signs on a site (网格员上报)."""

    __tablename__ = "project_reports"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    reported_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str | None] = mapped_column(String(64))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
    __table_args__ = (CheckConstraint(in_check("kind", REPORT_KINDS), name="kind"),)


class ProjectWarning(Base):
    """A project's current early warning, recomputed set-wise (dispatch.projects.warnings);
    `red_since` starts the alert for the county's dispatchers until acknowledged."""

    __tablename__ = "project_warnings"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    level: Mapped[str | None] = mapped_column(String(8))
    reasons = mapped_column(JSONB, nullable=False)  # [{"code", "level", "params"}]
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # level unchanged since
    red_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (
        CheckConstraint("level IS NULL OR " + in_check("level", WARNING_LEVELS), name="level"),
    )

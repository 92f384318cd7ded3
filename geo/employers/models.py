"""Territory tables: admin areas, grids (+ history), employers; users and audit log.

Every large table carries `county_adcode`, the distribution key for sharding by
county (Citus); admin_areas is small and would be a reference table.
"""
from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

import geo.grids.models  # noqa: F401  (foreign-key target)
from geo.core.db import Base, in_check

GRADES = ("A", "B", "C")  # 守法诚信等级
UNRATED = "unrated"  # never graded: not A (DOMAIN.md); inspected as a setting says
EMPLOYER_GRADES = (*GRADES, UNRATED)


LOCATION_SOURCES = ("survey", "geocoded", "county_centroid")


# How close a location is known to be, best first; 'county' means a field visit is due.
LOCATION_PRECISIONS = ("point", "street", "town", "county")


SOURCE_CRS = ("wgs84", "cgcs2000", "gcj02", "bd09")


WAGE_DEPOSIT = ("not_required", "paid", "unpaid", "exempt")  # 农民工工资保证金


INDUSTRY_SECTIONS = tuple("ABCDEFGHIJKLMNOPQRST")  # GB/T 4754-2017 门类


# Indexes on expressions, created by their migration (0023) and not comparable with the
# models by Alembic: the byte-order name index for short searches.
EXPRESSION_INDEXES = ("ix_employers_name_prefix",)

class Employer(Base):
    """An employer (用人单位) with its location and compliance data."""

    __tablename__ = "employers"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200))
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    industry: Mapped[str | None] = mapped_column(String(1))  # GB/T 4754 section
    employees: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    migrant_workers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    grade: Mapped[str] = mapped_column(String(8), default=UNRATED, server_default=UNRATED)
    wage_deposit: Mapped[str] = mapped_column(String(16), default="not_required",
                                              server_default="not_required")
    geom = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    location_source: Mapped[str] = mapped_column(String(16))
    location_precision: Mapped[str] = mapped_column(String(16), default="point",
                                                    server_default="point")
    location_accuracy_m: Mapped[float | None] = mapped_column(Float)
    last_field_update_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_crs: Mapped[str] = mapped_column(String(16), default="wgs84", server_default="wgs84")
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id", ondelete="SET NULL"),
                                                index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    last_inspected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint(in_check("grade", EMPLOYER_GRADES), name="grade"),
        CheckConstraint(in_check("location_source", LOCATION_SOURCES), name="location_source"),
        CheckConstraint(in_check("source_crs", SOURCE_CRS), name="source_crs"),
        CheckConstraint(in_check("wage_deposit", WAGE_DEPOSIT), name="wage_deposit"),
        CheckConstraint(f"industry IS NULL OR {in_check('industry', INDUSTRY_SECTIONS)}",
                        name="industry"),
        CheckConstraint("employees >= 0 AND migrant_workers >= 0", name="counts"),
        CheckConstraint("credit_code_valid(credit_code)", name="credit_code_valid"),  # SQL fn: migration 0001
        CheckConstraint(in_check("location_precision", LOCATION_PRECISIONS), name="location_precision"),
        CheckConstraint("(location_source <> 'county_centroid' OR location_precision = 'county') "
                        "AND (location_source <> 'survey' OR location_precision = 'point')",
                        name="location_consistent"),
        Index("ix_employers_field_visit", "county_adcode",
              postgresql_where=text("location_precision = 'county'")),
        *(Index(f"ix_employers_{c}_trgm", c, postgresql_using="gin",
                postgresql_ops={c: "gin_trgm_ops"}) for c in ("name", "address", "credit_code")),
    )


class EmployerLocationHistory(Base):
    """One row per change of an employer's location: before, after, who and why."""

    __tablename__ = "employer_location_history"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"),
                                             index=True)
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    geom_before = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    geom_after = mapped_column(Geometry("POINT", srid=4326, spatial_index=True))
    source_before: Mapped[str | None] = mapped_column(String(16))
    source_after: Mapped[str] = mapped_column(String(16))
    precision_before: Mapped[str | None] = mapped_column(String(16))
    precision_after: Mapped[str] = mapped_column(String(16))
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    import_id: Mapped[int | None] = mapped_column(BigInteger)  # set when an import moved it
    changed_by: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EmployerImport(Base):
    """One import of an employer list: the file, the counts and every rejected row."""

    __tablename__ = "employer_imports"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    file_format: Mapped[str] = mapped_column(String(8))
    encoding: Mapped[str | None] = mapped_column(String(16))
    sheet: Mapped[str | None] = mapped_column(String(64))
    source_crs: Mapped[str] = mapped_column(String(16))
    columns = mapped_column(JSONB, nullable=False)  # field -> header it was read from
    header = mapped_column(JSONB, nullable=False)  # the file's header row, as read
    accepted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected_count: Mapped[int] = mapped_column(Integer)
    rejects = mapped_column(JSONB, nullable=False)  # [{"row", "reason", "values"}]
    imported_by: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now(), index=True)
    __table_args__ = (CheckConstraint("file_format IN ('csv', 'xlsx')", name="format"),)


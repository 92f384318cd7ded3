"""Derived data of the command centre: stored risk scores and cached hotspot results."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base

HOTSPOT_METRICS = ("risk", "complaints")
# Gi_Bin as in ArcGIS: +3/+2/+1 hot spot at 99/95/90 % confidence, 0 not significant, -1..-3 cold.
GI_BINS = {3: "hot_99", 2: "hot_95", 1: "hot_90", 0: "not_significant", -1: "cold_90",
           -2: "cold_95", -3: "cold_99"}


class EmployerRisk(Base):
    """An employer's stored risk score, its factor points and its H3 cell (res 10)."""

    __tablename__ = "employer_risk"
    # No foreign key: a derived table rebuilt per county (a deleted employer changes the
    # county's fingerprint, so its row goes at the next refresh), and a per-row FK check
    # would cost seconds on a province-wide refresh.
    employer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    county_adcode: Mapped[str] = mapped_column(String(6))
    score = mapped_column(Numeric(5, 2), nullable=False)
    level: Mapped[str | None] = mapped_column(String(8))
    # Points of each factor (geo.risk_config.FACTORS); they add up to `score`.
    p_grade = mapped_column(Numeric(5, 2), nullable=False)
    p_complaints = mapped_column(Numeric(5, 2), nullable=False)
    p_violations = mapped_column(Numeric(5, 2), nullable=False)
    p_wage_arrears = mapped_column(Numeric(5, 2), nullable=False)
    p_social_insurance = mapped_column(Numeric(5, 2), nullable=False)
    p_industry = mapped_column(Numeric(5, 2), nullable=False)
    p_migrants = mapped_column(Numeric(5, 2), nullable=False)
    p_inspection = mapped_column(Numeric(5, 2), nullable=False)
    h3: Mapped[int | None] = mapped_column(BigInteger)  # None when the employer has no location
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        CheckConstraint("level IS NULL OR level IN ('red', 'orange', 'yellow')", name="level"),
        # Only warned employers (a few %) are indexed: cheap to rebuild, and what lists read.
        Index("ix_employer_risk_warnings", "county_adcode", "score",
              postgresql_where=text("level IS NOT NULL")),
    )


class RiskInput(Base):
    """The input fingerprint a county's stored scores were computed from."""

    __tablename__ = "risk_inputs"
    county_adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HotspotResult(Base):
    """One cached Gi* run for (area, metric, H3 resolution) and the inputs it was computed on."""

    __tablename__ = "hotspot_results"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    area_adcode: Mapped[str] = mapped_column(String(6))
    metric: Mapped[str] = mapped_column(String(16))
    res: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    cells: Mapped[int] = mapped_column(Integer)
    cutoffs = mapped_column(JSONB, nullable=False)  # FDR p-value cut-off per confidence level
    elapsed_ms: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    __table_args__ = (
        UniqueConstraint("area_adcode", "metric", "res", name="uq_hotspot_results_key"),
        CheckConstraint("metric IN ('risk', 'complaints')", name="metric"),
    )


class HotspotCell(Base):
    """One H3 cell of a cached result: value, Gi* z-score, two-sided p and class."""

    __tablename__ = "hotspot_cells"
    result_id: Mapped[int] = mapped_column(
        ForeignKey("hotspot_results.id", ondelete="CASCADE"), primary_key=True)
    h3: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    employers: Mapped[int] = mapped_column(Integer)
    z: Mapped[float | None] = mapped_column(Float)
    p: Mapped[float | None] = mapped_column(Float)
    gi_bin: Mapped[int] = mapped_column(SmallInteger)
    __table_args__ = (CheckConstraint("gi_bin BETWEEN -3 AND 3", name="gi_bin"),)


class CountyRollup(Base):
    """A county's rolled-up KPI figures (dispatch.analytics.rollups) and the key they were
    computed for: the county's data versions, the day and the settings."""

    __tablename__ = "county_rollups"
    county_adcode: Mapped[str] = mapped_column(String(6), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    figures = mapped_column(JSONB, nullable=False)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

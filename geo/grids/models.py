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
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base


class Grid(Base):
    """A management grid (网格) inside one county."""

    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GridHistory(Base):
    """One row per grid version: who changed it, when, why, and the shape before/after."""

    __tablename__ = "grid_history"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grid_id: Mapped[int] = mapped_column(Integer, index=True)  # no FK: history outlives deletes
    county_adcode: Mapped[str] = mapped_column(String(6), index=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    geom_before = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    geom_after = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False))
    changed_by: Mapped[str | None] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (CheckConstraint("op IN ('create', 'update', 'delete')", name="op"),)


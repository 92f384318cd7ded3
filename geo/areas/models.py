"""Territory tables: admin areas, grids (+ history), employers; users and audit log.

Every large table carries `county_adcode`, the distribution key for sharding by
county (Citus); admin_areas is small and would be a reference table.
"""
from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    CheckConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from geo.core.db import Base, in_check

LEVELS = ("province", "city", "county")


class AdminArea(Base):
    """Province, city or county (行政区划), WGS 84.

    Keyed by (level, adcode): 济源 (419001) is both a prefecture-level unit and a
    county-level unit, with one row at each level. Other tables hold a county
    adcode without a foreign key; services check it against level 'county'.
    """

    __tablename__ = "admin_areas"
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    adcode: Mapped[str] = mapped_column(String(6), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(64))
    parent_adcode: Mapped[str | None] = mapped_column(String(6), index=True)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False)
    area_km2: Mapped[float] = mapped_column()
    __table_args__ = (
        CheckConstraint(in_check("level", LEVELS), name="level"),
        CheckConstraint("adcode ~ '^[0-9]{6}$'", name="adcode_format"),
    )


class AdminAreaAlias(Base):
    """Gazetteer: another name an address may use for a county (e.g. before a 区划调整)."""

    __tablename__ = "admin_area_aliases"
    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    adcode: Mapped[str] = mapped_column(String(6))
    note: Mapped[str | None] = mapped_column(Text)


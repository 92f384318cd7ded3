"""A project's site from a request or a file row: GeoJSON geometry in a named CRS → WGS 84,
checked to lie in Henan (swapped lat/lon named), with the county and grid it falls in."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import crs as china_crs
from geo.areas.service import require_point_in_henan
from geo.core.errors import InvalidInput, Unprocessable
from geo.core.text import Text
from geo.grids.planning.files import DECIMALS, FileCrs, parse_crs

KINDS = ("Point", "Polygon", "MultiPolygon")
MAX_VERTICES = 10_000


@dataclass(frozen=True)
class Site:
    geom: shapely.Geometry      # WGS 84
    point: shapely.Point        # on the site (a point on the polygon's surface)
    county_adcode: str
    grid_id: int | None
    crs: str


def to_wgs84(geom: shapely.Geometry, crs: FileCrs) -> shapely.Geometry:
    if crs.shift:
        return china_crs.transform_geometry(geom, lambda x, y: china_crs.to_wgs84(x, y, crs.shift))
    if crs.epsg.to_epsg() != 4326:
        return gpd.GeoSeries([geom], crs=crs.epsg).to_crs("EPSG:4326").values[0]
    return geom


def parse(value, crs_name: str | None) -> tuple[shapely.Geometry, FileCrs]:
    """A request's GeoJSON geometry object; 400/422 naming what is wrong."""
    crs = parse_crs(crs_name or "wgs84")
    if not isinstance(value, dict) or value.get("type") not in KINDS:
        raise InvalidInput(Text("error.project.site_kind", kinds=", ".join(KINDS)),
                           {"parameter": "site"})
    try:
        geom = shape(value)
    except Exception:  # noqa: BLE001 (any malformed coordinates are the caller's)
        raise InvalidInput(Text("error.project.site_malformed"), {"parameter": "site"}) from None
    return geom, crs


def place(session: Session, geom: shapely.Geometry, crs: FileCrs) -> Site:
    """The site in WGS 84 with its county (422 outside Henan or swapped) and grid."""
    if geom.is_empty or shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise Unprocessable(Text("error.project.site_malformed"), {"parameter": "site"})
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise Unprocessable(Text("error.project.site_malformed"), {"parameter": "site"})
    # GCJ-02/BD-09 leave points outside China unchanged, so swapped input stays swapped
    # and require_point_in_henan names it below.
    wgs = to_wgs84(geom, crs)
    wgs = shapely.transform(wgs, lambda c: np.round(c, DECIMALS))
    if not wgs.is_valid:
        raise Unprocessable(Text("error.project.site_invalid",
                                 reason=shapely.is_valid_reason(wgs)), {"parameter": "site"})
    point = wgs if wgs.geom_type == "Point" else wgs.representative_point()
    county = require_point_in_henan(session, float(point.x), float(point.y))
    grid = session.execute(text("""
        SELECT id FROM grids WHERE county_adcode = :c
          AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        ORDER BY id LIMIT 1
    """), {"c": county, "x": point.x, "y": point.y}).scalar()
    return Site(wgs, point, county, grid, crs.label)

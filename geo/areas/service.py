"""Admin areas and grids as GeoJSON FeatureCollections, built inside PostGIS."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text
from geo.grids import staffing
from geo.grids.staffing import StaffCounts

METRES_PER_DEGREE = 111_320.0  # display simplification only; never used for areas


def find_area(session: Session, adcode: str) -> dict:
    """The area with this adcode at its highest level (济源 resolves to the city), or 404."""
    row = session.execute(text("""
        SELECT adcode, name, level, parent_adcode FROM admin_areas WHERE adcode = :a
        ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END LIMIT 1
    """), {"a": adcode}).mappings().first()
    if row is None:
        raise NotFound(Text("error.area.not_found", adcode=adcode), {"adcode": adcode})
    return dict(row)


def county_adcodes(session: Session, adcode: str) -> list[str]:
    """Adcodes of the counties inside an area of any level (404 if unknown)."""
    area = find_area(session, adcode)
    if area["level"] == "province":
        sql = "SELECT adcode FROM admin_areas WHERE level = 'county'"
    elif area["level"] == "city":
        sql = "SELECT adcode FROM admin_areas WHERE level = 'county' AND parent_adcode = :a"
    else:
        sql = "SELECT adcode FROM admin_areas WHERE level = 'county' AND adcode = :a"
    return list(session.execute(text(sql), {"a": adcode}).scalars())


def areas_geojson(session: Session, level: str, parent: str | None = None,
                  simplify_m: float = 0.0, digits: int = 6) -> str:
    """Areas of one level as a FeatureCollection string, optionally simplified for display
    (`digits`: the coordinates' decimals)."""
    if parent is not None:
        find_area(session, parent)
    return session.execute(text("""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', coalesce(json_agg(json_build_object(
                'type', 'Feature',
                'id', adcode,
                'geometry', ST_AsGeoJSON(
                    CASE WHEN :tol > 0 THEN ST_SimplifyPreserveTopology(geom, :tol) ELSE geom END,
                    :digits)::json,
                'properties', json_build_object(
                    'adcode', adcode, 'name', name, 'level', level,
                    'parent_adcode', parent_adcode, 'area_km2', round(area_km2::numeric, 2))
            ) ORDER BY adcode), '[]'::json)
        )::text
        FROM admin_areas
        WHERE level = :level AND (CAST(:parent AS text) IS NULL OR parent_adcode = :parent)
    """), {"level": level, "parent": parent, "tol": simplify_m / METRES_PER_DEGREE,
           "digits": digits}).scalar_one()


GRID_PROPERTIES = {
    "all": "'id', g.id, 'code', g.code, 'name', g.name, 'county_adcode', g.county_adcode, "
           "'version', g.version, 'employer_count', coalesce(emp.n, 0), "
           "'staff_count', coalesce(staff.n, 0), 'updated_at', g.updated_at",
    # What a province overview colours and labels by: 7,500 grids at 1M employers.
    "brief": "'id', g.id, 'code', g.code, 'employer_count', coalesce(emp.n, 0), "
             "'staff_count', coalesce(staff.n, 0)",
}


def grids_geojson(session: Session, area: str, simplify_m: float = 0.0, digits: int = 6, *,
                  staff: StaffCounts, fields: str = "all") -> str:
    """Grids inside an area (county, city or province) with employer and staff counts.

    `digits` is the GeoJSON coordinate precision: 6 (~0.1 m) draws; an editor needs 15,
    the exact stored doubles, so that shared vertices stay identical. `staff` counts the
    staff of each grid (dispatch.officers.service.staff_per_grid). `fields`: every property,
    or "brief" (id, code and the counts) for an overview.
    """
    counties = county_adcodes(session, area)
    counts = staffing.staff_of(session, staff, staffing.county_grid_ids(session, counties))
    return session.execute(text(f"""
        WITH g AS (SELECT * FROM grids WHERE county_adcode = ANY(:counties)),
        emp AS (SELECT grid_id, count(*) AS n FROM employers
                WHERE grid_id IN (SELECT id FROM g) GROUP BY grid_id),
        {staffing.STAFF_CTE}
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', coalesce(json_agg(json_build_object(
                'type', 'Feature',
                'id', g.id,
                'geometry', ST_AsGeoJSON(
                    CASE WHEN :tol > 0 THEN ST_SimplifyPreserveTopology(g.geom, :tol)
                         ELSE g.geom END, :digits)::json,
                'properties', json_build_object({GRID_PROPERTIES[fields]})
            ) ORDER BY g.code), '[]'::json)
        )::text
        FROM g LEFT JOIN emp ON emp.grid_id = g.id LEFT JOIN staff ON staff.grid_id = g.id
    """), {"counties": counties, "tol": simplify_m / METRES_PER_DEGREE,
           "digits": digits, **staffing.sql_params(counts)}).scalar_one()


def counties_by_city(session: Session) -> list[dict]:
    """Every county with its city (adcode, name), ordered for a chooser grouped by city."""
    return [dict(r) for r in session.execute(text("""
        SELECT c.adcode, c.name, c.parent_adcode AS city_adcode,
               coalesce(p.name, c.name) AS city_name
        FROM admin_areas c
        LEFT JOIN admin_areas p ON p.level = 'city' AND p.adcode = c.parent_adcode
        WHERE c.level = 'county' ORDER BY c.parent_adcode, c.adcode
    """)).mappings()]


def bounds(session: Session, adcode: str) -> list[list[float]]:
    """[[south, west], [north, east]] of an area, for fitting a map."""
    find_area(session, adcode)
    box = session.execute(text("""
        SELECT ST_YMin(e), ST_XMin(e), ST_YMax(e), ST_XMax(e)
        FROM (SELECT ST_Extent(geom)::geometry AS e FROM admin_areas WHERE adcode = :a) s
    """), {"a": adcode}).one()
    return [[box[0], box[1]], [box[2], box[3]]]


def county_at(session: Session, lon: float, lat: float) -> str | None:
    """The adcode of the county containing the point, or None outside Henan."""
    return session.execute(text("""
        SELECT adcode FROM admin_areas
        WHERE level = 'county' AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        ORDER BY adcode LIMIT 1
    """), {"x": lon, "y": lat}).scalar()


def require_point_in_henan(session: Session, lon, lat) -> str:
    """Validate a WGS 84 lon/lat and return its county adcode; 422 with a hint otherwise."""
    from geo.core.errors import Unprocessable

    for name, value in (("lon", lon), ("lat", lat)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise InvalidInput(Text("error.value.not_number", name=name), {"parameter": name})
    lon, lat = float(lon), float(lat)
    in_range = -180 <= lon <= 180 and -90 <= lat <= 90
    county = county_at(session, lon, lat) if in_range else None
    if county is not None:
        return county
    if -90 <= lon <= 90 and county_at(session, lat, lon) is not None:
        raise Unprocessable(Text("error.position.swapped", lat=lat, lon=lon),
                            {"lon": lon, "lat": lat})
    if not in_range:
        raise Unprocessable(Text("error.position.out_of_range", lat=lat, lon=lon),
                            {"lon": lon, "lat": lat})
    raise Unprocessable(Text("error.position.outside_henan", lat=lat, lon=lon),
                        {"lon": lon, "lat": lat})


def location_in_henan(session: Session, location) -> tuple[float, float, str]:
    """A request's {"lat", "lon"} object, validated: (lon, lat, county adcode)."""
    if not isinstance(location, dict):
        raise InvalidInput(Text("error.position.not_object"),
                           {"parameter": "location"})
    lon, lat = location.get("lon"), location.get("lat")
    county = require_point_in_henan(session, lon, lat)
    return float(lon), float(lat), county

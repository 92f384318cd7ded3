"""The project layer of the command map as GeoJSON: at province and city level one point per
city or county (on its surface) with the projects counted by warning level; from county level
one point per project with its level. Reads the stored warnings only."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.areas.service import county_adcodes, find_area

AGGREGATE_SQL = """
SELECT a.adcode, a.name, ST_X(ST_PointOnSurface(a.geom)) AS lon,
       ST_Y(ST_PointOnSurface(a.geom)) AS lat, s.total, s.red, s.orange, s.yellow
FROM (
    SELECT {key} AS adcode, count(*) AS total,
           count(*) FILTER (WHERE w.level = 'red') AS red,
           count(*) FILTER (WHERE w.level = 'orange') AS orange,
           count(*) FILTER (WHERE w.level = 'yellow') AS yellow
    FROM projects p LEFT JOIN project_warnings w ON w.project_id = p.id
    WHERE p.county_adcode = ANY(:c) AND p.status <> 'completed'
    GROUP BY 1
) s JOIN admin_areas a ON a.adcode = s.adcode AND a.level = :child
ORDER BY a.adcode
"""


def geojson(session: Session, area: str) -> dict:
    found = find_area(session, area)
    counties = county_adcodes(session, area)
    if found["level"] in ("province", "city"):
        child = "city" if found["level"] == "province" else "county"
        key = "substr(p.county_adcode, 1, 4) || '00'" if child == "city" else "p.county_adcode"
        rows = session.execute(text(AGGREGATE_SQL.format(key=key)),
                               {"c": counties, "child": child}).mappings()
        features = [{"type": "Feature",
                     "geometry": {"type": "Point",
                                  "coordinates": [round(r["lon"], 5), round(r["lat"], 5)]},
                     "properties": {"adcode": r["adcode"], "name": r["name"],
                                    "total": r["total"], "red": r["red"], "orange": r["orange"],
                                    "yellow": r["yellow"]}} for r in rows]
        return {"type": "FeatureCollection", "aggregated": child, "features": features}
    rows = session.execute(text("""
        SELECT p.id, p.name, p.status, w.level, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat
        FROM projects p LEFT JOIN project_warnings w ON w.project_id = p.id
        WHERE p.county_adcode = ANY(:c) AND p.status <> 'completed' ORDER BY p.id LIMIT 20000
    """), {"c": counties}).mappings()
    return {"type": "FeatureCollection", "aggregated": None, "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [
            round(r["lon"], 6), round(r["lat"], 6)]},
         "properties": {"id": r["id"], "name": r["name"], "status": r["status"],
                        "level": r["level"]}} for r in rows]}

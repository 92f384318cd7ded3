"""Places on the command map: breadcrumb, bounds and children of an area or grid; grid search."""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.areas import service as areas
from geo.areas.territory import Territory, whole_province
from geo.core.errors import NotFound
from geo.core.text import Text

LEVELS = ("province", "city", "county", "grid")
BOUNDS = "json_build_array(json_build_array(ST_YMin({g}), ST_XMin({g})), " \
         "json_build_array(ST_YMax({g}), ST_XMax({g})))"


def place(session: Session, key: str) -> dict:
    """An adcode (province, city, county) or a grid code: its path from the province,
    its bounds and the places one level down (404 if unknown)."""
    if re.fullmatch(r"[0-9]{6}", key):
        return _area_place(session, key)
    grid = session.execute(text(f"""
        SELECT g.id, g.code, g.name, g.county_adcode, {BOUNDS.format(g='g.geom')} AS bounds
        FROM grids g WHERE g.code = :code
    """), {"code": key}).mappings().first()
    if grid is None:
        raise NotFound(Text("error.place.not_found", key=key), {"area": key})
    path = _path(session, grid["county_adcode"])
    path.append({"key": grid["code"], "name": grid["name"], "level": "grid", "id": grid["id"]})
    return {"key": grid["code"], "level": "grid", "name": grid["name"], "grid_id": grid["id"],
            "adcode": grid["county_adcode"], "bounds": grid["bounds"], "path": path,
            "children": []}


def _area_place(session: Session, adcode: str) -> dict:
    found = areas.find_area(session, adcode)
    if found["level"] == "county":
        children = session.execute(text("""
            SELECT code AS key, name, 'grid' AS level FROM grids
            WHERE county_adcode = :a ORDER BY code
        """), {"a": adcode}).mappings().all()
    else:
        child = "city" if found["level"] == "province" else "county"
        children = session.execute(text("""
            SELECT adcode AS key, name, level FROM admin_areas
            WHERE level = :child AND parent_adcode = :a ORDER BY adcode
        """), {"a": adcode, "child": child}).mappings().all()
    return {"key": adcode, "level": found["level"], "name": found["name"], "grid_id": None,
            "adcode": adcode, "bounds": areas.bounds(session, adcode),
            "path": _path(session, adcode), "children": [dict(c) for c in children]}


def _path(session: Session, adcode: str) -> list[dict]:
    """Province → city → county down to this area."""
    out = []
    current = areas.find_area(session, adcode)
    while True:
        out.append({"key": current["adcode"], "name": current["name"],
                    "level": current["level"]})
        if current["parent_adcode"] is None or current["level"] == "province":
            break
        parent_level = "province" if current["level"] == "city" else "city"
        row = session.execute(text("""
            SELECT adcode, name, level, parent_adcode FROM admin_areas
            WHERE adcode = :a AND level = :l
        """), {"a": current["parent_adcode"], "l": parent_level}).mappings().first()
        if row is None:
            break
        current = dict(row)
    return out[::-1]


def search_grids(session: Session, q: str, limit: int = 10,
                 territory: Territory | None = None) -> list[dict]:
    """Grids whose code or name contains `q`: exact code first, then code prefix, then name;
    only inside `territory` when given."""
    territory = territory or whole_province()
    q = " ".join(q.split())
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(text(f"""
        SELECT g.id, g.code, g.name, g.county_adcode, a.name AS county_name,
               ST_Y(ST_PointOnSurface(g.geom)) AS lat, ST_X(ST_PointOnSurface(g.geom)) AS lon,
               {BOUNDS.format(g='g.geom')} AS bounds
        FROM grids g
        LEFT JOIN admin_areas a ON a.level = 'county' AND a.adcode = g.county_adcode
        WHERE (g.code ILIKE :like OR g.name ILIKE :like) AND {territory.sql("g.county_adcode")}
        ORDER BY (upper(g.code) = upper(:q)) DESC, (g.code ILIKE :prefix) DESC, g.code
        LIMIT :limit
    """), {"q": q, "like": like, "prefix": like[1:], "limit": limit,
           **territory.params()}).mappings().all()
    return [dict(r) for r in rows]

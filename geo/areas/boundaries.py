"""Load the committed Henan boundaries (data/henan/*.geojson, WGS 84) into admin_areas."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.config import ROOT

DATA_DIR = ROOT / "data" / "henan"
FILES = ("province.geojson", "cities.geojson", "counties.geojson")  # parents before children


def read_features(data_dir: Path = DATA_DIR) -> list[dict]:
    """All boundary features, province first, then cities, then counties."""
    features = []
    for name in FILES:
        with open(data_dir / name, encoding="utf-8") as fh:
            features.extend(json.load(fh)["features"])
    return features


def load(session: Session, data_dir: Path = DATA_DIR) -> int:
    """Insert the boundaries unless already present; return the number of rows inserted."""
    present = session.execute(text("SELECT count(*) FROM admin_areas")).scalar_one()
    if present:
        return 0
    rows = [
        {
            "adcode": f["properties"]["adcode"],
            "name": f["properties"]["name"],
            "level": f["properties"]["level"],
            "parent": f["properties"]["parent_adcode"],
            "geom": json.dumps(f["geometry"]),
        }
        for f in read_features(data_dir)
    ]
    session.execute(
        text("""
            INSERT INTO admin_areas (adcode, name, level, parent_adcode, geom, area_km2)
            SELECT :adcode, :name, :level, :parent, g,
                   ST_Area(g::geography) / 1e6
            FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4326)) AS g) AS s
        """),
        rows,
    )
    return len(rows)

"""Auto-partition of 20,000 employers of one county into 100 grids, against k-means Voronoi.

Peer: what geo.demo.seed_grids does (Lloyd's k-means centres of the employers, Voronoi
cells clipped to the county in PostGIS with a fixed-precision overlay), on the same
employers in the same throwaway cluster. Both results are scored by the same
geo.proposal_report.assess: employers per grid (point in polygon in PostGIS),
Polsby-Popper and tiling against the county.
Run: .venv/bin/python -m bench.partition [EMPLOYERS] [GRIDS]
"""
from __future__ import annotations

import io
import sys
import time

import numpy as np
import shapely
from sqlalchemy import text

from bench.common import throwaway_database
from dispatch.officers.service import staff_per_grid
from geo import demo
from geo.core.db import unit_of_work
from geo.grids.planning import partition
from geo.grids.planning.report import assess


def biggest_county(session) -> demo.County:
    """The largest county that is one polygon (most boundary vertices to cut through)."""
    adcode = session.execute(text("""
        SELECT adcode FROM admin_areas WHERE level = 'county' AND ST_NumGeometries(geom) = 1
        ORDER BY area_km2 DESC LIMIT 1""")).scalar_one()
    return next(c for c in demo.read_counties(session) if c.adcode == adcode)


def load_employers(session, county: demo.County, n: int, rng) -> None:
    """n surveyed employers placed like the demo's (seat, towns, background), by COPY."""
    x, y = demo.sample_points(county, n, rng)
    codes = demo.unique_codes(county.adcode, n, rng)
    rows = "".join(f"{c}\t单位{i}\tSRID=4326;POINT({a:.7f} {b:.7f})\tsurvey\tpoint\t"
                   f"{county.adcode}\n" for i, (c, a, b) in enumerate(zip(codes, x, y)))
    cur = session.connection().connection.dbapi_connection.cursor()
    cur.copy_expert("COPY employers (credit_code, name, geom, location_source, "
                    "location_precision, county_adcode) FROM STDIN", io.StringIO(rows))
    session.execute(text("ANALYZE employers"))


def kmeans_voronoi(session, county: demo.County, x, y, k: int, rng) -> list[shapely.Geometry]:
    """The peer: seed_grids' method, returning the cells instead of inserting them."""
    centres = demo.kmeans_centres(x, y, k, rng)
    rows = session.execute(text("""
        WITH county AS (SELECT geom FROM admin_areas WHERE level = 'county' AND adcode = :a),
        cells AS (SELECT (ST_Dump(ST_VoronoiPolygons(ST_SetSRID(ST_GeomFromText(:seeds), 4326),
                          0, ST_Expand(county.geom, 0.1)))).geom AS cell FROM county)
        SELECT ST_AsBinary(ST_Multi(ST_CollectionExtract(
                   ST_Intersection(cells.cell, county.geom, 1e-9), 3)))
        FROM cells, county
    """), {"a": county.adcode, "seeds": shapely.MultiPoint(centres).wkt}).scalars().all()
    return [g for g in (shapely.from_wkb(bytes(w)) for w in rows) if not g.is_empty]


def line(label: str, seconds: float, report: dict) -> str:
    b, c, t = report["balance"], report["compactness"], report["tiling"]
    return (f"{label}: {seconds:.2f} s, {len(report['grids'])} grids, employers/grid "
            f"{b['min']}–{b['max']} (mean {b['mean']:.0f}, max deviation "
            f"{b['max_deviation_pct']:.1f} %), Polsby-Popper mean "
            f"{c['polsby_popper_mean']:.3f}, gap {t['gap_m2']:.2f} m², overlap "
            f"{t['overlap_m2']:.2f} m²")


def main(n: int = 20_000, grids: int = 100) -> None:
    with throwaway_database() as (url, sessions):
        with unit_of_work(sessions) as s:
            county = biggest_county(s)
            load_employers(s, county, n, np.random.default_rng(2026))
        print(f"county {county.adcode} {county.name}: {n} employers, {grids} grids")

        with unit_of_work(sessions) as s:
            started = time.perf_counter()
            x, y = partition.county_employers(s, county.adcode)
            ours = partition.partition(county.geom, x, y, grids)
            ours_s = time.perf_counter() - started
            ours_report = assess(s, county.adcode, [(str(i), g) for i, g in enumerate(ours)])

            started = time.perf_counter()
            x, y = partition.county_employers(s, county.adcode)
            peer = kmeans_voronoi(s, county, x, y, grids, np.random.default_rng(2026))
            peer_s = time.perf_counter() - started
            peer_report = assess(s, county.adcode, [(str(i), g) for i, g in enumerate(peer)])

            started = time.perf_counter()
            proposal = partition.propose_partition(s, county.adcode, grids=grids,
                                                   staff=staff_per_grid)
            full_s = time.perf_counter() - started
        print(line("ours (recursive bisection)", ours_s, ours_report))
        print(line("peer (k-means Voronoi)    ", peer_s, peer_report))
        print(f"whole proposal (partition, report, preview {proposal['preview_status']}): "
              f"{full_s:.2f} s")
        print(f"partition {n} employers into {grids} grids: ours {ours_s:.2f} s (max deviation "
              f"{ours_report['balance']['max_deviation_pct']:.1f} %, PP "
              f"{ours_report['compactness']['polsby_popper_mean']:.2f}), k-means Voronoi "
              f"{peer_s:.2f} s (max deviation {peer_report['balance']['max_deviation_pct']:.1f} %,"
              f" PP {peer_report['compactness']['polsby_popper_mean']:.2f}), time ratio "
              f"{ours_s / peer_s:.2f} (target < 10 s and every grid within ±15 %)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

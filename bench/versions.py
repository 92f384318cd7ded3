"""Data versions kept by the writes (geo.core.versions) against the scans they replace, on
the same database in one run:

- the tile cache's data version: the previous fingerprint (a scan of employers and of the
  stored risk scores) against the counters;
- the risk-input fingerprints of all 157 counties: the previous scan of employers,
  complaints and cases against the counters;
- a 304 for the province's grids layer: building the body to hash it (before) against the
  ETag from the counters;
- what the triggers cost a bulk write: 10,000 employer updates with the triggers enabled
  against the same statement with them disabled (rolled back);
- the KPI panel per level: every rolled-up county recounted in the request (as before the
  rollups; the stored rows deleted in a rolled-back transaction) against the stored rows;
- cached employer tiles, 28 requests at once through the running app (the browser's burst).

Run against the demo (make run): .venv/bin/python -m bench.versions [BASE_URL]
"""
from __future__ import annotations

import hashlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import text

from bench.common import p50_p95, timed
from bench.ogc import token

# The fingerprints as they were before migration 0021 (the peers).
OLD_TILE_VERSION = [
    "SELECT count(*)::text || ':' || coalesce(sum(id), 0)::text || ':' "
    "|| coalesce(sum(xmin::text::bigint), 0)::text FROM employers",
    "SELECT count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text "
    "FROM employer_risk"]
OLD_INPUTS = """
WITH em AS (SELECT county_adcode, count(*) AS n, max(updated_at) AS m,
                   sum(xmin::text::bigint) AS x
            FROM employers WHERE county_adcode = ANY(:c) GROUP BY county_adcode),
co AS (SELECT county_adcode, count(*) AS n, max(id) AS m, sum(xmin::text::bigint) AS x
       FROM complaints WHERE county_adcode = ANY(:c) GROUP BY county_adcode),
ca AS (SELECT county_adcode, count(*) AS n, max(id) AS m, sum(xmin::text::bigint) AS x
       FROM cases WHERE county_adcode = ANY(:c) GROUP BY county_adcode)
SELECT k.c, concat_ws('|', em.n, em.m, em.x, co.n, co.m, co.x, ca.n, ca.m, ca.x)
FROM unnest(CAST(:c AS text[])) AS k(c)
LEFT JOIN em ON em.county_adcode = k.c LEFT JOIN co ON co.county_adcode = k.c
LEFT JOIN ca ON ca.county_adcode = k.c
"""


def line(what: str, before: list[float], after: list[float]) -> None:
    (b50, b95), (a50, a95) = p50_p95(before), p50_p95(after)
    print(f"{what:44s} before {b50:8.2f}/{b95:<8.2f} after {a50:8.2f}/{a95:<8.2f} ms "
          f"(p50/p95; {b50 / max(a50, 1e-3):6.0f}x)")


def in_process(url: str, repeat: int = 20) -> None:
    from dispatch.analytics import inputs
    from dispatch.officers import service as officers
    from geo.areas import service as areas
    from geo.core import versions
    from geo.core.db import make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(url))
    with sessions() as s:
        n = s.execute(text("SELECT count(*) FROM employers")).scalar()
        print(f"{n:,} employers")
        counties = areas.county_adcodes(s, "410000")
        line("tile data version", timed(lambda: [s.execute(text(q)).scalar() for q in
                                                 OLD_TILE_VERSION], repeat),
             timed(lambda: versions.current(s, ("employers", "employer_risk")), repeat))
        line(f"risk-input fingerprints, {len(counties)} counties",
             timed(lambda: s.execute(text(OLD_INPUTS), {"c": counties}).all(), repeat),
             timed(lambda: inputs.county_fingerprints(s, counties), repeat))
        line("province grids: what a 304 costs",
             timed(lambda: hashlib.sha1(areas.grids_geojson(
                 s, "410000", 60, staff=officers.staff_per_grid).encode()).hexdigest(), 5),
             timed(lambda: versions.current(s, ("grids", "employers", "officer_grids"),
                                            counties), repeat))
        ids = s.execute(text("SELECT id FROM employers ORDER BY id LIMIT 10000")).scalars().all()

        def update(enabled: bool):
            def run():
                if not enabled:
                    s.execute(text("ALTER TABLE employers DISABLE TRIGGER USER"))
                s.execute(text("UPDATE employers SET employees = employees WHERE id = ANY(:i)"),
                          {"i": ids})
                s.rollback()
            return run

        line("10,000 employer updates (triggers off → on)", timed(update(False), 5),
             timed(update(True), 5))
        s.rollback()
        kpi_levels(s, repeat)


def kpi_levels(s, repeat: int) -> None:
    from dispatch.analytics import kpis
    from dispatch.analytics.settings import RiskSettings
    from dispatch.calendar.service import WorkingCalendar
    from dispatch.settings import DispatchSettings
    from geo.core import clock

    for level, area in (("province", "410000"), ("city", "410100"), ("county", "410102")):
        ctx = kpis.context(s, area, today=clock.today(), settings=DispatchSettings(),
                           risk_settings=RiskSettings(), calendar=WorkingCalendar.load(s))

        def recounted(ctx=ctx):
            s.execute(text("DELETE FROM county_rollups"))
            kpis.figures(s, ctx)
            s.rollback()

        line(f"KPI panel, {level}", timed(recounted, 5),
             timed(lambda ctx=ctx: kpis.figures(s, ctx), repeat))


def burst(base: str, rounds: int = 10) -> None:
    """28 cached tiles at once (z12 around Zhengzhou), as a browser asks for them."""
    headers = {"Authorization": f"Bearer {token(base)}"}
    tiles = [(12, x, y) for x in range(3338, 3345) for y in range(1624, 1628)]
    http = requests.Session()
    for z, x, y in tiles:  # fill the cache
        http.get(f"{base}/api/v1/tiles/employers/{z}/{x}/{y}.pbf", headers=headers, timeout=60)

    def one(t):
        start = time.perf_counter()
        r = requests.get(f"{base}/api/v1/tiles/employers/{t[0]}/{t[1]}/{t[2]}.pbf",
                         headers=headers, timeout=60)
        return (time.perf_counter() - start) * 1000, r.headers.get("X-Tile-Cache")

    ms, hits = [], 0
    with ThreadPoolExecutor(len(tiles)) as pool:
        for _ in range(rounds):
            for took, cache in pool.map(one, tiles):
                ms.append(took)
                hits += cache == "hit"
    p50, p95 = p50_p95(ms)
    print(f"cached tiles, {len(tiles)} at once × {rounds}: p50 {p50:.1f} ms  p95 {p95:.1f} ms "
          f"({hits}/{len(ms)} from the cache)")


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    from geo.core import embedded
    from geo.core.config import VAR
    in_process(embedded.Cluster(VAR / "postgres").url)
    burst(base)

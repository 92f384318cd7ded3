"""Hotspots (Gi* over H3 cells) for the whole province with 1M employers, against esda direct.

Ours: hotspots.get for Henan at res 8 with fresh risk scores and a stale hotspot cache —
input fingerprints, per-cell aggregation in PostgreSQL, H3 neighbours, esda.G_Local on a
libpysal Graph, FDR classes, and the cells written to the cache. Then the cached call.
Peer: esda.G_Local called directly on the same values with a classic libpysal W built
from the same grid_disk neighbour dict. The z-scores must agree to 1e-9.
Run: .venv/bin/python -m bench.hotspots [N] [existing DATABASE_URL to skip seeding]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from esda import G_Local
from h3.api import basic_int as h3
from libpysal.weights import W
from sqlalchemy import text

from dispatch.analytics import hotspots, risk
from dispatch.analytics.settings import RiskSettings
from dispatch.demo import seed_demo
from geo.areas import boundaries
from geo.areas.service import county_adcodes
from geo.core import migrate
from geo.core.db import make_engine, make_sessionmaker, unit_of_work
from geo.core.embedded import Cluster

SETTINGS = RiskSettings()


def run(sessions, res: int = 8) -> str:
    with unit_of_work(sessions) as s:
        counties = county_adcodes(s, "410000")
        n = s.execute(text("SELECT count(*) FROM employers")).scalar_one()
        s.execute(text("DELETE FROM risk_inputs"))  # measure the full (daily) refresh
        t = time.perf_counter()
        risk.refresh(s, counties, SETTINGS)
        refresh_s = time.perf_counter() - t
    print(f"risk scores of {n} employers stored in {refresh_s:.1f} s (once a day, or when "
          "a county's inputs change)")
    lines, ours = [], {}
    for metric in ("complaints", "risk"):
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM hotspot_results WHERE area_adcode = '410000'"))
        with unit_of_work(sessions) as s:
            t = time.perf_counter()
            result = hotspots.get(s, area="410000", metric=metric, res=res, settings=SETTINGS)
            cold = time.perf_counter() - t
        with unit_of_work(sessions) as s:
            t = time.perf_counter()
            again = hotspots.get(s, area="410000", metric=metric, res=res, settings=SETTINGS)
            warm = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            significant = hotspots.geojson(s, again, significant_only=True)
            render = (time.perf_counter() - t) * 1000
        assert again.reused and again.id == result.id
        ours[metric] = (result, cold, warm)
        lines.append(f"{metric}: {result.cells} cells, cold {cold:.2f} s (Gi* part "
                     f"{result.elapsed_ms / 1000:.2f} s), cached {warm:.0f} ms, significant "
                     f"cells as GeoJSON {len(significant) / 1e6:.2f} MB in {render:.0f} ms")
    result, cold, warm = ours["risk"]
    with unit_of_work(sessions) as s:
        rows = s.execute(text("SELECT h3, value, z FROM hotspot_cells WHERE result_id = :r "
                              "ORDER BY h3"), {"r": result.id}).all()
    cells = [r[0] for r in rows]
    y = np.array([r[1] for r in rows])
    ours_z = np.array([np.nan if r[2] is None else r[2] for r in rows])
    t = time.perf_counter()
    index = {c: i for i, c in enumerate(cells)}
    weights = W({i: [index[d] for d in h3.grid_disk(c, 1) if d in index]
                 for i, c in enumerate(cells)}, silence_warnings=True)
    build = time.perf_counter() - t
    t = time.perf_counter()
    peer = G_Local(y, weights, transform="B", permutations=0, star=True)
    peer_s = time.perf_counter() - t
    diff = float(np.nanmax(np.abs(ours_z - peer.Zs)))
    for line in lines:
        print(line)
    print(f"peer: W from the neighbour dict {build:.2f} s, esda.G_Local on it {peer_s:.2f} s")
    return (f"hotspots over {n} employers (risk, res {res}, {len(cells)} cells): ours "
            f"{cold:.2f} s end to end (target <= 5 s), cached {warm:.0f} ms; esda.G_Local "
            f"direct {peer_s:.2f} s (+{build:.2f} s for W), ratio {cold / peer_s:.2f} "
            f"(lower is better); max |dz| {diff:.1e} (must be <= 1e-9)")


def main(n: int, url: str | None = None) -> None:
    cluster = None
    if url is None:
        cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
        url = cluster.ensure_running()
    try:
        migrate.upgrade(url)
        sessions = make_sessionmaker(make_engine(url))
        if cluster is not None:
            with unit_of_work(sessions) as s:
                boundaries.load(s)
            t = time.perf_counter()
            with unit_of_work(sessions) as s:
                seed_demo(s, employers=n, seed=2026)
            print(f"seeded {n} employers in {time.perf_counter() - t:.0f} s")
        print(run(sessions))
    finally:
        if cluster is not None:
            cluster.destroy()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000,
         sys.argv[2] if len(sys.argv) > 2 else None)

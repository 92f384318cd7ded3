"""Importing employer lists: rows per second, against geopandas.to_postgis of the same rows.

A throwaway cluster gets the Henan boundaries and a demo territory (grids), then
imports N generated rows whose coordinates are GCJ-02 and N rows with an
address only, each as one CSV file through geo.employer_import (decode, map
columns, validate, convert or geocode, stage, upsert, assign grids, store the
import), then re-imports the first file (every row unchanged).
Peer: pandas.read_csv of the coordinate file + GeoDataFrame.to_postgis into a
scratch table: parsing and loading only, no validation, geocoding or upsert.
Run: .venv/bin/python -m bench.employer_import [N]
"""
from __future__ import annotations

import csv
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from dispatch.demo import seed_demo
from geo import crs, demo
from geo.areas import boundaries
from geo.core import migrate
from geo.core.db import make_engine, make_sessionmaker, unit_of_work
from geo.core.embedded import Cluster
from geo.employers.imports.service import import_employers

HEADER = ["单位名称", "统一社会信用代码", "法定代表人", "经营地址", "经度", "纬度", "行业",
          "从业人数", "联系电话"]
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "C", "E", "餐饮", "物流", "劳务派遣"]


def generate(session, n: int, seed: int, with_coordinates: bool) -> bytes:
    """A UTF-8 CSV of n new employers spread over Henan's counties like the demo data."""
    rng = np.random.default_rng(seed)
    counties = demo.read_counties(session)
    counts = rng.multinomial(n, demo.county_weights(counties))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for county, k in zip(counties, counts):
        if not k:
            continue
        x, y = demo.sample_points(county, int(k), rng)
        gx, gy = crs.from_wgs84(x, y, "gcj02")
        codes = demo.unique_codes(county.adcode, int(k), rng)
        people = demo._names(rng, int(k))
        roads = rng.integers(0, len(demo.ROADS), int(k))
        for i in range(int(k)):
            address = f"河南省{county.city}{county.name}{demo.ROADS[roads[i]]}{i % 400 + 1}号"
            writer.writerow([
                f"{county.name}{demo.WORDS[i % len(demo.WORDS)]}{i}有限公司", codes[i], people[i],
                address, f"{gx[i]:.6f}" if with_coordinates else "",
                f"{gy[i]:.6f}" if with_coordinates else "", INDUSTRIES[i % len(INDUSTRIES)],
                int(rng.integers(1, 500)), f"13{int(rng.integers(0, 10**9)):09d}"])
    return out.getvalue().encode("utf-8")


def timed_import(sessions, data: bytes, label: str) -> tuple[float, object]:
    started = time.perf_counter()
    with unit_of_work(sessions) as s:
        result = import_employers(s, data, filename=f"{label}.csv", source_crs="gcj02",
                                  actor="bench")
    return time.perf_counter() - started, result


def peer(engine, data: bytes) -> float:
    """pandas + geopandas: read the same CSV, build points, to_postgis into a scratch table."""
    import geopandas as gpd
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(io.BytesIO(data), dtype={"统一社会信用代码": str, "联系电话": str})
    x, y = crs.to_wgs84(frame["经度"].to_numpy(), frame["纬度"].to_numpy(), "gcj02")
    gdf = gpd.GeoDataFrame(frame.drop(columns=["经度", "纬度"]),
                           geometry=gpd.points_from_xy(x, y), crs=4326)
    gdf.to_postgis("peer_employers", engine, if_exists="replace")
    return time.perf_counter() - started


def main(n: int) -> None:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
    try:
        url = cluster.ensure_running()
        migrate.upgrade(url)
        engine = make_engine(url)
        sessions = make_sessionmaker(engine)
        with unit_of_work(sessions) as s:
            boundaries.load(s)
            seed_demo(s, employers=100_000, seed=2026)
        with sessions() as s:
            coords = generate(s, n, 1, with_coordinates=True)
            addresses = generate(s, n, 2, with_coordinates=False)
        runs = {}
        for label, data in (("coordinates", coords), ("addresses", addresses)):
            seconds, result = timed_import(sessions, data, label)
            runs[label] = n / seconds
            print(f"import {n} rows with {label}: {seconds:.1f} s, {n / seconds:,.0f} rows/s "
                  f"(accepted {result.accepted}, updated {result.updated}, "
                  f"rejected {len(result.rejected)}, located {result.located})")
        seconds, result = timed_import(sessions, coords, "again")
        print(f"re-import of the coordinate file: {seconds:.1f} s, {n / seconds:,.0f} rows/s "
              f"(accepted {result.accepted}, updated {result.updated}, "
              f"unchanged {result.unchanged})")
        peer_rate = n / peer(engine, coords)
        print(f"geopandas to_postgis of the coordinate file: {peer_rate:,.0f} rows/s")
        print(f"employer import: ours {runs['coordinates']:,.0f} rows/s with coordinates, "
              f"{runs['addresses']:,.0f} rows/s addresses only; geopandas.to_postgis "
              f"{peer_rate:,.0f} rows/s; ratio {runs['coordinates'] / peer_rate:.2f} / "
              f"{runs['addresses'] / peer_rate:.2f} (higher is better)")
        engine.dispose()
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

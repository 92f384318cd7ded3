"""Seeding N employers (default 1,000,000) in a throwaway cluster, against a bare COPY.

Peer: COPY of N bare points (id, county, geometry) generated with numpy into an
unindexed table in the same cluster: the floor for moving that many rows into
PostGIS. Ours also generates names, codes and attributes, builds grids in PostGIS,
assigns every employer to its grid and indexes everything.
Run: .venv/bin/python -m bench.seed [N]
"""
from __future__ import annotations

import io
import sys
import time

import numpy as np

from bench.common import throwaway_database
from dispatch.demo import seed_demo
from geo.core.db import unit_of_work


def main(n: int) -> None:
    with throwaway_database() as (url, sessions):
        started = time.perf_counter()
        with unit_of_work(sessions) as s:
            result = seed_demo(s, employers=n, seed=2026)
        ours = time.perf_counter() - started
        print(f"seed: {result} in {ours:.1f} s")

        rng = np.random.default_rng(1)
        x, y = rng.uniform(110.4, 116.6, n), rng.uniform(31.4, 36.3, n)
        started = time.perf_counter()
        with unit_of_work(sessions) as s:
            cur = s.connection().connection.dbapi_connection.cursor()
            cur.execute("CREATE TABLE bare (id bigint, county text, geom geometry(Point, 4326))")
            buf = io.StringIO("".join(f"{i}\t410102\tSRID=4326;POINT({a:.7f} {b:.7f})\n"
                                      for i, (a, b) in enumerate(zip(x, y))))
            cur.copy_expert("COPY bare FROM STDIN", buf)
        peer = time.perf_counter() - started
        print(f"seed {n} employers: ours {ours:.1f} s, bare COPY of {n} points {peer:.1f} s, "
              f"ratio {ours / peer:.1f} (lower is better; target < 180 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

"""Employer vector tiles, z 6–14: ours (gunicorn, cold and cached) against TiPg, same run.

Peer: TiPg (PyPI `tipg`) under uvicorn, serving the same `employers` table from the
same database, asked for the same properties (id, name, grade) and the same tiles.
TiPg ships up to 10,000 raw points per tile (its default cap); ours ships counts per
cell below the points zoom or when a tile is dense. Ours is measured cold (first
request of each tile: rendered, then written to the cache) and cached (the same tiles
again). Both answer uncompressed (Accept-Encoding: identity).
Run: .venv/bin/python -m bench.tiles [N employers, default 1,000,000] [--database-url URL]
(with --database-url, an already seeded database is used instead of a new cluster).
"""
from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests

from bench.common import SECRET, free_port, p50_p95
from geo.core.config import ROOT

ZOOMS = range(6, 15)
PER_ZOOM = 12
HENAN = (110.35, 31.38, 116.65, 36.37)
PASSWORD = "bench-password-not-secret"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    return (int((lon + 180) / 360 * n),
            int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n))


def sample_tiles(sessions) -> list[tuple[int, int, int]]:
    """PER_ZOOM distinct tiles per zoom around randomly drawn employers (deterministic)."""
    from sqlalchemy import text
    with sessions() as s:
        n = s.execute(text("SELECT max(id) FROM employers")).scalar_one()
        rng = np.random.default_rng(4)
        points = s.execute(text("""
            SELECT ST_X(geom), ST_Y(geom) FROM employers WHERE id = ANY(:ids) AND geom IS NOT NULL
        """), {"ids": [int(i) for i in rng.integers(1, n + 1, 400)]}).all()
    out = []
    for z in ZOOMS:
        chosen = list(dict.fromkeys(tile_of(x, y, z) for x, y in points))[:PER_ZOOM]
        out += [(z, x, y) for x, y in chosen]
    return out


def start(cmd: list[str], env: dict, url: str, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(log, "w"),
                            stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if requests.get(url, timeout=5).status_code < 500:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"{cmd[2]} did not start; see {log}")


def fetch(session: requests.Session, url: str, headers: dict) -> tuple[float, int, str]:
    started = time.perf_counter()
    r = session.get(url, headers=headers, timeout=120)
    ms = (time.perf_counter() - started) * 1000
    r.raise_for_status()
    return ms, len(r.content), r.headers.get("X-Tile-Cache", "")


def run(url: str, sessions) -> None:
    from sqlalchemy import text

    from geo.accounts import service as accounts
    from geo.core.db import unit_of_work
    with unit_of_work(sessions) as s:
        if not s.execute(text("SELECT 1 FROM users WHERE username = 'bench-command'")).first():
            accounts.create_user(s, username="bench-command", password=PASSWORD, role="command",
                                 actor="bench")
    tiles = sample_tiles(sessions)
    work = Path(tempfile.mkdtemp(prefix="lw-bench-tiles-"))
    ours_port, tipg_port = free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY=SECRET, LIANGWANG_VAR=str(work),
               PYTHONPATH=str(ROOT))
    ours = start([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                  f"127.0.0.1:{ours_port}", "wsgi:app"], env,
                 f"http://127.0.0.1:{ours_port}/healthz", work / "gunicorn.log")
    dsn = url.replace("postgresql+psycopg2://", "postgresql://")
    tipg = start([sys.executable, "-m", "bench.tipg_server", dsn, str(tipg_port)], env,
                 f"http://127.0.0.1:{tipg_port}/collections", work / "tipg.log")
    try:
        http = requests.Session()
        token = http.post(f"http://127.0.0.1:{ours_port}/api/v1/auth/token",
                          json={"username": "bench-command", "password": PASSWORD},
                          timeout=30).json()["token"]
        ours_h = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        tipg_h = {"Accept-Encoding": "identity"}
        ours_url = f"http://127.0.0.1:{ours_port}/api/v1/tiles/employers/{{}}/{{}}/{{}}.pbf"
        tipg_url = (f"http://127.0.0.1:{tipg_port}/collections/public.employers/tiles/"
                    "WebMercatorQuad/{}/{}/{}?properties=id,name,grade")
        # Warm PostgreSQL's buffers and both servers' connections on every sampled tile.
        for z, x, y in tiles:
            fetch(http, tipg_url.format(z, x, y), tipg_h)
        rows = {z: {"ours": [], "tipg": [], "cached": [], "ob": [], "tb": []} for z in ZOOMS}
        for z, x, y in tiles:
            ms, size, _ = fetch(http, tipg_url.format(z, x, y), tipg_h)
            rows[z]["tipg"].append(ms)
            rows[z]["tb"].append(size)
            ms, size, state = fetch(http, ours_url.format(z, x, y), ours_h)
            rows[z]["ours"].append(ms)
            rows[z]["ob"].append(size)
        for z, x, y in tiles:
            ms, _, state = fetch(http, ours_url.format(z, x, y), ours_h)
            assert state == "hit", (z, x, y, state)
            rows[z]["cached"].append(ms)
        print(f"{'z':>3} {'ours p50/p95 ms':>17} {'tipg p50/p95 ms':>17} {'cached p50/p95':>15} "
              f"{'ours KB':>8} {'tipg KB':>8}")
        for z in ZOOMS:
            r = rows[z]
            o, t, c = p50_p95(r["ours"]), p50_p95(r["tipg"]), p50_p95(r["cached"])
            print(f"{z:>3} {o[0]:8.1f}/{o[1]:8.1f} {t[0]:8.1f}/{t[1]:8.1f} {c[0]:7.1f}/{c[1]:7.1f} "
                  f"{np.mean(r['ob']) / 1024:8.1f} {np.mean(r['tb']) / 1024:8.1f}")
        every = {k: [v for z in ZOOMS for v in rows[z][k]] for k in ("ours", "tipg", "cached",
                                                                      "ob", "tb")}
        o, t, c = p50_p95(every["ours"]), p50_p95(every["tipg"]), p50_p95(every["cached"])
        print(f"all tiles: ours {sum(every['ob']) / 1e6:.1f} MB, tipg "
              f"{sum(every['tb']) / 1e6:.1f} MB for {len(tiles)} tiles")
        print(f"tiles: p50 ours {o[0]:.1f} ms (p95 {o[1]:.1f}), cached {c[0]:.1f} ms "
              f"(p95 {c[1]:.1f}), tipg {t[0]:.1f} ms (p95 {t[1]:.1f}); ratio cold "
              f"{o[0] / t[0]:.2f} p50 / {o[1] / t[1]:.2f} p95, cached {c[0] / t[0]:.3f} p50 "
              "(lower is better)")
    finally:
        for proc in (ours, tipg):
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("employers", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="use this seeded database instead of a new one")
    args = parser.parse_args()
    from geo.core.db import make_engine, make_sessionmaker
    if args.database_url:
        run(args.database_url, make_sessionmaker(make_engine(args.database_url)))
        return
    from dispatch.demo import seed_demo
    from geo.areas import boundaries
    from geo.core import migrate
    from geo.core.db import unit_of_work
    from geo.core.embedded import Cluster
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
    try:
        url = cluster.ensure_running()
        migrate.upgrade(url)
        sessions = make_sessionmaker(make_engine(url))
        with unit_of_work(sessions) as s:
            boundaries.load(s)
        with unit_of_work(sessions) as s:
            print(f"seed: {seed_demo(s, employers=args.employers, seed=2026)}", flush=True)
        run(url, sessions)
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()

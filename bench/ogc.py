"""OGC API – Features: our /ogc against TiPg (the peer, PyPI `tipg`) on the same database, in
one run; and a dispatch recommendation with JIT on against JIT off (the peer of the engine's
`jit=off`), on the same rows.

Run against a running demo (make run): .venv/bin/python -m bench.ogc [BASE_URL]
  needs: .venv/bin/pip install -r bench/requirements-tipg.txt; var/demo-accounts.json
"""
from __future__ import annotations

import json
import sys
import time

import requests
from sqlalchemy import text

from bench.common import free_port, p50_p95
from geo.core.config import ROOT

PAGES = [("grids", "limit=1000&offset=0"), ("grids", "limit=1000&offset=1000"),
         ("employers", "limit=10000&offset=0"), ("employers", "limit=10000&offset=150000"),
         ("employers", "limit=10000&bbox=113.5,34.6,113.8,34.9")]


def fetch(http, url: str, headers: dict) -> tuple[float, int, int]:
    t = time.perf_counter()
    r = http.get(url, headers=headers, timeout=120)
    r.raise_for_status()
    return (time.perf_counter() - t) * 1000, len(r.content), len(r.json()["features"])


def token(base: str) -> str:
    accounts = json.loads((ROOT / "var" / "demo-accounts.json").read_text())
    admin = next(a for a in accounts if a["role"] == "admin")
    r = requests.post(f"{base}/api/v1/auth/token", json={
        "username": admin["username"], "password": admin["password"]}, timeout=30)
    return r.json()["token"]


def ogc(base: str, dsn: str, repeat: int = 5) -> None:
    import subprocess
    port = free_port()
    peer = subprocess.Popen([sys.executable, "-m", "bench.tipg_server", dsn, str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        tipg = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if requests.get(f"{tipg}/collections", timeout=5).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        ours_h = {"Authorization": f"Bearer {token(base)}", "Accept-Encoding": "identity"}
        http = requests.Session()
        print(f"{'request':46s} {'ours p50/p95 ms':>16} {'tipg p50/p95 ms':>16} "
              f"{'ours kB':>8} {'tipg kB':>8} {'n':>6}")
        for coll, q in PAGES:
            o, t = [], []
            for _ in range(repeat):
                ms, ob, n = fetch(http, f"{base}/ogc/collections/{coll}/items?{q}", ours_h)
                o.append(ms)
                ms, tb, tn = fetch(http, f"{tipg}/collections/public.{coll}/items?{q}",
                                   {"Accept-Encoding": "identity"})
                t.append(ms)
            (o50, o95), (t50, t95) = p50_p95(o), p50_p95(t)
            print(f"{coll + '?' + q:46s} {o50:7.1f}/{o95:<8.1f} {t50:7.1f}/{t95:<8.1f} "
                  f"{ob / 1e3:8.0f} {tb / 1e3:8.0f} {n:>6}" + ("" if n == tn else f" (tipg {tn})"))
    finally:
        peer.terminate()
        peer.wait(timeout=20)


def jit(url: str, repeat: int = 30) -> None:
    from dispatch.inspections.recommend import recommend
    from dispatch.settings import DispatchSettings
    from geo.core.db import make_engine, make_sessionmaker

    sessions = make_sessionmaker(make_engine(url))
    settings = DispatchSettings()
    with sessions() as s:
        ids = s.execute(text("SELECT id FROM inspections WHERE status = 'pending' "
                             "ORDER BY id LIMIT :n"), {"n": repeat}).scalars().all()
        for mode in ("on", "off", "on", "off"):
            s.execute(text(f"SET jit = {mode}"))
            s.execute(text("SET jit_above_cost = 100000"))  # PostgreSQL's default
            ms = []
            for i in ids:
                t = time.perf_counter()
                recommend(s, i, settings)
                ms.append((time.perf_counter() - t) * 1000)
            p50, p95 = p50_p95(ms)
            print(f"recommend, jit={mode:3s}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms "
                  f"({len(ids)} pending inspections)")
        s.rollback()


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
    from geo.core import embedded
    from geo.core.config import VAR
    url = embedded.Cluster(VAR / "postgres").url
    sock = url.split("host=")[1].split("&")[0]
    ogc(base, f"postgresql://liangwang@/liangwang?host={sock}")
    jit(url)

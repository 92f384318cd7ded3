"""Employer search p50/p95 on 1,000,000 employers, against the same search without its indexes.

Peer: the identical `geo.employers.search` call with index and bitmap scans disabled
for the transaction (what the query costs without pg_trgm). Queries: name fragments,
credit codes and address fragments drawn from the data.
Run: .venv/bin/python -m bench.search [employers]
"""
from __future__ import annotations

import random
import sys
import time

from sqlalchemy import text

from bench.common import p50_p95, throwaway_database
from dispatch.demo import seed_demo
from geo.core.db import unit_of_work
from geo.employers import service as employers


def queries(session, n: int = 60) -> list[str]:
    rows = session.execute(text("SELECT name, credit_code, address FROM employers "
                                "ORDER BY random() LIMIT :n"), {"n": n}).all()
    rng = random.Random(3)
    out = []
    for name, code, address in rows:
        out += [name[2:6], code, address[-8:]]
    rng.shuffle(out)
    return out


def timed_searches(sessions, qs: list[str], seq: bool) -> list[float]:
    ms = []
    for q in qs:
        with unit_of_work(sessions) as s:
            if seq:
                s.execute(text("SET LOCAL enable_indexscan = off"))
                s.execute(text("SET LOCAL enable_bitmapscan = off"))
            t = time.perf_counter()
            employers.search(s, q=q, per_page=20)
            ms.append((time.perf_counter() - t) * 1000)
    return ms


def main(n: int) -> None:
    with throwaway_database() as (url, sessions):
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=n, seed=2026)
        with unit_of_work(sessions) as s:
            qs = queries(s)
        ours = p50_p95(timed_searches(sessions, qs, seq=False))
        peer = p50_p95(timed_searches(sessions, qs[:30], seq=True))
        print(f"search on {n} employers ({len(qs)} queries): p50 ours {ours[0]:.1f} ms, "
              f"no index {peer[0]:.1f} ms; p95 ours {ours[1]:.1f} ms, no index {peer[1]:.1f} ms, "
              f"ratio {ours[1] / peer[1]:.3f} (lower is better)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

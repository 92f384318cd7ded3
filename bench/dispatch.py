"""Dispatch benchmarks, each with its peer in the same run.

1. Nearest available inspectors (k=10) at 5,000 officers: our KNN query (GiST, `<->`)
   against the same query ordered by ST_Distance on geography (no index).
2. 16 concurrent dispatchers for N seconds: assignments per second and double-bookings.
3. Day plan of 2,000 inspections x 1,000 teams: linear_sum_assignment time and the
   distance saved against greedy nearest-first on the same matrix.
Run: .venv/bin/python -m bench.dispatch [seconds]
"""
from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

from bench.common import p50_p95
from dispatch.demo import seed_demo
from dispatch.inspections import assign, plan, recommend
from dispatch.settings import DispatchSettings
from geo.areas import boundaries
from geo.core import migrate
from geo.core.db import make_engine, make_sessionmaker, unit_of_work
from geo.core.embedded import Cluster
from geo.core.errors import Conflict, Unprocessable

SETTINGS = DispatchSettings()
PEER_SQL = recommend.ELIGIBLE_SQL.format(extra="") + """
    ORDER BY ST_Distance(o.geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography)
    LIMIT :k
"""


def add_officers(session, total: int) -> None:
    have = session.execute(text("SELECT count(*) FROM officers")).scalar_one()
    session.execute(text("""
        INSERT INTO officers (badge, name, kind, certified, county_adcode, status, geom, position_at)
        SELECT 'B' || e.id, '监察员' || e.id, 'inspector', true, e.county_adcode, 'available',
               e.geom, now()
        FROM employers e ORDER BY random() LIMIT :n
    """), {"n": max(0, total - have)})
    session.execute(text("UPDATE officers SET status = 'available', position_at = now() "
                         "WHERE kind = 'inspector'"))
    session.execute(text("ANALYZE officers"))


def knn_benchmark(sessions) -> str:
    rng = random.Random(1)
    with unit_of_work(sessions) as s:
        sites = s.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM employers ORDER BY random() "
                               "LIMIT 300")).all()
        timings = {}
        for label, sql in (("knn", recommend.KNN_SQL), ("no index", PEER_SQL)):
            ms = []
            for x, y in sites:
                params = {"x": x, "y": y, "employer": -1, "stale": 30, "include_stale": False,
                          "k": 10}
                t = time.perf_counter()
                s.execute(text(sql), params).all()
                ms.append((time.perf_counter() - t) * 1000)
            timings[label] = p50_p95(ms[20:])
        plan_text = "\n".join(s.execute(text("EXPLAIN " + recommend.KNN_SQL), {
            "x": sites[0][0], "y": sites[0][1], "employer": -1, "stale": 30,
            "include_stale": False, "k": 10}).scalars())
    rng.random()
    ours, peer = timings["knn"], timings["no index"]
    return (f"recommendation k=10 at 5k officers: p50 ours {ours[0]:.2f} ms, no-index "
            f"{peer[0]:.2f} ms; p95 ours {ours[1]:.2f} ms, no-index {peer[1]:.2f} ms, "
            f"speed-up {peer[1] / ours[1]:.0f}x (GiST in plan: {'idx_officers_geom' in plan_text})")


def race_benchmark(sessions, seconds: float, threads: int = 16, pool_size: int = 24) -> str:
    with unit_of_work(sessions) as s:
        jobs = s.execute(text("""
            INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status)
            SELECT 'scheduled', e.id, e.county_adcode, e.geom, 'normal', 'pending'
            FROM employers e WHERE e.county_adcode IN ('410102', '410103', '410104', '410105')
            ORDER BY e.id LIMIT 400 RETURNING id""")).scalars().all()
        pool = s.execute(text("SELECT id FROM officers WHERE kind = 'inspector' AND "
                              "county_adcode IN ('410102', '410103', '410104', '410105') "
                              "ORDER BY id")).scalars().all()
    done, conflicts, refused, errors = [0] * threads, [0] * threads, [0] * threads, []
    stop = time.perf_counter() + seconds

    def dispatcher(i: int) -> None:
        rng = random.Random(i)
        while time.perf_counter() < stop:
            job = rng.choice(jobs)
            team = rng.sample(pool[:pool_size], 2)  # small pool: collisions on purpose
            try:
                with unit_of_work(sessions) as s:
                    assign.assign(s, job, team, actor=f"bench{i}", settings=SETTINGS)
                done[i] += 1
                with unit_of_work(sessions) as s:
                    assign.cancel(s, job, "bench", actor=f"bench{i}")
                    s.execute(text("UPDATE inspections SET status = 'pending' WHERE id = :j"),
                              {"j": job})
            except Conflict:
                conflicts[i] += 1
            except Unprocessable:  # a random team with a recused member: refused by rule
                refused[i] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(repr(exc))

    workers = [threading.Thread(target=dispatcher, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    with unit_of_work(sessions) as s:
        double = s.execute(text("""
            SELECT count(*) FROM (SELECT officer_id FROM assignments WHERE released_at IS NULL
                                  GROUP BY officer_id HAVING count(*) > 1) d""")).scalar_one()
    for sample in sorted(set(e[:300] for e in errors))[:3]:
        print("error sample:", sample)
    return (f"{threads} concurrent dispatchers, {pool_size} officers, {elapsed:.0f} s: {sum(done) / elapsed:.0f} "
            f"assignments/s ({sum(done)} ok, {sum(conflicts)} refused with 409, "
            f"{sum(refused)} refused with 422, {len(errors)} errors), double-bookings {double}")


def plan_benchmark(n_jobs: int = 2000, n_teams: int = 1000) -> str:
    rng = np.random.default_rng(5)

    class Job:
        def __init__(self, i):
            self.id, self.employer_id, self.county_adcode = i, None, "410102"
            self.priority = "normal"
            self.lon, self.lat = rng.uniform(113.3, 114.0), rng.uniform(34.5, 35.0)

    jobs = [Job(i) for i in range(n_jobs)]
    teams = [plan.Team([2 * i, 2 * i + 1], "410102", rng.uniform(113.3, 114.0, 2),
                       rng.uniform(34.5, 35.0, 2)) for i in range(n_teams)]
    t = time.perf_counter()
    cost, travel = plan.cost_matrix(jobs, teams, set())
    optimal = plan.solve(cost)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    nearest = plan.greedy(cost, list(range(n_jobs)))
    greedy_s = time.perf_counter() - t
    opt_m = sum(travel[r, c] for r, c in optimal)
    greedy_m = sum(travel[r, c] for r, c in nearest)
    return (f"plan {n_jobs} inspections x {n_teams} teams: optimal {ours:.2f} s "
            f"({opt_m / 1000:.0f} km), greedy {greedy_s:.2f} s ({greedy_m / 1000:.0f} km), "
            f"saved {100 * (greedy_m - opt_m) / greedy_m:.1f} % vs greedy")


def main(seconds: float) -> None:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="lw-bench-")))
    try:
        url = cluster.ensure_running()
        migrate.upgrade(url)
        sessions = make_sessionmaker(make_engine(url, pool_size=20))
        with unit_of_work(sessions) as s:
            boundaries.load(s)
            seed_demo(s, employers=100_000 if len(sys.argv) < 3 else 20_000, seed=2026)
            add_officers(s, 5000)
        only = sys.argv[2] if len(sys.argv) > 2 else "all"
        lines = []
        if only in ("all", "knn"):
            lines.append(knn_benchmark(sessions))
        if only in ("all", "race"):
            lines.append(race_benchmark(sessions, seconds))
            lines.append(race_benchmark(sessions, seconds, pool_size=400))
        if only in ("all", "plan"):
            lines.append(plan_benchmark())
        for line in lines:
            print(line)
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 30)

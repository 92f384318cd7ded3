"""Project warnings recomputed for 50,000 projects, set-wise, against a per-project loop; the
province project layer's size.

Data: the demo seed of N employers (default 100,000), then P projects (default 50,000) at
employers' locations with random contractors and subcontractors, start dates over two years,
site checks for two thirds, deposits paid for half, labour-cost payments for most months,
grid-worker reports and complaints naming a project for some. Measured: `warnings.refresh`
over every project (first run: every row written; second run: nothing changed), wall time;
the peer in the same run is `warnings.compute` one project at a time over a sample,
extrapolated. Then `/api/v1/map/projects?area=410000` as the service builds it: JSON bytes
raw and gzipped.
Run: .venv/bin/python -m bench.projects [employers] [projects]
"""
from __future__ import annotations

import gzip
import json
import sys
import time

from sqlalchemy import text

from bench.common import throwaway_database
from dispatch.projects import layer, warnings
from dispatch.projects.settings import WageSettings
from geo.core.db import unit_of_work

SAMPLE = 500


def seed(sessions, projects: int) -> None:
    with unit_of_work(sessions) as s:
        s.execute(text("SET LOCAL statement_timeout = 0"))
        s.execute(text("""
            WITH e AS (SELECT id, geom, county_adcode, grid_id, row_number() OVER (ORDER BY id) AS n
                       FROM employers WHERE geom IS NOT NULL),
                 m AS (SELECT count(*) AS total FROM e)
            INSERT INTO projects (name, site, geom, county_adcode, grid_id, department,
                                  contractor_id, contract_value, start_on, planned_end_on,
                                  workers, status, deposit_rate, deposit_rule, deposit_required)
            SELECT '项目' || g, e.geom, e.geom, e.county_adcode, e.grid_id,
                   (ARRAY['housing', 'transport', 'water', 'other'])[1 + g % 4],
                   c.id, 1000000 + (g % 97) * 250000, DATE '2025-01-01' + (g % 700),
                   DATE '2025-01-01' + (g % 700) + 200 + (g % 500), 20 + g % 300,
                   CASE WHEN g % 10 = 0 THEN 'completed' ELSE 'building' END, 0.02, 'base',
                   (1000000 + (g % 97) * 250000) * 0.02
            FROM generate_series(1, :p) g CROSS JOIN m
            JOIN e ON e.n = 1 + (CAST(g AS bigint) * 7919) % m.total
            JOIN e c ON c.n = 1 + (CAST(g AS bigint) * 104729) % m.total
        """), {"p": projects})
        s.execute(text("""
            INSERT INTO project_subcontractors (project_id, employer_id)
            SELECT p.id, e.id FROM projects p JOIN employers e ON e.id = p.contractor_id + 1
            WHERE p.id % 3 = 0 ON CONFLICT DO NOTHING"""))
        s.execute(text("""
            INSERT INTO project_checks (project_id, item, ok, checked_on)
            SELECT p.id, i.item, (p.id + i.n) % 11 <> 0, DATE '2026-10-01'
            FROM projects p,
                 unnest(ARRAY['labour_contract', 'labour_manager', 'attendance', 'wage_roster',
                              'full_pay', 'direct_pay', 'wage_account', 'deposit',
                              'notice_board', 'real_name']) WITH ORDINALITY AS i(item, n)
            WHERE p.id % 3 <> 0"""))
        s.execute(text("""
            INSERT INTO project_deposits (project_id, kind, amount, form, on_date)
            SELECT id, 'paid', deposit_required, 'cash', start_on FROM projects WHERE id % 2 = 0"""))
        s.execute(text("""
            INSERT INTO project_payments (project_id, month, amount, paid_on)
            SELECT p.id, m::date, 100000, m::date + 20
            FROM projects p, generate_series(date_trunc('month', p.start_on),
                                             DATE '2026-10-01', interval '1 month') m
            WHERE (p.id + extract(month FROM m)::int) % 7 <> 0"""))
        s.execute(text("""
            INSERT INTO project_reports (project_id, kind, reported_on)
            SELECT id, CASE WHEN id % 5 = 0 THEN 'workers_gathering' ELSE 'arrears_signs' END,
                   DATE '2026-11-20' FROM projects WHERE id % 37 = 0"""))
        s.execute(text("""
            INSERT INTO complaints (employer_id, project_id, county_adcode, category,
                                    workers_affected, received_at, status)
            SELECT contractor_id, id, county_adcode, 'wage_arrears', 5, now(), 'accepted'
            FROM projects WHERE id % 41 = 0"""))
        s.execute(text("ANALYZE"))


def main(employers: int = 100_000, projects: int = 50_000) -> None:
    from dispatch.demo import seed_demo

    settings = WageSettings()
    with throwaway_database() as (_, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
        seed(sessions, projects)
        with sessions() as s:
            n = s.execute(text("SELECT count(*) FROM projects")).scalar_one()
        print(f"seeded {employers:,} employers and {n:,} projects in "
              f"{time.perf_counter() - t:.0f} s")
        for label in ("first refresh (every row new)", "second refresh (nothing changed)"):
            with unit_of_work(sessions) as s:
                t = time.perf_counter()
                changed = warnings.refresh(s, settings)
                took = time.perf_counter() - t
            print(f"{label}: {changed:,} rows written in {took:.2f} s")
            if label.startswith("first"):
                first = took
        with sessions() as s:
            levels = dict(s.execute(text(
                "SELECT coalesce(level, 'none'), count(*) FROM project_warnings GROUP BY 1")).all())
            print(f"levels: {levels}")
            ids = s.execute(text("SELECT id FROM projects ORDER BY id LIMIT :n"),
                            {"n": SAMPLE}).scalars().all()
            t = time.perf_counter()
            for pid in ids:
                warnings.compute(s, settings, project_ids=[pid])
            per = (time.perf_counter() - t) / len(ids)
            print(f"peer (one project at a time): {per * 1000:.1f} ms per project → "
                  f"{per * n:.0f} s for {n:,} (vs {first:.2f} s set-wise, {per * n / first:.0f}×)")
            t = time.perf_counter()
            body = json.dumps(layer.geojson(s, "410000"), ensure_ascii=False).encode()
            took = time.perf_counter() - t
            print(f"province project layer: {len(body):,} bytes raw, "
                  f"{len(gzip.compress(body)):,} gzipped, built in {took * 1000:.0f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))

"""The public portal's list page and API at a province's scale of publication.

Data: the demo seed of N employers (default 200,000), then a published list for every county
and city for the four quarters of 2025 and the province's two half-years (about 900 lists)
with 25 entries each (~22,000 entries). Measured through the Flask app, anonymous: the list of
lists (`/api/v1/public/disclosure-lists`), the first and a deep page of entries
(`/api/v1/public/disclosures`), one list (`/api/v1/public/disclosure-lists/<id>`) and the
HTML pages `/public/disclosures` and `/public/disclosures/<id>`, p50/p95. Peer, in the same
run: the same requests with index and bitmap scans off for the database session (what the
portal costs without its indexes).
Run: .venv/bin/python -m bench.portal [employers]
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, text

from bench.common import p50_p95, throwaway_database
from geo.core.config import Settings
from geo.core.db import unit_of_work

ENTRIES = 25


def seed(sessions) -> int:
    with unit_of_work(sessions) as s:
        s.execute(text("SET LOCAL statement_timeout = 0"))
        s.execute(text("""
            INSERT INTO disclosure_lists (area_adcode, level, period, starts_on, ends_on,
                                          status, drafted_by, approved_by, published_by,
                                          published_at)
            SELECT a.adcode, a.level, p.period, p.first, p.last, 'published', 'bench',
                   'bench-2', 'bench-2', p.last + 20
            FROM (SELECT DISTINCT ON (adcode) adcode, level FROM admin_areas
                  WHERE level IN ('county', 'city') ORDER BY adcode, level DESC) a
            CROSS JOIN (VALUES ('2025-Q1', DATE '2025-01-01', DATE '2025-03-31'),
                               ('2025-Q2', DATE '2025-04-01', DATE '2025-06-30'),
                               ('2025-Q3', DATE '2025-07-01', DATE '2025-09-30'),
                               ('2025-Q4', DATE '2025-10-01', DATE '2025-12-31'))
                 AS p(period, first, last)
            UNION ALL
            SELECT '410000', 'province', p, f, l, 'published', 'bench', 'bench-2', 'bench-2',
                   l + 20
            FROM (VALUES ('2025-H1', DATE '2025-01-01', DATE '2025-06-30'),
                         ('2025-H2', DATE '2025-07-01', DATE '2025-12-31')) AS h(p, f, l)"""))
        s.execute(text("""
            INSERT INTO cases (employer_id, county_adcode, opened_on, due_on, outcome,
                               closed_on, violations, summary)
            SELECT e.id, e.county_adcode, DATE '2025-02-01', DATE '2025-05-01',
                   'order_to_correct', DATE '2025-03-01', ARRAY['wage_arrears']::varchar[],
                   '拖欠劳动者工资'
            FROM employers e ORDER BY e.id LIMIT :n"""), {"n": 1000 * ENTRIES})
        n = s.execute(text(f"""
            INSERT INTO disclosure_entries (list_id, case_id, county_adcode, category,
                employer_name, credit_code, address, legal_representative, facts, handling,
                sort)
            SELECT l.id, c.id, c.county_adcode, 'wage_arrears', e.name, e.credit_code,
                   e.address, e.legal_representative,
                   '经查，该单位存在克扣、无故拖欠劳动者劳动报酬的违法行为。', '已责令限期改正', k
            FROM disclosure_lists l
            CROSS JOIN generate_series(1, {ENTRIES}) k
            JOIN LATERAL (SELECT id, county_adcode, employer_id FROM cases
                          ORDER BY id OFFSET ((l.id * {ENTRIES} + k) % 20000) LIMIT 1) c ON true
            JOIN employers e ON e.id = c.employer_id
            ON CONFLICT DO NOTHING""")).rowcount
        s.execute(text("ANALYZE"))
    return n


def main(employers: int = 200_000) -> None:
    from dispatch.demo import seed_demo
    from webapp import create_app

    with throwaway_database() as (url, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
        entries = seed(sessions)
        print(f"seeded {employers:,} employers and {entries:,} published entries in "
              f"{time.perf_counter() - t:.0f} s")
        var = Path(tempfile.mkdtemp(prefix="lw-bench-var-"))
        app = create_app(Settings(secret_key="bench-secret-key-not-for-production-0123456789",
                                  demo=False, var=var, public_per_minute=10 ** 9),
                         database_url=url)
        engine = app.extensions["liangwang"]["engine"]
        peer = {"on": False}

        @event.listens_for(engine, "begin")
        def no_indexes(conn):  # the peer: the same requests without index or bitmap scans
            if peer["on"]:
                conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
                conn.exec_driver_sql("SET LOCAL enable_bitmapscan = off")

        client = app.test_client()
        with sessions() as s:
            one = s.execute(text("SELECT id FROM disclosure_lists WHERE level = 'county' "
                                 "ORDER BY id LIMIT 1")).scalar_one()
        paths = {
            "lists (JSON)": "/api/v1/public/disclosure-lists",
            "entries, page 1": "/api/v1/public/disclosures",
            "entries, page 200": "/api/v1/public/disclosures?page=200",
            "entries of a county": "/api/v1/public/disclosures?area=410102",
            "one list (JSON)": f"/api/v1/public/disclosure-lists/{one}",
            "page /public/disclosures": "/public/disclosures",
            "page of one list": f"/public/disclosures/{one}",
        }
        print(f"{'request':28} {'ours p50/p95 ms':>18} {'no-index peer p50/p95 ms':>26}")
        worst = 0.0
        for name, path in paths.items():
            out = {}
            for mode in ("ours", "peer"):
                peer["on"] = mode == "peer"
                r = client.get(path)
                assert r.status_code == 200, (path, r.status_code)
                ms = []
                for _ in range(30 if mode == "ours" else 8):
                    t = time.perf_counter()
                    client.get(path)
                    ms.append((time.perf_counter() - t) * 1000)
                out[mode] = p50_p95(ms)
            peer["on"] = False
            worst = max(worst, out["ours"][1])
            print(f"{name:28} {out['ours'][0]:8.1f} / {out['ours'][1]:7.1f}"
                  f"   {out['peer'][0]:12.1f} / {out['peer'][1]:8.1f}")
        print(f"portal: worst p95 ours {worst:.1f} ms (goal ≤ 100 ms)")
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))

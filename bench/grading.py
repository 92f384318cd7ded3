"""A province grading run and its approval at scale, against a per-employer loop.

Data: the demo seed of N employers (default 1,000,000), then 30,000 decided cases of the
record year spread over the employers (a third penalties, some with C triggers) and 2,000
incidents. Measured: `grading.start_run` for the province (one INSERT … SELECT over every
employer) and `grading.approve` (history upsert, current grades, re-prioritised inspections,
risk rescoring), wall time. Peer, in the same run: the obvious per-employer loop (one query
for the employer's penalties, triggers and incidents, the grade decided in Python) over a
sample of employers, extrapolated to N.
Run: .venv/bin/python -m bench.grading [employers]
"""
from __future__ import annotations

import sys
import time

from sqlalchemy import text

from bench.common import throwaway_database
from dispatch.analytics.settings import RiskSettings
from dispatch.grading import service as grading
from geo.core.db import unit_of_work

YEAR = 2025
SAMPLE = 3000

PER_EMPLOYER_SQL = """
    SELECT (SELECT count(*) FROM cases WHERE employer_id = :e AND outcome = 'penalty'
              AND decision_date BETWEEN :first AND :last) AS penalties,
           (SELECT count(*) FROM cases WHERE employer_id = :e AND outcome IS NOT NULL
              AND coalesce(decision_date, closed_on) BETWEEN :first AND :last
              AND (violations && CAST(:triggers AS varchar[])
                   OR transfer_kind = 'public_security')) AS triggers,
           (SELECT count(*) FROM incidents WHERE employer_id = :e
              AND received_at >= :start AND received_at < :end) AS incidents
"""


def seed(sessions) -> None:
    with unit_of_work(sessions) as s:
        s.execute(text("SET LOCAL statement_timeout = 0"))
        s.execute(text("""
            INSERT INTO cases (employer_id, county_adcode, opened_on, due_on, outcome, closed_on,
                               decision_date, fine_amount, decision_number, violations,
                               transfer_kind, transfer_target)
            SELECT e.id, e.county_adcode, DATE '2025-01-01' + (g % 300),
                   DATE '2025-03-01' + (g % 300),
                   CASE WHEN g % 3 = 0 THEN 'penalty' WHEN g % 97 = 0 THEN 'transferred'
                        ELSE 'order_to_correct' END,
                   DATE '2025-02-01' + (g % 300),
                   CASE WHEN g % 3 = 0 THEN DATE '2025-02-01' + (g % 300) END,
                   CASE WHEN g % 3 = 0 THEN 5000 END,
                   CASE WHEN g % 3 = 0 THEN 'B' || g END,
                   CASE WHEN g % 211 = 0 THEN ARRAY['child_labour']::varchar[]
                        WHEN g % 101 = 0 THEN ARRAY['obstruction']::varchar[]
                        ELSE ARRAY['wage_arrears']::varchar[] END,
                   CASE WHEN g % 97 = 0 THEN 'public_security' END,
                   CASE WHEN g % 97 = 0 THEN '公安局' END
            FROM generate_series(1, 30000) g
            JOIN employers e ON e.id = (SELECT min(id) FROM employers) + (g * 7919) % 60000"""))
        s.execute(text("""
            INSERT INTO incidents (county_adcode, employer_id, workers, received_at)
            SELECT e.county_adcode, e.id, 20, TIMESTAMPTZ '2025-03-01 10:00+08' + g * interval '3 hours'
            FROM generate_series(1, 2000) g
            JOIN employers e ON e.id = (SELECT min(id) FROM employers) + (g * 104729) %
                 (SELECT max(id) - min(id) FROM employers)"""))
        s.execute(text("ANALYZE"))


def main(employers: int = 1_000_000) -> None:
    from datetime import date, datetime

    from dispatch.demo import seed_demo
    from geo.core import clock

    with throwaway_database() as (_, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
        seed(sessions)
        print(f"seeded {employers:,} employers, 30,000 cases, 2,000 incidents in "
              f"{time.perf_counter() - t:.0f} s")
        with unit_of_work(sessions) as s:
            t = time.perf_counter()
            run = grading.start_run(s, year=YEAR, area="410000", actor="bench")
            ran = time.perf_counter() - t
        print(f"province run: {run['total']:,} proposals {run['counts']} in {ran:.1f} s")
        with unit_of_work(sessions) as s:
            t = time.perf_counter()
            done = grading.approve(s, run["id"], actor="bench-reviewer",
                                   risk_settings=RiskSettings())
            approved = time.perf_counter() - t
        print(f"approval: {done['grades_changed']:,} grades changed, "
              f"{done['inspections_replanned']:,} inspections re-prioritised in {approved:.1f} s")
        # Peer: one query per employer, the grade decided in Python.
        with sessions() as s:
            ids = s.execute(text("SELECT id FROM employers ORDER BY id LIMIT :n"),
                            {"n": SAMPLE}).scalars().all()
            params = {"first": date(YEAR, 1, 1), "last": date(YEAR, 12, 31),
                      "start": datetime(YEAR, 1, 1, tzinfo=clock.BEIJING),
                      "end": datetime(YEAR + 1, 1, 1, tzinfo=clock.BEIJING),
                      "triggers": list(grading.CASE_TRIGGERS)}
            t = time.perf_counter()
            for employer_id in ids:
                p, trig, inc = s.execute(text(PER_EMPLOYER_SQL),
                                         {"e": employer_id, **params}).one()
                _ = "C" if p >= 3 or trig or inc else "B" if p else "A"
            per = (time.perf_counter() - t) / len(ids)
        print(f"peer (per-employer loop): {per * 1000:.2f} ms per employer → "
              f"{per * employers:.0f} s for {employers:,} (vs {ran:.1f} s set-wise, "
              f"{per * employers / ran:.0f}×)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))

"""Complaint and case lists, first page with filters, at province scale; notice generation.

Data: the demo seed of N employers (default 1,000,000), then 100,000 complaints and 20,000
cases spread over the counties as the demo spreads employers (bulk SQL, one transaction).
Measured: `complaint_views.listing` and `case_views.listing` (what GET /api/v1/complaints and
/api/v1/cases run) for the first page of 50 with the filters the pages offer, p50/p95 over
repeated calls. Peer, in the same run: the identical calls with index and bitmap scans off
for the transaction (what the lists cost without their indexes). Notices: `complaint_views.notice`
(database reads + python-docx) p50/p95.
Run: .venv/bin/python -m bench.casework [employers] [complaints] [cases]
"""
from __future__ import annotations

import sys
import time

from sqlalchemy import text

from bench.common import p50_p95, throwaway_database
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import case_views, complaint_views
from dispatch.demo import seed_demo
from dispatch.settings import DispatchSettings
from geo.areas.service import county_adcodes
from geo.core.db import unit_of_work


def seed(sessions, n_complaints: int, n_cases: int) -> None:
    with unit_of_work(sessions) as s:
        s.execute(text("SET LOCAL statement_timeout = 0"))
        s.execute(text("""
            INSERT INTO complaints (employer_id, county_adcode, category, workers_affected,
                description, geom, occurred_on, received_at, acceptance_due, status, priority)
            SELECT e.id, e.county_adcode,
                   (ARRAY['wage_arrears','no_contract','overtime','social_insurance','other'])
                     [1 + (g % 5)], 1 + (g % 7), '工资拖欠', e.geom,
                   current_date - 60 - (g % 400), now() - make_interval(days => g % 400),
                   current_date - (g % 400) + 7,
                   (ARRAY['received','received','accepted','refused','closed','redirected',
                          'info_requested'])[1 + (g % 7)], 'normal'
            FROM generate_series(1, :n) g
            JOIN employers e ON e.id = (SELECT min(id) FROM employers) + (g * 7919) %
                 (SELECT max(id) - min(id) FROM employers)"""), {"n": n_complaints})
        s.execute(text("""
            INSERT INTO cases (complaint_id, employer_id, county_adcode, opened_on, due_on,
                               outcome, closed_on, fine_amount, decision_number)
            SELECT k.id, k.employer_id, k.county_adcode, k.received_at::date + 3,
                   k.received_at::date + 90,
                   CASE WHEN k.id % 3 = 0 THEN 'penalty' END,
                   CASE WHEN k.id % 3 = 0 THEN k.received_at::date + 40 END,
                   CASE WHEN k.id % 3 = 0 THEN 5000 END,
                   CASE WHEN k.id % 3 = 0 THEN '人社监罚〔2026〕' || k.id || '号' END
            FROM complaints k WHERE k.status IN ('accepted', 'closed')
            ORDER BY k.id LIMIT :n"""), {"n": n_cases})
        s.execute(text("ANALYZE complaints"))
        s.execute(text("ANALYZE cases"))


def measure(sessions, calls, *, seq: bool, repeat: int) -> list[float]:
    ms = []
    for _ in range(repeat):
        for call in calls:
            with unit_of_work(sessions) as s:
                if seq:
                    s.execute(text("SET LOCAL enable_indexscan = off"))
                    s.execute(text("SET LOCAL enable_bitmapscan = off"))
                t = time.perf_counter()
                call(s)
                ms.append((time.perf_counter() - t) * 1000)
    return ms


def main(employers: int = 1_000_000, n_complaints: int = 100_000, n_cases: int = 20_000) -> None:
    with throwaway_database() as (_, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
        seed(sessions, n_complaints, n_cases)
        print(f"seeded {employers:,} employers, {n_complaints:,} complaints, "
              f"{n_cases:,} cases in {time.perf_counter() - t:.0f} s")
        settings = DispatchSettings()
        with unit_of_work(sessions) as s:
            cal = WorkingCalendar.load(s)
            city, county = county_adcodes(s, "410100"), ["410102"]
            decision = s.execute(text("SELECT id, complaint_id FROM complaint_decisions "
                                      "ORDER BY id LIMIT 1")).one()

        complaint_calls = {
            "province, all": lambda s: complaint_views.listing(s, counties=None, calendar=cal),
            "province, past limit": lambda s: complaint_views.listing(
                s, counties=None, deadline="past_limit", calendar=cal),
            "city, received": lambda s: complaint_views.listing(s, counties=city, status="received",
                                                           calendar=cal),
            "county, all": lambda s: complaint_views.listing(s, counties=county, calendar=cal),
            "county, text 公司": lambda s: complaint_views.listing(s, counties=county, q="公司",
                                                              calendar=cal),
            "province, page 20": lambda s: complaint_views.listing(s, counties=None, page=20,
                                                              calendar=cal),
        }
        case_calls = {
            "province, open": lambda s: case_views.listing(s, counties=None, status="open",
                                                      settings=settings, calendar=cal),
            "province, overdue": lambda s: case_views.listing(s, counties=None, status="overdue",
                                                         settings=settings, calendar=cal),
            "city, all": lambda s: case_views.listing(s, counties=city, settings=settings,
                                                 calendar=cal),
            "county, closed": lambda s: case_views.listing(s, counties=county, status="closed",
                                                      settings=settings, calendar=cal),
        }
        print("list (first page of 50)              ours p50/p95 ms     no-index peer p50/p95 ms")
        for label, calls in (("complaints", complaint_calls), ("cases", case_calls)):
            for name, call in calls.items():
                ours = p50_p95(measure(sessions, [call], seq=False, repeat=15))
                peer = p50_p95(measure(sessions, [call], seq=True, repeat=3))
                print(f"{label:10} {name:26} {ours[0]:7.1f} / {ours[1]:7.1f}     "
                      f"{peer[0]:8.1f} / {peer[1]:8.1f}")
            every = p50_p95(measure(sessions, list(calls.values()), seq=False, repeat=10))
            print(f"{label:10} {'all filters together':26} {every[0]:7.1f} / {every[1]:7.1f}")

        def notice(s):
            complaint_views.notice(s, decision.complaint_id, decision.id, show_identity=True,
                              actor="bench", calendar=cal)
        ms = p50_p95(measure(sessions, [notice], seq=False, repeat=40))
        print(f"notice (.docx, with its database reads) p50 {ms[0]:.1f} ms, p95 {ms[1]:.1f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))

"""A written-review campaign for a city with about 100,000 employers in scope, set-wise,
against the peer of taking employers in one ORM row at a time (a sample, extrapolated).

Data: the demo seed of N employers (default 800,000; 郑州市 then holds about 100,000; with a
smaller N the province-wide campaign gives the larger scope).
Measured: `create_campaign` for 郑州市 (every employer, min_employees 0), wall time with the
commit; then `schedule_missing` after the due date (one inspection per non-submitter).
Run: .venv/bin/python -m bench.written_review [employers]
"""
from __future__ import annotations

import sys
import time
from datetime import date, timedelta

import time_machine
from sqlalchemy import text

from bench.common import throwaway_database
from dispatch.written_review import service
from dispatch.written_review.models import ReviewSubmission
from dispatch.written_review.settings import ReviewSettings
from geo.core import clock
from geo.core.db import unit_of_work

CITY = "410100"
SAMPLE = 2000


def main(employers: int = 800_000) -> None:
    from dispatch.demo import seed_demo

    with throwaway_database() as (_, sessions):
        t = time.perf_counter()
        with unit_of_work(sessions) as s:
            seed_demo(s, employers=employers)
        with sessions() as s:
            in_city = s.execute(text("SELECT count(*) FROM employers WHERE county_adcode "
                                     "LIKE '4101%'")).scalar_one()
        print(f"seeded {employers:,} employers ({in_city:,} in 郑州市) in "
              f"{time.perf_counter() - t:.0f} s")
        due = clock.today() + timedelta(days=30)
        with unit_of_work(sessions) as s:
            t = time.perf_counter()
            made = service.create_campaign(s, area=CITY, year=2026, due_on=due, min_employees=0,
                                           industries=None, grades=None,
                                           settings=ReviewSettings(), actor="bench")
        took = time.perf_counter() - t
        print(f"campaign for 郑州市: {made['employers']:,} employers taken in {took:.2f} s "
              f"(goal ≤ 10 s)")
        with unit_of_work(sessions) as s:  # the whole province: a larger scope than asked
            t = time.perf_counter()
            whole = service.create_campaign(s, area="410000", year=2026, due_on=due,
                                            min_employees=0, industries=None, grades=None,
                                            settings=ReviewSettings(), actor="bench")
        print(f"campaign for the province: {whole['employers']:,} employers taken in "
              f"{time.perf_counter() - t:.2f} s")
        with unit_of_work(sessions) as s:  # the peer: one ORM row at a time, rolled back
            ids = s.execute(text("SELECT id, county_adcode FROM employers WHERE county_adcode "
                                 "LIKE '4101%' ORDER BY id LIMIT :n"), {"n": SAMPLE}).all()
            other = s.execute(text("INSERT INTO review_campaigns (area_adcode, year, due_on, "
                                   "min_employees) VALUES (:a, 2027, :d, 0) RETURNING id"),
                              {"a": CITY, "d": due}).scalar_one()
            t = time.perf_counter()
            for employer, county in ids:
                s.add(ReviewSubmission(campaign_id=other, employer_id=employer,
                                       county_adcode=county))
                s.flush()
            per = (time.perf_counter() - t) / len(ids)
            s.rollback()
        print(f"peer (one ORM row at a time): {per * 1000:.2f} ms per employer → "
              f"{per * made['employers']:.0f} s for {made['employers']:,} "
              f"({per * made['employers'] / took:.0f}× the set-wise time)")
        with time_machine.travel(date.today() + timedelta(days=45)):
            with unit_of_work(sessions) as s:
                t = time.perf_counter()
                done = service.schedule_missing(s, made["id"], actor="bench")
            print(f"schedule-missing: {done['inspections']:,} inspections opened in "
                  f"{time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:2]))

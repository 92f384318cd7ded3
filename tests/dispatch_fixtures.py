"""Hand-built officers and inspections for dispatch tests (unique badges), and their clean-up."""
from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import text

from geo.core.db import unit_of_work

_serial = itertools.count(1)

# A quiet spot in 中原区 (410102), Zhengzhou.
SITE = (113.60, 34.75)


def add_inspector(session, *, lon: float, lat: float, county: str = "410102",
                  status: str = "available", certified: bool = True, kind: str = "inspector",
                  minutes_old: int = 1, grid_id=None, user_id=None) -> int:
    badge = f"T{next(_serial):06d}-{county}"
    return session.execute(text("""
        INSERT INTO officers (badge, name, kind, certified, county_adcode, grid_id, status, geom,
                              position_at, user_id)
        VALUES (:badge, :badge, :kind, :certified, :county, :grid, :status,
                ST_SetSRID(ST_MakePoint(:x, :y), 4326), now() - make_interval(mins => :age), :user)
        RETURNING id
    """), {"badge": badge, "kind": kind, "certified": certified, "county": county,
           "grid": grid_id, "status": status, "x": lon, "y": lat, "age": minutes_old,
           "user": user_id}).scalar_one()


def add_employer(session, *, lon: float, lat: float, county: str = "410102") -> int:
    import numpy as np

    from geo.employers.credit_code import generate
    # A fresh random code: a seeded one can repeat a code another fixture module made.
    code = generate(np.array([county]), np.random.default_rng(uuid.uuid4().int))[0]
    return session.execute(text("""
        INSERT INTO employers (credit_code, name, location_source, county_adcode, geom)
        VALUES (:code, :name, 'survey', :county, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
        RETURNING id
    """), {"code": code, "name": f"测试单位{code[-6:]}", "county": county,
           "x": lon, "y": lat}).scalar_one()


def add_inspection(session, *, lon: float, lat: float, employer_id=None,
                   county: str = "410102", priority: str = "normal") -> int:
    return session.execute(text("""
        INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status)
        VALUES ('scheduled', :e, :county, ST_SetSRID(ST_MakePoint(:x, :y), 4326), :p, 'pending')
        RETURNING id
    """), {"e": employer_id, "county": county, "x": lon, "y": lat, "p": priority}).scalar_one()


def metres_east(lon: float, lat: float, metres: float) -> tuple[float, float]:
    import math
    return lon + metres / (111_320 * math.cos(math.radians(lat))), lat


class Committed:
    """Rows a test commits for the HTTP app (which reads in its own session), deleted after it.

    Record what the test made (or what the app made for it) in the lists; `remove()` deletes
    them with what the app hung on them (cases, complaints, inspections, assignments), and puts
    back any holiday or county statuses the test changed, so later tests see the data as it was.
    """

    def __init__(self, sessions):
        self.sessions = sessions
        self.employers, self.officers, self.inspections, self.complaints = [], [], [], []
        self.users, self.draws = [], []
        self._holidays, self._statuses, self._undo = {}, [], []

    def employer(self, **kw) -> int:
        with unit_of_work(self.sessions) as s:
            self.employers.append(add_employer(s, **kw))
        return self.employers[-1]

    def inspector(self, **kw) -> int:
        with unit_of_work(self.sessions) as s:
            self.officers.append(add_inspector(s, **kw))
        return self.officers[-1]

    def inspection(self, **kw) -> int:
        with unit_of_work(self.sessions) as s:
            self.inspections.append(add_inspection(s, **kw))
        return self.inspections[-1]

    def holiday(self, day: str) -> None:
        """The test will set this day in the calendar: restore it afterwards."""
        with self.sessions() as s:
            self._holidays[day] = s.execute(text(
                "SELECT kind, name, source, updated_by FROM holidays WHERE day = :d"),
                {"d": day}).mappings().one_or_none()

    def statuses(self, county: str) -> None:
        """The test will change officers' and inspections' statuses in a county: restore them."""
        with self.sessions() as s:
            for table in ("officers", "inspections"):
                self._statuses += [(table, i, st) for i, st in s.execute(text(
                    f"SELECT id, status FROM {table} WHERE county_adcode = :c"), {"c": county})]

    def undo(self, sql: str, **params) -> None:
        """A statement that takes back a change the lists above do not cover (run first)."""
        self._undo.append((sql, params))

    def remove(self) -> None:
        with unit_of_work(self.sessions) as s:
            for sql, params in self._undo:
                s.execute(text(sql), params)
            p = {"e": list(self.employers), "u": list(self.users), "d": list(self.draws),
                 "c": list(self.complaints), "i": list(self.inspections)}
            p["c"] = s.execute(text("SELECT id FROM complaints WHERE id = ANY(:c) "
                                    "OR employer_id = ANY(:e)"), p).scalars().all()
            p["i"] = s.execute(text("SELECT id FROM inspections WHERE id = ANY(:i) "
                                    "OR employer_id = ANY(:e) OR complaint_id = ANY(:c)"),
                               p).scalars().all()
            p["o"] = self.officers + s.execute(text(
                "SELECT id FROM officers WHERE user_id = ANY(:u)"), p).scalars().all()
            for sql in ("DELETE FROM attachments WHERE owner_kind = 'audit' AND owner_id IN "
                        "(SELECT id FROM audits WHERE employer_id = ANY(:e))",
                        "DELETE FROM audits WHERE employer_id = ANY(:e)",
                        "DELETE FROM cases WHERE inspection_id = ANY(:i) OR employer_id = ANY(:e) "
                        "OR complaint_id = ANY(:c)",
                        "DELETE FROM assignments WHERE officer_id = ANY(:o) "
                        "OR inspection_id = ANY(:i)",
                        "DELETE FROM inspections WHERE id = ANY(:i)",
                        "DELETE FROM complaint_decisions WHERE complaint_id = ANY(:c)",
                        "DELETE FROM complaints WHERE id = ANY(:c)",
                        "DELETE FROM incidents WHERE employer_id = ANY(:e)",
                        "DELETE FROM random_draws WHERE id = ANY(:d)",
                        "DELETE FROM officers WHERE id = ANY(:o)",
                        "DELETE FROM referrals WHERE project_id IN (SELECT id FROM projects "
                        "WHERE contractor_id = ANY(:e) OR owner_id = ANY(:e))",
                        "DELETE FROM complaints WHERE project_id IN (SELECT id FROM projects "
                        "WHERE contractor_id = ANY(:e) OR owner_id = ANY(:e))",
                        "DELETE FROM attachments WHERE owner_kind = 'project' AND owner_id IN "
                        "(SELECT id FROM projects WHERE contractor_id = ANY(:e) OR "
                        "owner_id = ANY(:e))",
                        "DELETE FROM projects WHERE contractor_id = ANY(:e) OR owner_id = ANY(:e)",
                        "DELETE FROM project_subcontractors WHERE employer_id = ANY(:e)",
                        "DELETE FROM employer_risk WHERE employer_id = ANY(:e)",
                        "DELETE FROM employers WHERE id = ANY(:e)",
                        "DELETE FROM users WHERE id = ANY(:u)"):
                s.execute(text(sql), p)
            for day, row in self._holidays.items():
                s.execute(text("DELETE FROM holidays WHERE day = :d"), {"d": day})
                if row is not None:
                    s.execute(text("INSERT INTO holidays (day, kind, name, source, updated_by) "
                                   "VALUES (:d, :kind, :name, :source, :updated_by)"),
                              {"d": day, **row})
            for table, row_id, status in self._statuses:
                s.execute(text(f"UPDATE {table} SET status = :s WHERE id = :i"),
                          {"s": status, "i": row_id})


@pytest.fixture()
def committed(sessions):
    """Import into a test module to use: `from tests.dispatch_fixtures import committed`."""
    rows = Committed(sessions)
    yield rows
    rows.remove()


def race(sessions, action, refused: type[Exception], n: int = 2) -> list[str]:
    """Run `action(session)` in `n` threads that start together, each in its own unit of work:
    the sorted outcomes, "ok" or "refused" (the action raised `refused`)."""
    import threading
    barrier, results = threading.Barrier(n), []

    def go():
        try:
            with unit_of_work(sessions) as s:
                barrier.wait()
                action(s)
            results.append("ok")
        except refused:
            results.append("refused")

    threads = [threading.Thread(target=go) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)

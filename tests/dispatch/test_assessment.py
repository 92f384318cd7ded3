"""Training records and the yearly assessment figures (评议考核) on a hand-built record."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import text

from dispatch.officers import assessment
from geo.core.db import unit_of_work
from geo.core.errors import Conflict, NotFound, Unprocessable
from tests.dispatch_fixtures import SITE, committed  # noqa: F401 (a fixture)

COUNTY = "410102"
# (due_at, completion instant, inspection status, A's release reason)
INSPECTIONS = (
    ("2027-03-10T10:00+08:00", "2027-03-09T09:00+08:00", "done", "completed"),  # on time
    ("2027-05-01T12:00+08:00", "2027-05-02T09:00+08:00", "done", "completed"),  # late
    (None, "2027-07-01T10:00+08:00", "done", "completed"),  # no due date
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing: a 2027 inspection, on time.
    ("2027-01-01T12:00+08:00", "2026-12-31T16:30:00Z", "done", "completed"),
    # 2027-12-31 16:30 UTC is 2028-01-01 00:30 in Beijing: not 2027.
    ("2028-01-05T12:00+08:00", "2027-12-31T16:30:00Z", "done", "completed"),
    ("2027-08-01T10:00+08:00", "2027-08-01T10:00+08:00", "done", "completed"),  # at the due time
    # A was taken off (another officer finished it): not A's.
    ("2027-09-01T10:00+08:00", "2027-08-20T10:00+08:00", "done", "reassigned"),
    # Released 'completed' but the inspection is not done (reopened): not counted.
    ("2027-09-01T10:00+08:00", "2027-08-21T10:00+08:00", "in_progress", "completed"),
)
# (handlers, opened_on, due_on, closed_on); "A"/"B" name the officers.
CASES = (
    ("AB", "2027-02-01", "2027-04-30", "2027-04-30"),  # closed on its last day: in time
    ("A", "2027-03-01", "2027-05-31", "2027-06-10"),  # closed late
    ("A", "2027-09-01", "2027-11-30", None),  # open
    ("A", "2026-12-31", "2027-03-31", "2027-02-01"),  # opened the year before
    ("B", "2027-04-01", "2027-06-30", "2027-05-01"),  # not A's
)
# Complaints about an officer: (who, received at). Beijing years decide.
COMPLAINTS = (("A", "2027-04-01T10:00+08:00"),
              ("A", "2026-12-31T16:30:00Z"),  # 2027-01-01 00:30 in Beijing: 2027
              ("A", "2027-12-31T16:30:00Z"),  # 2028 in Beijing: not counted
              ("B", "2027-05-01T10:00+08:00"))  # not A's
# (course, hours, held_on)
TRAININGS = (("劳动保障监察执法实务", 8, "2027-03-15"), ("行政处罚法专题", 12.5, "2027-11-20"),
             ("年终业务培训", 4, "2026-12-31"))
# The clock while the record is built: Beijing 2028-02-01 10:00.
FROZEN = "2028-02-01T10:00:00+08:00"


def build(committed, sessions) -> dict:  # noqa: F811
    """Officers A and B with the record above; everything is removed after the test."""
    lon, lat = SITE
    a = committed.inspector(lon=lon, lat=lat, county=COUNTY)
    b = committed.inspector(lon=lon, lat=lat, county=COUNTY)
    ids = {"A": a, "B": b}
    inspections = [committed.inspection(lon=lon, lat=lat, county=COUNTY) for _ in INSPECTIONS]
    cases = []
    with unit_of_work(sessions) as s:
        for inspection, (due, done_at, status, reason) in zip(inspections, INSPECTIONS,
                                                              strict=True):
            s.execute(text("UPDATE inspections SET status = :s, due_at = CAST(:due AS timestamptz)"
                           " WHERE id = :i"), {"s": status, "due": due, "i": inspection})
            s.execute(text("""
                INSERT INTO assignments (inspection_id, officer_id, county_adcode, assigned_by,
                                         assigned_at, released_at, release_reason)
                VALUES (:i, :o, :c, 'tests', CAST(:at AS timestamptz) - interval '2 hours',
                        CAST(:at AS timestamptz), :r)
            """), {"i": inspection, "o": a, "c": COUNTY, "at": done_at, "r": reason})
        for handlers, opened, due, closed in CASES:
            cases.append(s.execute(text("""
                INSERT INTO cases (county_adcode, opened_on, due_on, outcome, closed_on,
                                   handler_ids, created_by)
                VALUES (:c, :opened, :due, CAST(:outcome AS text), :closed, :h, 'tests')
                RETURNING id
            """), {"c": COUNTY, "opened": date.fromisoformat(opened),
                   "due": date.fromisoformat(due),
                   "outcome": "order_to_correct" if closed else None,
                   "closed": date.fromisoformat(closed) if closed else None,
                   "h": [ids[x] for x in handlers]}).scalar_one())
        for who, received in COMPLAINTS:
            committed.complaints.append(s.execute(text("""
                INSERT INTO complaints (county_adcode, category, workers_affected, received_at,
                                        status, priority, about_officer_id, geom)
                VALUES (:c, 'other', 1, CAST(:at AS timestamptz), 'received', 'normal', :o,
                        ST_SetSRID(ST_MakePoint(:x, :y), 4326))
                RETURNING id"""), {"c": COUNTY, "at": received, "o": ids[who], "x": lon,
                                    "y": lat}).scalar_one())
    committed.undo("DELETE FROM officer_assessments WHERE officer_id = ANY(:o)", o=[a, b])
    committed.undo("DELETE FROM officer_trainings WHERE officer_id = ANY(:o)", o=[a, b])
    committed.undo("DELETE FROM cases WHERE id = ANY(:c)", c=cases)
    with time_machine.travel(FROZEN, tick=False), unit_of_work(sessions) as s:
        for course, hours, held_on in TRAININGS:
            assessment.add_training(s, a, course=course, hours=hours,
                                    held_on=date.fromisoformat(held_on), provider="省人社厅",
                                    actor="tests")
    return {"a": a, "b": b, "inspections": inspections, "cases": cases}


# Every figure of A for 2027, counted by hand from the tables above.
A_2027 = {"year": 2027, "inspections_done": 5, "inspections_with_due": 4,
          "inspections_on_time": 3, "on_time_rate": 0.75, "cases_handled": 3, "cases_closed": 2,
          "cases_closed_in_time": 1, "closed_in_time_rate": 0.3333, "complaints_about": 2,
          "training_hours": 20.5, "notes": []}


def test_figures_of_a_year_from_the_record(committed, sessions):  # noqa: F811
    made = build(committed, sessions)
    with sessions() as s:
        assert assessment.figures(s, made["a"], 2027) == A_2027
        # The first minutes of 2027 in Beijing are still 2026 in UTC: not a 2026 inspection.
        a_2026 = assessment.figures(s, made["a"], 2026)
        assert (a_2026["inspections_done"], a_2026["cases_handled"], a_2026["cases_closed"],
                a_2026["cases_closed_in_time"], a_2026["training_hours"]) == (0, 1, 1, 1, 4.0)
        assert a_2026["on_time_rate"] is None and a_2026["closed_in_time_rate"] == 1.0
        a_2028 = assessment.figures(s, made["a"], 2028)
        assert (a_2028["inspections_done"], a_2028["inspections_with_due"],
                a_2028["inspections_on_time"], a_2028["on_time_rate"]) == (1, 1, 1, 1.0)
        assert (a_2028["cases_handled"], a_2028["training_hours"]) == (0, 0.0)
        b_2027 = assessment.figures(s, made["b"], 2027)
        assert (b_2027["inspections_done"], b_2027["cases_handled"], b_2027["cases_closed"],
                b_2027["cases_closed_in_time"], b_2027["training_hours"]) == (0, 2, 2, 2, 0.0)
        with pytest.raises(NotFound):
            assessment.figures(s, 2_000_000_000, 2027)


def test_trainings_total_hours_per_year(committed, sessions):  # noqa: F811
    made = build(committed, sessions)
    with sessions() as s:
        listed = assessment.trainings(s, made["a"])
    assert [r["held_on"] for r in listed["items"]] == ["2027-11-20", "2027-03-15", "2026-12-31"]
    assert listed["hours_by_year"] == [{"year": 2027, "hours": 20.5},
                                       {"year": 2026, "hours": 4.0}]
    assert listed["total_hours"] == 24.5
    with sessions() as s:
        audited = s.execute(text("SELECT count(*) FROM audit_log WHERE action = 'add_training' "
                                 "AND entity = 'officer' AND entity_id = :o"),
                            {"o": str(made["a"])}).scalar_one()
    assert audited == 3


@pytest.mark.parametrize("hours", [0, -1, 1000.5, 1001, 1.25, "x", None, True])
def test_bad_hours_are_refused(committed, sessions, hours):  # noqa: F811
    officer = committed.inspector(lon=SITE[0], lat=SITE[1])
    with time_machine.travel(FROZEN, tick=False), sessions() as s:
        with pytest.raises(Unprocessable):
            assessment.add_training(s, officer, course="课程", hours=hours,
                                    held_on=date(2027, 1, 1), provider=None, actor="tests")
        s.rollback()


def test_a_course_held_tomorrow_in_beijing_is_refused(committed, sessions):  # noqa: F811
    officer = committed.inspector(lon=SITE[0], lat=SITE[1])
    committed.undo("DELETE FROM officer_trainings WHERE officer_id = :o", o=officer)
    # 2027-06-30 16:30 UTC is already 2027-07-01 00:30 in Beijing.
    with time_machine.travel("2027-06-30T16:30:00Z", tick=False), unit_of_work(sessions) as s:
        assessment.add_training(s, officer, course="课程", hours=1000,
                                held_on=date(2027, 7, 1), provider=None, actor="tests")
        with pytest.raises(Unprocessable):
            assessment.add_training(s, officer, course="课程", hours=2,
                                    held_on=date(2027, 7, 2), provider=None, actor="tests")


def test_assessment_draft_review_and_unit_report(committed, sessions):  # noqa: F811
    made = build(committed, sessions)
    a = made["a"]
    with unit_of_work(sessions) as s:
        draft = assessment.create_assessment(s, a, 2027, actor="tests-admin")
    assert draft["status"] == "draft" and draft["grade"] is None
    assert {k: v for k, v in draft["figures"].items() if k != "notes"} == \
        {k: v for k, v in A_2027.items() if k != "notes"}
    assert draft["figures"]["notes"] == []
    with sessions() as s, pytest.raises(Conflict):
        assessment.create_assessment(s, a, 2027, actor="tests-admin")
    with sessions() as s:
        with pytest.raises(Unprocessable):
            assessment.review(s, a, 2027, grade="incompetent", comment="  ", actor="tests-admin")
        with pytest.raises(Unprocessable):
            assessment.review(s, a, 2027, grade=None, comment=None, actor="tests-admin")
        with pytest.raises(NotFound):
            assessment.review(s, a, 2026, grade="competent", comment=None, actor="tests-admin")
    with time_machine.travel(FROZEN, tick=False), unit_of_work(sessions) as s:
        done = assessment.review(s, a, 2027, grade="competent", comment=None,
                                 actor="tests-admin")
    assert (done["grade"], done["reviewer"], done["status"]) == ("competent", "tests-admin",
                                                                  "reviewed")
    assert done["reviewed_at"].startswith("2028-02-01T02:00:00")
    assert done["grade_text"].render("zh") == "称职"
    with sessions() as s:
        report = assessment.unit_report(s, [COUNTY], 2027)
    (unit,) = report["units"]
    mine = {o["id"]: o for o in unit["officers"]}
    assert mine[a]["grade"] == "competent" and mine[a]["assessment"] == "reviewed"
    assert mine[a]["figures"]["inspections_done"] == 5
    assert mine[made["b"]]["grade"] is None and mine[made["b"]]["assessment"] is None
    totals = unit["totals"]
    for key in assessment.SUMMED:
        assert totals[key] == sum(o["figures"][key] for o in unit["officers"])
    assert totals["officers"] == len(unit["officers"])
    assert totals["grades"]["competent"] >= 1
    assert totals["inspections_done"] >= 5 and totals["cases_handled"] >= 5

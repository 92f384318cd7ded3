"""Working-day arithmetic across weekends, holidays and make-up working days."""
import time
from datetime import date

import pytest
from sqlalchemy import text

from dispatch.calendar import official
from dispatch.calendar import service as calendar_service
from dispatch.calendar.service import WorkingCalendar
from geo.core.db import unit_of_work

# 2026 National Day as the State Council set it: Oct 1–7 off; Sunday Sep 20 and Saturday Oct 10
# are make-up working days (Mid-Autumn, Sep 25–27, is a holiday of its own).
NATIONAL_DAY = {**{date(2026, 10, d): "holiday" for d in range(1, 8)},
                date(2026, 9, 20): "workday", date(2026, 10, 10): "workday"}


def test_five_working_days_from_a_thursday_skip_the_weekend():
    cal = WorkingCalendar()
    assert cal.add_working_days(date(2026, 11, 26), 5) == date(2026, 12, 3)


def test_a_friday_complaint_is_due_the_next_friday():
    assert WorkingCalendar().add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)


def test_holidays_are_skipped_and_make_up_days_count():
    cal = WorkingCalendar(NATIONAL_DAY)
    # Received Wed Sep 30: Oct 1-7 are holidays, Oct 8 Thu, 9 Fri, 10 Sat (make-up), 12 Mon, 13 Tue.
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert cal.is_working_day(date(2026, 9, 20))  # a Sunday that is worked
    assert not cal.is_working_day(date(2026, 10, 5))  # a Monday that is a holiday


def test_sixty_working_days_is_twelve_weeks_without_holidays():
    assert WorkingCalendar().add_working_days(date(2026, 1, 5), 60) == date(2026, 3, 30)


def test_working_days_between_counts_the_end_not_the_start():
    cal = WorkingCalendar()
    assert cal.working_days_between(date(2026, 11, 27), date(2026, 12, 4)) == 5
    assert cal.working_days_between(date(2026, 12, 4), date(2026, 11, 27)) == -5
    assert cal.working_days_between(date(2026, 11, 28), date(2026, 11, 29)) == 0


def test_zero_days_is_the_start_and_negative_is_refused():
    cal = WorkingCalendar()
    assert cal.add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 28)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 11, 28), -1)


# The calendar the migration seeded from the State Council schedule (chinese-calendar).

def test_the_package_carries_the_2026_schedule_as_published():
    days = official.schedule()
    spring = [d for d, (kind, name) in days.items() if name == "spring_festival" and d.year == 2026]
    assert [d for d in spring if days[d][0] == "holiday"] == [date(2026, 2, d) for d in range(15, 24)]
    assert [d for d in spring if days[d][0] == "workday"] == [date(2026, 2, 14), date(2026, 2, 28)]
    national = [d for d, (_, name) in days.items() if name == "national_day" and d.year == 2026]
    assert [d for d in national if days[d][0] == "holiday"] == [date(2026, 10, d) for d in range(1, 8)]
    assert [d for d in national if days[d][0] == "workday"] == [date(2026, 9, 20), date(2026, 10, 10)]
    assert days[date(2026, 9, 25)] == ("holiday", "mid_autumn_festival")


def test_every_covered_year_is_seeded_with_the_official_days(db):
    rows = {d: (kind, name) for d, kind, name in db.execute(text(
        "SELECT day, kind, name FROM holidays WHERE source = 'official'"))}
    assert rows == official.schedule()  # tests that change a day put it back
    loaded = dict(db.execute(text("SELECT year, source FROM calendar_years")).all())
    assert all(loaded[y] == "official" for y in official.years())
    assert {2004, 2025, 2026} <= set(official.years())


def test_spring_festival_2026_deadlines_skip_the_holiday_and_count_make_up_saturdays(db):
    cal = WorkingCalendar.load(db)
    assert cal.covers(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 2, 14)) and cal.is_working_day(date(2026, 2, 28))
    assert not any(cal.is_working_day(date(2026, 2, d)) for d in range(15, 24))
    # Friday Feb 13: Sat 14 (make-up) is the first, then Tue 24 to Fri 27.
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert cal.add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 26)
    # 14, 24, 25, 26, 27 and the make-up Saturday 28.
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert cal.working_days_between(date(2026, 2, 28), date(2026, 2, 13)) == -6


def test_national_day_2026_deadlines_skip_mid_autumn_and_national_day(db):
    cal = WorkingCalendar.load(db)
    # Friday Sep 18: Sun 20 (make-up), 21, 22, 23, 24; Fri 25 is Mid-Autumn.
    assert cal.add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 24)
    # Friday Sep 25 (itself a holiday): 28, 29, 30, then Oct 8 and 9.
    assert cal.add_working_days(date(2026, 9, 25), 5) == date(2026, 10, 9)
    # Tuesday Sep 29: 30, Oct 8, 9, Sat 10 (make-up), Mon 12.
    assert cal.add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    # 20-24 (5), 28-30 (3), Oct 8-10 (3), Oct 12 (1).
    assert cal.working_days_between(date(2026, 9, 18), date(2026, 10, 12)) == 12
    assert cal.working_days_between(date(2026, 10, 1), date(2026, 10, 7)) == 0


def test_a_year_without_a_schedule_counts_monday_to_friday(db):
    cal = WorkingCalendar.load(db)
    assert not cal.covers(date(2031, 10, 1))
    assert cal.is_working_day(date(2031, 10, 1))  # a Wednesday: no National Day known yet
    assert not cal.is_working_day(date(2031, 10, 4))
    assert cal.add_working_days(date(2031, 10, 3), 5) == date(2031, 10, 10)
    assert cal.working_days_between(date(2031, 9, 30), date(2031, 10, 7)) == 5


def test_the_fingerprint_query_matches_the_rows_a_worker_holds(db):
    cal = WorkingCalendar.load(db)
    assert db.execute(calendar_service.FINGERPRINT).scalar_one() == \
        calendar_service._fingerprint(cal.exceptions, cal.years)


def test_a_change_committed_elsewhere_reaches_the_next_load(db, sessions):
    assert WorkingCalendar.load(db).is_working_day(date(2031, 10, 1))
    db.rollback()
    try:
        with unit_of_work(sessions) as s:  # another worker, say
            s.execute(text("INSERT INTO holidays (day, kind, name, source) "
                           "VALUES ('2031-10-01', 'holiday', 'national_day', 'admin')"))
        assert not WorkingCalendar.load(db).is_working_day(date(2031, 10, 1))
        db.rollback()
        with unit_of_work(sessions) as s:  # a change back to the old kind, same row count
            s.execute(text("UPDATE holidays SET kind = 'workday' WHERE day = '2031-10-01'"))
        assert WorkingCalendar.load(db).is_working_day(date(2031, 10, 1))
    finally:
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM holidays WHERE day = '2031-10-01'"))
    db.rollback()
    assert WorkingCalendar.load(db).exceptions.get(date(2031, 10, 1)) is None


def test_a_change_in_the_same_transaction_is_seen_before_it_commits(db):
    db.execute(text("INSERT INTO holidays (day, kind, source) VALUES ('2031-10-02', 'holiday', "
                    "'admin')"))
    assert not WorkingCalendar.load(db).is_working_day(date(2031, 10, 2))
    db.rollback()
    assert WorkingCalendar.load(db).is_working_day(date(2031, 10, 2))


def test_loading_the_calendar_is_cheap(db, capsys):
    """~800 rows: the fingerprint check replaces the full read while nothing changed."""
    WorkingCalendar.load(db)
    n = 50
    started = time.perf_counter()
    for _ in range(n):
        WorkingCalendar.load(db)
    cached = (time.perf_counter() - started) / n
    started = time.perf_counter()
    for _ in range(n):
        calendar_service._loaded = None
        WorkingCalendar.load(db)
    full = (time.perf_counter() - started) / n
    with capsys.disabled():
        print(f"\ncalendar load: {cached * 1000:.2f} ms with the fingerprint, "
              f"{full * 1000:.2f} ms reading every row")
    assert cached < 0.05


def test_loading_the_package_again_repairs_official_days_and_keeps_the_admins(db):
    assert calendar_service.load_official(db, actor="tests")["days"] == 0  # as seeded
    db.execute(text("UPDATE holidays SET kind = 'holiday' WHERE day = '2026-10-10'"))
    db.execute(text("DELETE FROM holidays WHERE day = '2026-02-14'"))
    db.execute(text("INSERT INTO holidays (day, kind, source) VALUES ('2026-03-03', 'holiday', "
                    "'official')"))  # a day the schedule does not name
    db.execute(text("UPDATE holidays SET kind = 'workday', source = 'admin' "
                    "WHERE day = '2026-10-01'"))
    db.execute(text("UPDATE calendar_years SET source = 'admin' WHERE year = 2025"))
    done = calendar_service.load_official(db, actor="tests")
    assert (done["days"], done["years"]) == (3, [2025])
    cal = WorkingCalendar.load(db)
    assert cal.is_working_day(date(2026, 10, 10)) and cal.is_working_day(date(2026, 2, 14))
    assert cal.is_working_day(date(2026, 3, 3))
    assert cal.is_working_day(date(2026, 10, 1))  # the administrator's day stays
    assert db.execute(text("SELECT source FROM calendar_years WHERE year = 2025")
                      ).scalar_one() == "official"
    db.rollback()

"""Working-day arithmetic across weekends, holidays and make-up working days."""
from datetime import date

import pytest

from dispatch.calendar.service import WorkingCalendar

# 2026 National Day: Oct 1–7 off; Sunday Sep 27 and Saturday Oct 10 are make-up working days.
NATIONAL_DAY = {**{date(2026, 10, d): "holiday" for d in range(1, 8)},
                date(2026, 9, 27): "workday", date(2026, 10, 10): "workday"}


def test_five_working_days_from_a_thursday_skip_the_weekend():
    cal = WorkingCalendar()
    assert cal.add_working_days(date(2026, 11, 26), 5) == date(2026, 12, 3)


def test_a_friday_complaint_is_due_the_next_friday():
    assert WorkingCalendar().add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)


def test_holidays_are_skipped_and_make_up_days_count():
    cal = WorkingCalendar(NATIONAL_DAY)
    # Received Wed Sep 30: Oct 1-7 are holidays, Oct 8 Thu, 9 Fri, 10 Sat (make-up), 12 Mon, 13 Tue.
    assert cal.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert cal.is_working_day(date(2026, 9, 27))  # a Sunday that is worked
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

"""Working days: weekdays, minus public holidays (法定节假日), plus make-up working days (调休)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.calendar.models import Holiday


class WorkingCalendar:
    """A calendar with exceptions: {day: 'holiday' | 'workday'}."""

    def __init__(self, exceptions: dict[date, str] | None = None):
        self.exceptions = dict(exceptions or {})

    @classmethod
    def load(cls, session: Session) -> "WorkingCalendar":
        return cls({h.day: h.kind for h in session.scalars(select(Holiday))})

    def is_working_day(self, day: date) -> bool:
        kind = self.exceptions.get(day)
        if kind is not None:
            return kind == "workday"
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the start day itself is not counted)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        day, left = start, n
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(self.is_working_day(start + timedelta(days=i))
                   for i in range(1, (end - start).days + 1))

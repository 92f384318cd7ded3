"""The State Council's holiday schedule (国务院办公厅 notices) as the chinese-calendar package ships it.

Days are stored with the holiday's code as their name (`national_day`); the reader's language
comes from the catalog (`calendar.holiday.national_day` → 国庆节) when the day is shown.
"""
from __future__ import annotations

from datetime import date
from functools import cache
from importlib.metadata import version

from chinese_calendar import constants

from geo.core.text import Text

HOLIDAY_CODES = tuple(h.name for h in constants.Holiday)


def package_version() -> str:
    return f"chinese-calendar {version('chinese-calendar')}"


@cache
def schedule() -> dict[date, tuple[str, str]]:
    """{day: (kind, holiday code)} for every day the package names: holidays and make-up days."""
    code = {h.value: h.name for h in constants.Holiday}
    days = {day: ("holiday", code[name]) for day, name in constants.holidays.items()}
    days.update({day: ("workday", code[name]) for day, name in constants.workdays.items()})
    return days


@cache
def years() -> tuple[int, ...]:
    """The years whose schedule the package carries."""
    return tuple(sorted({day.year for day in schedule()}))


def official_day(day: date) -> tuple[str, str] | None:
    """(kind, holiday code) of a day the official schedule names, else None."""
    return schedule().get(day) if day.year in years() else None


def holiday_name(name: str | None) -> Text | str | None:
    """A stored name for the reader: a holiday code through the catalog, other names as typed."""
    if name in HOLIDAY_CODES:
        return Text(f"calendar.holiday.{name}")
    return name

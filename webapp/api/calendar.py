"""The working-day calendar: official holidays and make-up days, administrators' overrides."""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

from flask import Blueprint, jsonify

from dispatch.calendar import service as calendar
from geo.core import clock
from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.api.dispatch import committed
from webapp.core.apidoc import accepts, errors
from webapp.core.auth import roles
from webapp.core.body import field, json_object
from webapp.core.context import actor, db
from webapp.core.params import Param, query
from webapp.core.schemas import Schema, returns

bp = Blueprint("calendar_api", __name__)
READ = ("admin", "dispatcher", "command")
KIND = Literal["holiday", "workday"]
SOURCE = Literal["official", "admin"]
RANGE = {"first": calendar.FIRST_YEAR, "last": calendar.LAST_YEAR}


class CalendarDayOfficial(Schema):
    """What the State Council schedule says of a day an administrator changed."""

    kind: KIND
    kind_text: str
    name: str | None


class CalendarDay(Schema):
    """A public holiday or a make-up working day; `name` is in the reader's language."""

    day: str
    kind: KIND
    kind_text: str
    name: str | None
    holiday: str | None  # the holiday's code (national_day…) when it is one of the official ones
    source: SOURCE
    source_text: str
    updated_by: str | None
    official: CalendarDayOfficial | None


class ScheduleYear(Schema):
    year: int
    source: SOURCE
    source_text: str
    loaded_at: str
    loaded_by: str | None


class HolidayCalendar(Schema):
    items: list[CalendarDay]
    years_loaded: list[int]
    missing_years: list[int]  # this year or next, when no schedule is entered
    warning: str | None
    years: list[ScheduleYear]


class CalendarDayRemoved(Schema):
    day: str
    restored: CalendarDay | None  # the official value now in force, or none: an ordinary day


def _day(raw: str) -> date:
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("calendar.error.day_format"), {"parameter": "day"}) from None
    if not calendar.FIRST_YEAR <= day.year <= calendar.LAST_YEAR:
        raise InvalidInput(Text("calendar.error.day_range", **RANGE), {"parameter": "day"})
    return day


def _year(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{4}", raw):
        raise InvalidInput(Text("calendar.error.year_format"), {"parameter": "year"})
    if not calendar.FIRST_YEAR <= int(raw) <= calendar.LAST_YEAR:
        raise InvalidInput(Text("calendar.error.year_range", **RANGE), {"parameter": "year"})
    return int(raw)


@bp.get("/api/v1/holidays")
@roles(*READ)
@query(Param("year", "only this year's days", type="integer", minimum=calendar.FIRST_YEAR,
             maximum=calendar.LAST_YEAR))
@returns(HolidayCalendar)
def list_holidays(year):
    """The holiday calendar: public holidays and make-up working days, and years missing."""
    return jsonify({"items": calendar.days(db(), year=year),
                    **calendar.schedule_status(db(), clock.today()),
                    "years": calendar.years(db())})


@bp.put("/api/v1/holidays/<day>")
@roles("admin")
@accepts({"kind": {"type": "string", "enum": list(calendar.KINDS)}, "name": {"type": "string"}},
         ("kind",))
@returns(CalendarDay)
def put_holiday(day: str):
    """Mark a day as a public holiday or a make-up working day (调休), overriding the schedule."""
    when = _day(day)
    body = json_object()
    kind = field(body, "kind", choices=calendar.KINDS)
    name = (field(body, "name", required=False) or "").strip() or None
    return committed(calendar.set_day(db(), when, kind=kind, name=name, actor=actor()))


@bp.delete("/api/v1/holidays/<day>")
@roles("admin")
@errors("404", "409")
@returns(CalendarDayRemoved)
def delete_holiday(day: str):
    """Take back an administrator's day: the official schedule applies again, or a plain day."""
    when = _day(day)
    restored = calendar.remove_override(db(), when, actor=actor())
    return committed({"day": when.isoformat(), "restored": restored})


@bp.put("/api/v1/holiday-years/<year>")
@roles("admin")
@errors("409")
@returns(ScheduleYear)
def put_holiday_year(year: str):
    """Record that a year's schedule has been entered by hand: its missing warning stops."""
    return committed(calendar.mark_year(db(), _year(year), actor=actor()))


@bp.delete("/api/v1/holiday-years/<year>")
@roles("admin")
@errors("404", "409")
def delete_holiday_year(year: str):
    """Take back a hand-entered year's mark: the year counts as missing again."""
    calendar.unmark_year(db(), _year(year), actor=actor())
    return committed({"year": int(year), **calendar.schedule_status(db(), clock.today())})

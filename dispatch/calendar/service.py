"""Working days: weekdays, minus public holidays (法定节假日), plus make-up working days (调休).

The official schedule is seeded from the State Council notices (migration 0007, see
dispatch.calendar.official); administrators add or override days and mark a year entered by
hand. A day in a year nobody has entered is an ordinary day: Monday to Friday are worked.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy import delete, extract, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from dispatch.calendar import official
from dispatch.calendar.models import CalendarYear, Holiday
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, NotFound
from geo.core.text import Text

KINDS = ("holiday", "workday")
FIRST_YEAR, LAST_YEAR = 2000, 2099  # days and years an administrator may enter

# What the calendar holds, in one statement (one snapshot), hashed by PostgreSQL: compared with
# the hash of the rows a worker holds, it tells whether they are still current.
FINGERPRINT = text("""
    SELECT md5(coalesce((SELECT string_agg(to_char(day, 'YYYYMMDD') || kind, ',' ORDER BY day)
                         FROM holidays), '')
               || '|' || coalesce((SELECT string_agg(year::text, ',' ORDER BY year)
                                   FROM calendar_years), ''))""")
_loaded: tuple[str, dict[date, str], frozenset[int]] | None = None  # this process's last load


def _fingerprint(exceptions: dict[date, str], years) -> str:
    """The FINGERPRINT of these rows, computed in Python."""
    days = ",".join(f"{d:%Y%m%d}{kind}" for d, kind in sorted(exceptions.items()))
    return hashlib.md5(f"{days}|{','.join(map(str, sorted(years)))}".encode()).hexdigest()


class WorkingCalendar:
    """A calendar with exceptions {day: 'holiday' | 'workday'} and the years it has schedules for."""

    def __init__(self, exceptions: dict[date, str] | None = None, years=()):
        self.exceptions = dict(exceptions or {})
        self.years = frozenset(years)

    @classmethod
    def load(cls, session: Session) -> "WorkingCalendar":
        """The calendar in the database; each process keeps the last one while it is current.

        A cheap fingerprint query decides (correct across gunicorn workers and inside a
        transaction that has just changed a day); the rows are read again only after a change.
        """
        global _loaded
        held = _loaded
        if held is None or session.execute(FINGERPRINT).scalar_one() != held[0]:
            exceptions = dict(session.execute(select(Holiday.day, Holiday.kind)).all())
            years = frozenset(session.scalars(select(CalendarYear.year)))
            # The key is computed from the rows read, so it always describes exactly them.
            held = _loaded = (_fingerprint(exceptions, years), exceptions, years)
        return cls(held[1], held[2])

    def covers(self, day: date) -> bool:
        """Whether the day's year has a schedule (official or entered by hand)."""
        return day.year in self.years

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


# The calendar as administrators see and edit it.

def _day_view(h: Holiday) -> dict:
    out = {"day": h.day.isoformat(), "kind": h.kind, "kind_text": Text(f"calendar.kind.{h.kind}"),
           "name": official.holiday_name(h.name),
           "holiday": h.name if h.name in official.HOLIDAY_CODES else None,
           "source": h.source, "source_text": Text(f"calendar.source.{h.source}"),
           "updated_by": h.updated_by, "official": None}
    if h.source == "admin" and (was := official.official_day(h.day)) is not None:
        out["official"] = {"kind": was[0], "kind_text": Text(f"calendar.kind.{was[0]}"),
                           "name": official.holiday_name(was[1])}
    return out


def _year_view(y: CalendarYear) -> dict:
    return {"year": y.year, "source": y.source, "source_text": Text(f"calendar.source.{y.source}"),
            "loaded_at": y.loaded_at.isoformat(), "loaded_by": y.loaded_by}


def days(session: Session, *, year: int | None = None) -> list[dict]:
    """Holidays and make-up working days, by date; one year's or all."""
    q = select(Holiday).order_by(Holiday.day)
    if year is not None:
        q = q.where(Holiday.day >= date(year, 1, 1), Holiday.day < date(year + 1, 1, 1))
    return [_day_view(h) for h in session.scalars(q)]


def years(session: Session) -> list[dict]:
    """The years with a schedule, official or entered by hand."""
    return [_year_view(y) for y in session.scalars(select(CalendarYear).order_by(CalendarYear.year))]


def schedule_status(session: Session, today: date | None = None) -> dict:
    """Loaded years, this year and next if missing, and the warning an administrator should see."""
    today = today or clock.today()
    loaded = sorted(session.scalars(select(CalendarYear.year)))
    missing = [y for y in (today.year, today.year + 1) if y not in loaded]
    return {"years_loaded": loaded, "missing_years": missing, "warning": warning(missing)}


def warning(missing: list[int]) -> Text | None:
    """Which years count as ordinary weekdays for want of a schedule."""
    if not missing:
        return None
    if len(missing) == 1:
        return Text("calendar.warning.missing_year", year=missing[0])
    return Text("calendar.warning.missing_years", first=missing[0], second=missing[1])


def set_day(session: Session, day: date, *, kind: str, name: str | None,
            actor: str | None) -> dict:
    """Enter or override one day by hand (source 'admin'), audited."""
    row = session.get(Holiday, day, with_for_update=True)
    before = row and {"kind": row.kind, "name": row.name, "source": row.source}
    if row is None:
        row = Holiday(day=day)
        session.add(row)
    row.kind, row.name, row.source, row.updated_by = kind, name, "admin", actor
    audit.record(session, actor=actor, action="put", entity="holiday", entity_id=day.isoformat(),
                 before=before, after={"kind": kind, "name": name, "source": "admin"})
    session.flush()
    return _day_view(row)


def remove_override(session: Session, day: date, *, actor: str | None) -> dict | None:
    """Take back an administrator's day: the official value returns, or the day is ordinary."""
    row = session.get(Holiday, day, with_for_update=True)
    if row is None:
        raise NotFound(Text("calendar.error.no_override", day=day.isoformat()),
                       {"day": day.isoformat()})
    if row.source == "official":
        raise Conflict(Text("calendar.error.official_day", day=day.isoformat()),
                       {"day": day.isoformat()})
    before = {"kind": row.kind, "name": row.name, "source": row.source}
    restored = official.official_day(day)
    if restored is None:
        session.delete(row)
    else:
        row.kind, row.name, row.source, row.updated_by = *restored, "official", None
    after = restored and {"kind": restored[0], "name": restored[1], "source": "official"}
    audit.record(session, actor=actor, action="delete", entity="holiday",
                 entity_id=day.isoformat(), before=before, after=after)
    session.flush()
    return None if restored is None else _day_view(row)


def mark_year(session: Session, year: int, *, actor: str | None) -> dict:
    """Record that an administrator has entered a year's schedule by hand, audited."""
    row = session.get(CalendarYear, year, with_for_update=True)
    if row is not None and row.source == "official":
        raise Conflict(Text("calendar.error.official_year", year=year), {"year": year})
    before = row and _year_view(row)
    if row is None:
        row = CalendarYear(year=year, source="admin")
        session.add(row)
    row.loaded_at, row.loaded_by = clock.now(), actor
    session.flush()
    after = _year_view(row)
    audit.record(session, actor=actor, action="put", entity="calendar_year", entity_id=year,
                 before=before and _plain(before), after=_plain(after))
    return after


def unmark_year(session: Session, year: int, *, actor: str | None) -> None:
    """Take back `mark_year`: the year counts as missing again (its days stay), audited."""
    row = session.get(CalendarYear, year, with_for_update=True)
    if row is None or row.source != "admin":
        if row is not None:
            raise Conflict(Text("calendar.error.official_year", year=year), {"year": year})
        raise NotFound(Text("calendar.error.year_not_marked", year=year), {"year": year})
    before = _plain(_year_view(row))
    session.delete(row)
    audit.record(session, actor=actor, action="delete", entity="calendar_year", entity_id=year,
                 before=before)
    session.flush()


def load_official(session: Session, *, actor: str | None) -> dict:
    """Bring the official days up to the installed chinese-calendar (after an upgrade), audited.

    Days an administrator entered stay; a year marked by hand becomes official once covered.
    """
    stmt = insert(Holiday).values([
        {"day": d, "kind": kind, "name": name, "source": "official"}
        for d, (kind, name) in sorted(official.schedule().items())])
    changed = session.execute(stmt.on_conflict_do_update(
        index_elements=["day"], set_={"kind": stmt.excluded.kind, "name": stmt.excluded.name},
        where=(Holiday.source == "official")
        & ((Holiday.kind != stmt.excluded.kind) | Holiday.name.is_distinct_from(stmt.excluded.name))
    ).returning(Holiday.day)).scalars().all()
    stale = session.execute(delete(Holiday).where(
        Holiday.source == "official", extract("year", Holiday.day).in_(official.years()),
        Holiday.day.not_in(list(official.schedule()))).returning(Holiday.day)).scalars().all()
    loaded_by = official.package_version()
    years = session.execute(insert(CalendarYear).values([
        {"year": y, "source": "official", "loaded_at": clock.now(), "loaded_by": loaded_by}
        for y in official.years()]).on_conflict_do_update(
        index_elements=["year"], set_={"source": "official", "loaded_at": clock.now(),
                                       "loaded_by": loaded_by},
        where=CalendarYear.source == "admin").returning(CalendarYear.year)).scalars().all()
    result = {"days": len(changed) + len(stale), "years": sorted(years), "package": loaded_by}
    audit.record(session, actor=actor, action="load_official", entity="holiday_schedule",
                 entity_id=loaded_by, after=result)
    session.expire_all()
    return result


def _plain(view: dict) -> dict:
    """A view without its translated texts (audit rows hold codes)."""
    return {k: v for k, v in view.items() if not isinstance(v, Text)}

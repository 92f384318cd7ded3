"""Check items (检查事项) of random inspections, and their yearly coverage per area.

The bureau's list lives in `check_items` (seeded by migration 0008, names as the bureau
writes them); answers name each item from the catalogs by its code, so English readers
read English. Coverage counts the employers drawn for an item in a Beijing calendar year
against the supervised employers of the area (DOMAIN.md: at least 5 % a year per item).
"""
from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.inspections.models import CheckItem
from geo.areas.service import county_adcodes, find_area
from geo.core import clock
from geo.core.errors import Unprocessable
from geo.core.text import DEFAULT_LANGUAGE, Joined, Text, catalog

YEARS = (2000, 2100)  # years a coverage question can sensibly be about


def name_text(code: str, name: str) -> Text | str:
    """An item's name in the reader's language; the bureau's own name for an item the
    catalogs do not know (one an administrator added)."""
    key = f"random_checks.item.{code}"
    return Text(key) if key in catalog(DEFAULT_LANGUAGE) else name


def serialise(item: CheckItem) -> dict:
    return {"code": item.code, "name": item.name, "name_text": name_text(item.code, item.name),
            "legal_basis": item.legal_basis, "active": item.active}


def active(session: Session) -> list[CheckItem]:
    return list(session.scalars(select(CheckItem).where(CheckItem.active)
                                .order_by(CheckItem.code)))


def listing(session: Session) -> list[dict]:
    """The active check items, by code."""
    return [serialise(i) for i in active(session)]


def require_active(session: Session, code) -> CheckItem:
    """The active check item with this code, or 422 naming the ones there are."""
    found = session.get(CheckItem, code) if isinstance(code, str) else None
    if found is None or not found.active:
        items = active(session)
        raise Unprocessable(
            Text("random_checks.error.unknown_check_item", code=code,
                 known=Joined((Text("random_checks.item_choice", code=i.code,
                                    name=name_text(i.code, i.name)) for i in items),
                              "dispatch.list.comma")),
            {"parameter": "check_item", "known": [i.code for i in items]})
    return found


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The instants a Beijing calendar year starts and ends (end excluded)."""
    return (datetime(year, 1, 1, tzinfo=clock.BEIJING),
            datetime(year + 1, 1, 1, tzinfo=clock.BEIJING))


def coverage(session: Session, *, area: str, year: int | None, target_share: float) -> dict:
    """Per check item: supervised employers in the area, employers drawn for the item in the
    Beijing year, their share and whether it reaches the target share."""
    if year is None:
        year = clock.today().year
    if not YEARS[0] <= year <= YEARS[1]:
        raise Unprocessable(Text("random_checks.error.year_range", low=YEARS[0], high=YEARS[1]),
                            {"parameter": "year"})
    found = find_area(session, area)
    counties = county_adcodes(session, area)
    supervised = session.execute(text(
        "SELECT count(*) FROM employers WHERE county_adcode = ANY(:c)"),
        {"c": counties}).scalar_one()
    start, end = year_bounds(year)
    # Draws of any area that reached into this one: their drawn employers in its counties.
    drawn = dict(session.execute(text("""
        SELECT d.check_item, count(DISTINCT (x ->> 'employer_id')::bigint)
        FROM random_draws d CROSS JOIN LATERAL jsonb_array_elements(d.result -> 'items') x
        WHERE d.drawn_at >= :start AND d.drawn_at < :end
          AND x ->> 'county_adcode' = ANY(:c)
        GROUP BY d.check_item
    """), {"start": start, "end": end, "c": counties}).all())
    items = {i.code: i for i in active(session)}
    for code in sorted(set(drawn) - set(items)):  # an item since retired still shows its year
        retired = session.get(CheckItem, code)
        if retired is not None:
            items[code] = retired
    needed = math.ceil(target_share * supervised - 1e-9)
    rows = []
    for code in sorted(items):
        item, count = items[code], drawn.get(code, 0)
        rows.append({"code": code, "name_text": name_text(code, item.name),
                     "legal_basis": item.legal_basis, "active": item.active,
                     "supervised_employers": supervised, "drawn_employers": count,
                     "share": round(count / supervised, 4) if supervised else None,
                     "target_share": target_share, "needed": needed, "met": count >= needed})
    return {"area": area, "area_name": found["name"], "year": year,
            "supervised_employers": supervised, "target_share": target_share, "items": rows}

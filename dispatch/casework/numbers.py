"""Document numbers (文书编号) and the issuing bureau of a county.

A number is `<county short name>人社监<kind>〔<year>〕<n>号`, n counting per county, year and
kind from 1. The counter row is taken with INSERT … ON CONFLICT DO UPDATE … RETURNING, so
concurrent decisions get distinct consecutive numbers (the row lock serialises them).
"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.text import Text

_SUFFIX = re.compile(r"(?:自治县|回族区|新区|区|县|市)$")


def next_number(session: Session, *, county: str, year: int, kind: str) -> str:
    n = session.execute(text("""
        INSERT INTO document_numbers (county_adcode, year, kind, last) VALUES (:c, :y, :k, 1)
        ON CONFLICT (county_adcode, year, kind) DO UPDATE SET last = document_numbers.last + 1
        RETURNING last"""), {"c": county, "y": year, "k": kind}).scalar_one()
    return Text("casework.number", short=short_name(session, county),
                kind=Text(f"casework.number_kind.{kind}"), year=year, n=n).render("zh")


def _names(session: Session, county: str) -> tuple[str, str | None]:
    row = session.execute(text("""
        SELECT a.name, p.name FROM admin_areas a
        LEFT JOIN admin_areas p ON p.adcode = a.parent_adcode AND p.level = 'city'
        WHERE a.adcode = :c"""), {"c": county}).first()
    return (row[0], row[1]) if row else (county, None)


def short_name(session: Session, county: str) -> str:
    name, _ = _names(session, county)
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


def bureau_name(session: Session, county: str) -> str:
    """The county's human-resources and social-security bureau, e.g. 郑州市中原区人力资源和
    社会保障局 (a county-level city is named on its own)."""
    name, city = _names(session, county)
    full = name if city is None or name.endswith("市") else f"{city}{name}"
    return Text("casework.bureau", area=full).render("zh")

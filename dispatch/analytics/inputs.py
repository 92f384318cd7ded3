"""Input fingerprints per county: what derived data (risk scores, hotspots) depends on.

A county's fingerprint changes whenever one of its employers, complaints or cases is
inserted, updated or deleted (or the warning of a project it builds changes): besides counts and max(updated_at) it sums the rows' `xmin`
(the id of the transaction that wrote each row version), which every UPDATE changes, even
one that forgets `updated_at`. The date and a settings digest are mixed in, because scores
depend on the day (12-month windows, days since inspection).
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

FINGERPRINT_SQL = """
WITH em AS (SELECT county_adcode, count(*) AS n, max(updated_at) AS m,
                   sum(xmin::text::bigint) AS x
            FROM employers WHERE county_adcode = ANY(:c) GROUP BY county_adcode),
co AS (SELECT county_adcode, count(*) AS n, max(id) AS m, sum(xmin::text::bigint) AS x
       FROM complaints WHERE county_adcode = ANY(:c) GROUP BY county_adcode),
ca AS (SELECT county_adcode, count(*) AS n, max(id) AS m, sum(xmin::text::bigint) AS x
       FROM cases WHERE county_adcode = ANY(:c) GROUP BY county_adcode),
pw AS (SELECT e.county_adcode, count(*) AS n, sum(w.xmin::text::bigint) AS x  -- by contractor
       FROM project_warnings w JOIN projects p ON p.id = w.project_id
       JOIN employers e ON e.id = p.contractor_id
       WHERE e.county_adcode = ANY(:c) GROUP BY e.county_adcode)
SELECT k.c, concat_ws('|', em.n, em.m, em.x, co.n, co.m, co.x, ca.n, ca.m, ca.x, pw.n, pw.x)
FROM unnest(CAST(:c AS text[])) AS k(c)
LEFT JOIN em ON em.county_adcode = k.c LEFT JOIN co ON co.county_adcode = k.c
LEFT JOIN ca ON ca.county_adcode = k.c LEFT JOIN pw ON pw.county_adcode = k.c
"""


def county_fingerprints(session: Session, counties: list[str], salt: str = "",
                        today: date | None = None) -> dict[str, str]:
    """{county adcode: digest of its employers, complaints and cases, the day and `salt`}."""
    day = (today or session.execute(text("SELECT current_date")).scalar_one()).isoformat()
    rows = session.execute(text(FINGERPRINT_SQL), {"c": list(counties)}).all()
    return {c: hashlib.md5(f"{raw}|{day}|{salt}".encode()).hexdigest() for c, raw in rows}


def combined(fingerprints: dict[str, str], salt: str = "") -> str:
    """One digest for a set of counties."""
    joined = "|".join(f"{c}:{fingerprints[c]}" for c in sorted(fingerprints))
    return hashlib.md5(f"{joined}|{salt}".encode()).hexdigest()

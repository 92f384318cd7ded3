"""Input fingerprints per county: what derived data (risk scores, hotspots) depends on.

A county's fingerprint changes whenever one of its employers, complaints or cases is
inserted, updated or deleted, by any statement (even one that forgets `updated_at`): it
reads the data-version counters the writes bump themselves (geo.core.versions), so it
costs an index read per county instead of a scan of the three tables. Project warnings
(few rows, attributed to the county of the project's builder) are still summed by `xmin`.
The date and a settings digest are mixed in, because scores depend on the day (12-month
windows, days since inspection).
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core import versions

INPUT_SCOPES = ("employers", "complaints", "cases")
WARNINGS_SQL = """
SELECT e.county_adcode, count(*)::text || ':' || sum(w.xmin::text::bigint)::text
FROM project_warnings w JOIN projects p ON p.id = w.project_id
JOIN employers e ON e.id = p.contractor_id
WHERE e.county_adcode = ANY(:c) GROUP BY e.county_adcode
"""


def county_fingerprints(session: Session, counties: list[str], salt: str = "",
                        today: date | None = None) -> dict[str, str]:
    """{county adcode: digest of its employers, complaints and cases, the day and `salt`}."""
    day = (today or session.execute(text("SELECT current_date")).scalar_one()).isoformat()
    counties = list(counties)
    counters = versions.per_county(session, INPUT_SCOPES, counties)
    warned = dict(session.execute(text(WARNINGS_SQL), {"c": counties}).all())
    return {c: hashlib.md5(f"{counters.get(c)}|{warned.get(c)}|{day}|{salt}".encode()).hexdigest()
            for c in counties}


def combined(fingerprints: dict[str, str], salt: str = "") -> str:
    """One digest for a set of counties."""
    joined = "|".join(f"{c}:{fingerprints[c]}" for c in sorted(fingerprints))
    return hashlib.md5(f"{joined}|{salt}".encode()).hexdigest()

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
WARNINGS_FROM = """
FROM project_warnings w JOIN projects p ON p.id = w.project_id
JOIN employers e ON e.id = p.contractor_id
WHERE e.county_adcode = ANY(:c) GROUP BY e.county_adcode
"""
WARNED = "count(*)::text || ':' || sum(w.xmin::text::bigint)::text"
WARNINGS_SQL = f"SELECT e.county_adcode, {WARNED} {WARNINGS_FROM}"
# With whether this transaction wrote one of them itself.
WARNINGS_OWN_SQL = (f"SELECT e.county_adcode, {WARNED}, "
                    f"bool_or(w.xmin = pg_current_xact_id()::xid) {WARNINGS_FROM}")


def county_fingerprints(session: Session, counties: list[str], salt: str = "",
                        today: date | None = None) -> dict[str, str]:
    """{county adcode: digest of its employers, complaints and cases, the day and `salt`}."""
    day = (today or session.execute(text("SELECT current_date")).scalar_one()).isoformat()
    counties = list(counties)
    counters = versions.per_county(session, INPUT_SCOPES, counties)
    warned = dict(session.execute(text(WARNINGS_SQL), {"c": counties}).all())
    return {c: _digest(counters.get(c), warned.get(c), day, salt) for c in counties}


def _digest(counters: str | None, warnings: str | None, day: str, salt: str) -> str:
    return hashlib.md5(f"{counters}|{warnings}|{day}|{salt}".encode()).hexdigest()


def fingerprints_before_after(session: Session, counties: list[str], salt: str = ""
                              ) -> dict[str, tuple[str | None, str]]:
    """{county: (its fingerprint without this transaction's own writes, with them)}; the
    first is None where this transaction wrote project warnings there (their part of the
    fingerprint cannot be taken back)."""
    counties = list(counties)
    day = session.execute(text("SELECT current_date")).scalar_one().isoformat()
    counters = versions.per_county_before_after(session, INPUT_SCOPES, counties)
    warned = {c: (w, own) for c, w, own in session.execute(text(WARNINGS_OWN_SQL),
                                                          {"c": counties})}
    out = {}
    for c in counties:
        before, after = counters.get(c, (None, None))
        w, own = warned.get(c, (None, False))
        out[c] = (None if own else _digest(before, w, day, salt), _digest(after, w, day, salt))
    return out


def combined(fingerprints: dict[str, str], salt: str = "") -> str:
    """One digest for a set of counties."""
    joined = "|".join(f"{c}:{fingerprints[c]}" for c in sorted(fingerprints))
    return hashlib.md5(f"{joined}|{salt}".encode()).hexdigest()

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
# Every county with the day, its warnings and whether this transaction wrote one itself.
WARNINGS_SQL = f"""
SELECT k.c, current_date, w.warned, w.own FROM unnest(CAST(:c AS text[])) AS k(c)
LEFT JOIN (SELECT e.county_adcode, {WARNED} AS warned,
                  coalesce(bool_or(w.xmin = pg_current_xact_id_if_assigned()::xid), false)
                  AS own {WARNINGS_FROM}) w
       ON w.county_adcode = k.c
"""


def county_fingerprints(session: Session, counties: list[str], salt: str = "") -> dict[str, str]:
    """{county adcode: digest of its employers, complaints and cases, the day and `salt`}."""
    return {c: after for c, (_, after) in fingerprints_before_after(session, counties, salt).items()}


def fingerprints_before_after(session: Session, counties: list[str], salt: str = ""
                              ) -> dict[str, tuple[str | None, str]]:
    """{county: (its fingerprint without this transaction's own writes, with them)}; the
    first is None where this transaction wrote project warnings there (their part of the
    fingerprint cannot be taken back). One computation for both, so a rescore's "after"
    is always what the next staleness check computes."""
    counters = versions.per_county_before_after(session, INPUT_SCOPES, list(counties))
    out = {}
    for c, day, w, own in session.execute(text(WARNINGS_SQL), {"c": list(counties)}):
        before, after = counters.get(c, (None, None))
        out[c] = (None if own else _digest(before, w, day.isoformat(), salt),
                  _digest(after, w, day.isoformat(), salt))
    return out


def _digest(counters: str | None, warnings: str | None, day: str, salt: str) -> str:
    return hashlib.md5(f"{counters}|{warnings}|{day}|{salt}".encode()).hexdigest()


def combined(fingerprints: dict[str, str], salt: str = "") -> str:
    """One digest for a set of counties."""
    joined = "|".join(f"{c}:{fingerprints[c]}" for c in sorted(fingerprints))
    return hashlib.md5(f"{joined}|{salt}".encode()).hexdigest()

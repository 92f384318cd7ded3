"""Per-county KPI rollups: the expensive figures of the KPI panel, stored per county and
summed for a city or the province.

What is rolled up: grid coverage (area and gap m², from one GEOS union per county), employers
outside every grid, grids without staff, understaffed grids, employers per staff member (the
ratio of each staffed grid, so that the area's median is exact), employers overdue for
inspection and high-risk employers not inspected. Each county's row carries the key it was
computed for: the county's data versions (geo.core.versions: employers, grids, officer
staffing, stored risk scores, boundaries, bumped by the writes themselves), the day (the
overdue figures count from the start of the Beijing day) and the settings. A row whose key
is not the county's current key is stale.

Reads (the KPI panel) use the stored rows whose key is current and compute the stale
counties in memory, so a figure is always the recount's answer, only slower right after a
write (one county's work, not the province's). GET requests never write: the scheduled
job `rollups` stores the stale counties every minute, and `rollup_verify` recounts every
county nightly and reports any stored row that is current by its key yet differs from the
recount (a write the versions do not see).
"""
from __future__ import annotations

import hashlib
import json
import statistics
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections.supervision import OVERDUE_SQL
from geo.core import versions
from geo.grids import coverage

SCOPES = ("admin_areas", "employer_risk", "employers", "grids", "officer_grids")
SETTINGS = ("min_grid_staff", "uninspected_days", "interval_a", "interval_b", "interval_c",
            "unrated_as")
COUNTS = ("employers_outside_grids", "grids_without_staff", "grids_understaffed",
          "overdue_inspections", "high_risk_uninspected")

FIGURES_SQL = f"""
WITH k AS (SELECT unnest(CAST(:c AS text[])) AS county),
outside AS (SELECT county_adcode, count(*) AS n FROM employers
            WHERE county_adcode = ANY(:c) AND grid_id IS NULL GROUP BY county_adcode),
overdue AS (SELECT e.county_adcode, count(*) AS n FROM employers e
            WHERE e.county_adcode = ANY(:c) AND {OVERDUE_SQL} GROUP BY e.county_adcode),
risky AS (SELECT r.county_adcode, count(*) AS n
          FROM employer_risk r JOIN employers e ON e.id = r.employer_id
          WHERE r.county_adcode = ANY(:c) AND r.level = 'red' AND (e.last_inspected_at IS NULL
                OR e.last_inspected_at < CAST(:as_of AS timestamptz)
                                         - make_interval(days => :uninspected_days))
          GROUP BY r.county_adcode),
emp AS (SELECT grid_id, count(*) AS n FROM employers
        WHERE county_adcode = ANY(:c) AND grid_id IS NOT NULL GROUP BY grid_id),
staff AS (SELECT grid_id, count(*) AS n,
                 count(*) FILTER (WHERE kind = 'grid_worker' AND active) AS workers
          FROM officers WHERE grid_id IS NOT NULL GROUP BY grid_id),
g AS (SELECT g.county_adcode, coalesce(emp.n, 0) AS employers, coalesce(staff.n, 0) AS staff,
             coalesce(staff.workers, 0) AS workers
      FROM grids g LEFT JOIN emp ON emp.grid_id = g.id LEFT JOIN staff ON staff.grid_id = g.id
      WHERE g.county_adcode = ANY(:c)),
per AS (SELECT county_adcode, count(*) FILTER (WHERE staff = 0) AS without_staff,
               count(*) FILTER (WHERE workers < :min_grid_staff) AS understaffed,
               coalesce(array_agg(employers::float8 / staff ORDER BY employers::float8 / staff)
                        FILTER (WHERE staff > 0), '{{}}') AS ratios
        FROM g GROUP BY county_adcode)
SELECT k.county, coalesce(outside.n, 0), coalesce(per.without_staff, 0),
       coalesce(per.understaffed, 0), coalesce(overdue.n, 0), coalesce(risky.n, 0),
       coalesce(per.ratios, '{{}}')
FROM k LEFT JOIN outside ON outside.county_adcode = k.county
LEFT JOIN overdue ON overdue.county_adcode = k.county
LEFT JOIN risky ON risky.county_adcode = k.county
LEFT JOIN per ON per.county_adcode = k.county
"""


def keys(session: Session, counties: list[str], params: dict) -> dict[str, str]:
    """Each county's current key: its data versions, the day and the settings."""
    setting = "|".join(f"{name}={params[name]}" for name in SETTINGS)
    day = params["today"].isoformat()
    return {c: hashlib.md5(f"{v}|{day}|{setting}".encode()).hexdigest()
            for c, v in versions.per_county(session, SCOPES, counties).items()}


def compute(session: Session, counties: list[str], params: dict) -> dict[str, dict]:
    """The figures of these counties, recounted."""
    if not counties:
        return {}
    out = {}
    for county, *counts, ratios in session.execute(text(FIGURES_SQL), {**params, "c": counties}):
        out[county] = {**dict(zip(COUNTS, counts, strict=True)), "ratios": list(ratios),
                       "area_m2": 0.0, "gap_m2": 0.0}
    for row in coverage.counties_coverage(session, counties):
        out[row["adcode"]].update(area_m2=row["area_m2"], gap_m2=row["gap_m2"])
    return out


def _stored(session: Session, counties: list[str]) -> dict[str, tuple[str, dict]]:
    return {c: (k, f) for c, k, f in session.execute(text(
        "SELECT county_adcode, key, figures FROM county_rollups WHERE county_adcode = ANY(:c)"),
        {"c": counties})}


def _split(session: Session, counties: list[str], params: dict
           ) -> tuple[dict[str, str], dict[str, dict], list[str]]:
    """(each county's current key, the stored figures whose key is current, the stale counties)."""
    want = keys(session, counties, params)
    stored = _stored(session, counties)
    fresh = {c: f for c, (k, f) in stored.items() if want.get(c) == k}
    return want, fresh, sorted(c for c in counties if c not in fresh)


def current(session: Session, counties: list[str], params: dict) -> tuple[dict[str, dict], int]:
    """Each county's figures: stored where its key is current, else recounted now. Returns
    them and how many counties had to be recounted."""
    _, fresh, stale = _split(session, counties, params)
    return {**fresh, **compute(session, stale, params)}, len(stale)


def combine(per_county: dict[str, dict]) -> dict:
    """An area's figures from its counties' (sums; the median over every staffed grid)."""
    rows = list(per_county.values())
    area = sum(r["area_m2"] for r in rows)
    gap = sum(r["gap_m2"] for r in rows)
    ratios = [x for r in rows for x in r["ratios"]]
    return {**{name: sum(r[name] for r in rows) for name in COUNTS},
            "covered_pct": 100.0 * (area - gap) / area if area else 0.0,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_max": max(ratios) if ratios else None, "staffed_grids": len(ratios)}


def refresh(session: Session, counties: list[str], params: dict, now: datetime) -> dict:
    """Store the stale counties' figures (the scheduled job)."""
    want, _, stale = _split(session, counties, params)
    rows = [{"c": c, "k": want[c], "f": json.dumps(f), "now": now}
            for c, f in compute(session, stale, params).items()]
    if rows:
        session.execute(text("""
            INSERT INTO county_rollups (county_adcode, key, figures, computed_at)
            VALUES (:c, :k, CAST(:f AS jsonb), :now)
            ON CONFLICT (county_adcode) DO UPDATE SET key = excluded.key,
                figures = excluded.figures, computed_at = excluded.computed_at
        """), rows)
    return {"counties_refreshed": len(stale), "counties": len(counties)}


def verify(session: Session, counties: list[str], params: dict) -> dict:
    """Recount every county and compare with its stored row where that row's key is current
    (a difference is drift: a write the data versions missed). Returns the drifting counties."""
    _, fresh, _ = _split(session, counties, params)
    recount = compute(session, list(fresh), params)
    drift = sorted(c for c in fresh if not same(fresh[c], recount[c]))
    return {"counties_checked": len(fresh), "drift": len(drift), "drifting": drift[:20]}


def same(a: dict, b: dict) -> bool:
    """Equal figures (areas to a square metre: GEOS unions are not bit-stable)."""
    return all(a[k] == b[k] for k in COUNTS) and a["ratios"] == b["ratios"] and all(
        abs(a[k] - b[k]) < 1.0 for k in ("area_m2", "gap_m2"))

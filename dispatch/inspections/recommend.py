"""Recommend teams of at least two certified inspectors for an inspection.

Candidates come from a KNN query (`ORDER BY geom <-> :site`, served by the GiST
index) plus every eligible inspector of the site's county, so jurisdiction is
never lost to the distance cut-off. They are ranked jurisdiction first (same
grid, then same county), then by geodesic distance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections import service as inspections
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.core import clock
from geo.core.text import Text

ELIGIBLE_SQL = """
    SELECT o.id, o.name, o.county_adcode, o.grid_id, o.position_at,
           ST_Distance(o.geom::geography, ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography)
               AS distance_m
    FROM officers o
    WHERE {certified} AND o.status = 'available'
      AND o.geom IS NOT NULL
      AND (:include_stale OR o.position_at >= now() - (:stale * interval '1 minute'))
      AND NOT EXISTS (SELECT 1 FROM recusals r
                      WHERE r.officer_id = o.id AND r.employer_id = :employer)
      AND (SELECT count(*) FROM assignments a
           WHERE a.officer_id = o.id AND a.assigned_at >= date_trunc('day', now())) < o.daily_cap
      AND (CAST(:counties AS text[]) IS NULL OR o.county_adcode = ANY(CAST(:counties AS text[])))
      {extra}
"""
KNN_SQL = ELIGIBLE_SQL.format(extra="", certified=officers.certified_sql("o")) + """
    ORDER BY o.geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326)
    LIMIT :k
"""
COUNTY_SQL = ELIGIBLE_SQL.format(extra="AND o.county_adcode = :county",
                                 certified=officers.certified_sql("o"))
# Both in one round trip (UNION drops an officer found by both).
CANDIDATES_SQL = f"({KNN_SQL}) UNION ({COUNTY_SQL})"
NEAREST_ANY_SQL = """
    SELECT o.id, o.kind, o.certified, o.active, o.certificate_expires_on,
           o.certificate_reviewed_on, o.status, o.position_at, o.geom IS NULL AS no_position,
           EXISTS (SELECT 1 FROM recusals r WHERE r.officer_id = o.id
                   AND r.employer_id = :employer) AS recused,
           (SELECT count(*) FROM assignments a WHERE a.officer_id = o.id
            AND a.assigned_at >= date_trunc('day', now())) >= o.daily_cap AS at_cap,
           o.position_at < now() - (:stale * interval '1 minute') AS stale,
           CAST(:counties AS text[]) IS NOT NULL
               AND o.county_adcode <> ALL(CAST(:counties AS text[])) AS outside
    FROM officers o
    WHERE o.kind = 'inspector'
    ORDER BY o.geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326)
    LIMIT :k
"""


@dataclass
class Candidate:
    id: int
    name: str
    county: str
    grid_id: int | None
    position_at: datetime | None
    distance_m: float
    tier: int  # 0 same grid, 1 same county, 2 elsewhere


def site_of(session: Session, inspection_id: int) -> dict:
    row = session.execute(text("""
        SELECT i.id, i.status, i.employer_id, i.county_adcode, ST_X(i.geom) AS x, ST_Y(i.geom) AS y,
               (SELECT g.id FROM grids g WHERE ST_Intersects(g.geom, i.geom) ORDER BY g.id LIMIT 1)
                   AS grid_id,
               (SELECT a.name LIKE '%区' FROM admin_areas a
                WHERE a.level = 'county' AND a.adcode = i.county_adcode) AS urban
        FROM inspections i WHERE i.id = :id
    """), {"id": inspection_id}).mappings().first()
    if row is None:
        inspections.get(session, inspection_id)  # raises the 404
    return dict(row)


def candidates(session: Session, site: dict, settings: DispatchSettings,
               include_stale: bool = False, counties: list[str] | None = None
               ) -> list[Candidate]:
    """Eligible inspectors near the site; only of `counties` when given (the dispatcher's
    territory and the counties lending to it)."""
    params = {"x": site["x"], "y": site["y"], "employer": site["employer_id"] or -1,
              "counties": counties,
              "stale": settings.stale_position_min, "include_stale": include_stale,
              "k": settings.candidates, "county": site["county_adcode"],
              **officers.certified_params(settings.certificate_review_days)}
    rows = {r.id: r for r in session.execute(text(CANDIDATES_SQL), params)}
    out = []
    for r in rows.values():
        tier = 0 if site["grid_id"] is not None and r.grid_id == site["grid_id"] else \
            1 if r.county_adcode == site["county_adcode"] else 2
        out.append(Candidate(r.id, r.name, r.county_adcode, r.grid_id, r.position_at,
                             float(r.distance_m), tier))
    out.sort(key=lambda c: (c.tier, c.distance_m, c.id))
    return out


def eta_minutes(distance_m: float, urban: bool, settings: DispatchSettings) -> float:
    speed = settings.urban_speed_kmh if urban else settings.rural_speed_kmh
    return distance_m * settings.road_factor / 1000 / speed * 60


TIER_TEXT = {0: Text("dispatch.recommend.tier_0"), 1: Text("dispatch.recommend.tier_1"),
             2: Text("dispatch.recommend.tier_2")}


def _reasons(c: Candidate, urban: bool, settings: DispatchSettings) -> list[Text]:
    """Why this officer: jurisdiction, then distance and ETA (and how old the position is)."""
    km = f"{c.distance_m / 1000:.1f}"
    eta = f"{eta_minutes(c.distance_m, urban, settings):.0f}"
    distance = Text("dispatch.recommend.reason_distance", officer_id=c.id, km=km, eta=eta)
    if c.position_at is not None:
        minutes = (clock.now() - c.position_at).total_seconds() / 60
        distance = Text("dispatch.recommend.reason_distance_age", officer_id=c.id, km=km,
                        eta=eta, age=f"{minutes:.0f}")
    return [Text("dispatch.recommend.reason_tier", officer_id=c.id, name=c.name,
                 tier=TIER_TEXT[c.tier]), distance]


def teams(cands: list[Candidate], urban: bool, settings: DispatchSettings,
          limit: int = 5) -> list[dict]:
    """Best teams of `min_team_size` from the leading candidates: jurisdiction, then distance."""
    size = settings.min_team_size
    pool = cands[: max(size, 8)]
    ranked = sorted(combinations(pool, size), key=lambda team: (
        max(c.tier for c in team), max(c.distance_m for c in team),
        sum(c.distance_m for c in team), [c.id for c in team]))
    out = []
    for team in ranked[:limit]:
        worst = max(c.distance_m for c in team)
        out.append({
            "officer_ids": [c.id for c in team],
            "distance_m": round(worst, 1),
            "eta_min": round(eta_minutes(worst, urban, settings), 1),
            "tier": max(c.tier for c in team),
            "reasons": [r for c in team for r in _reasons(c, urban, settings)],
        })
    for rank, team in enumerate(out, 1):
        team["why"] = _why(rank, team, out[0])
    return out


def _why(rank: int, team: dict, first: dict) -> Text:
    """One line on why a team ranks where it does: jurisdiction first, then its farthest
    member's distance, then the members' total distance (the order of `teams`)."""
    tier = Text(f"dispatch.recommend.team_tier_{team['tier']}")
    km = f"{team['distance_m'] / 1000:.1f}"
    if rank == 1:
        return Text("dispatch.recommend.why_first", tier=tier, km=km,
                    eta=str(max(1, math.ceil(team["eta_min"]))))
    if team["tier"] > first["tier"]:
        return Text("dispatch.recommend.why_tier", rank=rank, tier=tier, km=km)
    more = (team["distance_m"] - first["distance_m"]) / 1000
    if more < 0.05:
        return Text("dispatch.recommend.why_same_worst", rank=rank, tier=tier, km=km)
    return Text("dispatch.recommend.why_farther", rank=rank, tier=tier, km=km,
                more=f"{more:.1f}")


def excluded(session: Session, site: dict, settings: DispatchSettings, eligible: set[int],
             include_stale: bool, counties: list[str] | None = None) -> tuple[list[dict], int]:
    """Nearby inspectors who are not candidates, each with the reason; and how many of the
    nearby are outside `counties` (named by count only: another county's officers are seen
    after a cross-county request is approved)."""
    params = {"x": site["x"], "y": site["y"], "employer": site["employer_id"] or -1,
              "stale": settings.stale_position_min, "k": 20, "counties": counties}
    out, outside = [], 0
    today, review_days = clock.today(), settings.certificate_review_days
    for r in session.execute(text(NEAREST_ANY_SQL), params):
        if r.id in eligible:
            continue
        if r.outside:
            outside += 1
            continue
        if not officers.is_certified(r, review_days, today):
            reason = officers.uncertified_reason(r, review_days, today)
        elif r.status != "available":
            reason = Text("dispatch.excluded.status",
                          status=Text(f"dispatch.officer_status.{r.status}"))
        elif r.recused:
            reason = Text("dispatch.excluded.recused")
        elif r.at_cap:
            reason = Text("dispatch.excluded.at_cap")
        elif r.no_position:
            reason = Text("dispatch.excluded.no_position")
        elif r.stale and not include_stale:
            reason = Text("dispatch.excluded.stale", minutes=f"{settings.stale_position_min:.0f}")
        else:
            reason = Text("dispatch.excluded.farther")
        out.append({"officer_id": r.id, "reason": reason})
    return out, outside


def recommend(session: Session, inspection_id: int, settings: DispatchSettings,
              include_stale: bool = False, counties: list[str] | None = None) -> dict:
    """Ranked teams for an inspection, plus nearby officers left out and why; only officers
    of `counties` when given."""
    site = site_of(session, inspection_id)
    cands = candidates(session, site, settings, include_stale, counties)
    urban = bool(site["urban"])
    left_out, outside = excluded(session, site, settings, {c.id for c in cands},
                                 include_stale, counties)
    return {
        "inspection_id": inspection_id,
        "status": site["status"],
        "teams": teams(cands, urban, settings) if len(cands) >= settings.min_team_size else [],
        "candidates": len(cands),
        "excluded": left_out,
        "outside_territory": outside,
    }

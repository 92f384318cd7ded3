"""Day plan: assign pending inspections to available teams minimising total travel.

Teams are formed per county by pairing the closest available certified inspectors.
The assignment is an exact linear sum assignment (scipy's Jonker-Volgenant
`linear_sum_assignment`) on a cost matrix of travel distance, with large bonuses
so that urgent, then high-priority inspections are covered first, a penalty for
crossing county lines, and recused pairs forbidden. Greedy nearest-first on the
same matrix is reported for comparison. Applying uses the same atomic rules as
a single assignment (all or nothing).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections import assign
from dispatch.officers import service as officer_service
from dispatch.settings import DispatchSettings
from geo.areas.service import county_adcodes

EARTH_M = 6_371_008.8
FORBIDDEN = 1e12
PRIORITY_BONUS = {"urgent": 1e9, "high": 1e7, "normal": 0.0}
CROSS_COUNTY_PENALTY_M = 20_000.0


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distances in metres (broadcasting numpy arrays)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * np.arcsin(np.sqrt(a))


@dataclass
class Team:
    officer_ids: list[int]
    county: str
    lon: np.ndarray  # members' positions
    lat: np.ndarray


def pair_inspectors(rows: list, size: int = 2) -> list[Team]:
    """Greedy closest pairs within each county (an inspector left over stays unassigned)."""
    by_county: dict[str, list] = {}
    for r in rows:
        by_county.setdefault(r.county_adcode, []).append(r)
    teams = []
    for county, members in sorted(by_county.items()):
        left = sorted(members, key=lambda r: r.id)
        while len(left) >= size:
            lon = np.array([r.lon for r in left])
            lat = np.array([r.lat for r in left])
            d = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
            np.fill_diagonal(d, np.inf)
            i, j = np.unravel_index(np.argmin(d), d.shape)
            pair = sorted([left[i], left[j]], key=lambda r: r.id)
            teams.append(Team([r.id for r in pair], county, np.array([r.lon for r in pair]),
                              np.array([r.lat for r in pair])))
            left = [r for k, r in enumerate(left) if k not in (i, j)]
    return teams


def cost_matrix(jobs: list, teams: list[Team], recused: set[tuple[int, int]]) -> tuple:
    """(cost used for solving, travel metres) — rows are inspections, columns teams."""
    if not jobs or not teams:
        return np.zeros((len(jobs), len(teams))), np.zeros((len(jobs), len(teams)))
    jlon = np.array([j.lon for j in jobs])[:, None, None]
    jlat = np.array([j.lat for j in jobs])[:, None, None]
    tlon = np.stack([t.lon for t in teams])[None, :, :]
    tlat = np.stack([t.lat for t in teams])[None, :, :]
    travel = haversine_m(tlon, tlat, jlon, jlat).max(axis=2)  # the team arrives with its last
    cost = travel.copy()
    job_county = np.array([j.county_adcode for j in jobs])[:, None]
    team_county = np.array([t.county for t in teams])[None, :]
    cost += np.where(job_county == team_county, 0.0, CROSS_COUNTY_PENALTY_M)
    cost -= np.array([PRIORITY_BONUS[j.priority] for j in jobs])[:, None]
    for r, job in enumerate(jobs):
        if job.employer_id is None:
            continue
        for c, team in enumerate(teams):
            if any((o, job.employer_id) in recused for o in team.officer_ids):
                cost[r, c] = FORBIDDEN
    return cost, travel


def solve(cost: np.ndarray) -> list[tuple[int, int]]:
    """Optimal pairs (row, column) by linear sum assignment, forbidden pairs dropped."""
    if cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(cost)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] < FORBIDDEN / 2]


def greedy(cost: np.ndarray, order: list[int]) -> list[tuple[int, int]]:
    """Nearest-first: each inspection in `order` takes the cheapest free team."""
    free = np.ones(cost.shape[1], dtype=bool)
    out = []
    for r in order:
        if not free.any():
            break
        row = np.where(free, cost[r], np.inf)
        c = int(np.argmin(row))
        if row[c] < FORBIDDEN / 2:
            out.append((r, c))
            free[c] = False
    return out


def _load(session: Session, counties: list[str], settings: DispatchSettings):
    jobs = session.execute(text("""
        SELECT id, employer_id, county_adcode, priority, ST_X(geom) AS lon, ST_Y(geom) AS lat
        FROM inspections WHERE status = 'pending' AND county_adcode = ANY(:c)
          AND drawn_officer_ids IS NULL  -- a 双随机 inspection goes with the team it drew
        ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, created_at, id
    """), {"c": counties}).all()
    officers = session.execute(text(f"""
        SELECT o.id, o.county_adcode, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat
        FROM officers o
        WHERE {officer_service.certified_sql("o")} AND o.status = 'available'
          AND o.county_adcode = ANY(:c) AND o.geom IS NOT NULL
          AND o.position_at >= now() - (:stale * interval '1 minute')
          AND (SELECT count(*) FROM assignments a WHERE a.officer_id = o.id
               AND a.assigned_at >= date_trunc('day', now())) < o.daily_cap
        ORDER BY o.id
    """), {"c": counties, "stale": settings.stale_position_min,
           **officer_service.certified_params(settings.certificate_review_days)}).all()
    recused = {tuple(r) for r in session.execute(text("""
        SELECT officer_id, employer_id FROM recusals
        WHERE employer_id IN (SELECT employer_id FROM inspections
                              WHERE status = 'pending' AND county_adcode = ANY(:c))
    """), {"c": counties})}
    return jobs, officers, recused


def plan(session: Session, *, area: str, dry_run: bool, actor: str | None,
         settings: DispatchSettings) -> dict:
    """Preview (or apply, atomically) the travel-minimising assignment for an area."""
    counties = county_adcodes(session, area)
    jobs, officer_rows, recused = _load(session, counties, settings)
    teams = pair_inspectors(officer_rows, settings.min_team_size)
    cost, travel = cost_matrix(jobs, teams, recused)
    optimal = solve(cost)
    nearest = greedy(cost, list(range(len(jobs))))
    total = float(sum(travel[r, c] for r, c in optimal))
    greedy_total = float(sum(travel[r, c] for r, c in nearest))
    pairs = [{"inspection_id": jobs[r].id, "officer_ids": teams[c].officer_ids,
              "priority": jobs[r].priority, "distance_m": round(float(travel[r, c]), 1)}
             for r, c in optimal]
    if not dry_run:
        for p in pairs:
            assign.assign(session, p["inspection_id"], p["officer_ids"], actor=actor,
                          settings=settings)
    return {
        "area": area, "dry_run": dry_run, "applied": not dry_run,
        "pending": len(jobs), "teams": len(teams), "assignments": pairs,
        "total_distance_m": round(total, 1), "greedy_total_distance_m": round(greedy_total, 1),
        "greedy_assignments": len(nearest),
        "saved_vs_greedy_pct": round(100 * (greedy_total - total) / greedy_total, 2)
        if greedy_total and len(nearest) == len(optimal) else None,
    }

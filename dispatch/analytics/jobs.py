"""Keeping derived analytics fresh: stored risk scores and the hotspot cache.

GET requests only read them (the architecture's rule). They are refreshed
- by the writes that change their inputs: a service or view that writes complaints, cases,
  inspection results or employers calls `after_write(session, counties)` in the same unit of
  work, so the next read sees the county's new scores;
- by the refresh job (`flask --app wsgi refresh`, run by `prepare`, after bulk loads and once
  a day, since scores depend on the date): `refresh_all` rescores every county whose inputs
  changed and recomputes the hotspot results the command map asks for, and every cached
  result that fell behind. A hotspot request whose cache is behind is answered from a
  computation in memory (dispatch.analytics.hotspots.get), so it is right, only slower.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import hotspots, risk
from dispatch.analytics.settings import RiskSettings
from dispatch.projects import warnings as project_warnings
from dispatch.projects.settings import WageSettings

# The hotspot layers the command map loads (webapp/pages/command_map_config.py): the
# province and its cities on coarse cells, counties on the default resolution.
MAP_RESOLUTION = {"province": 6, "city": 7, "county": 8}


def after_write(session: Session, counties: Iterable[str | None],
                settings: RiskSettings | None = None) -> list[str]:
    """Rescore these counties if their inputs changed (after a write; same transaction)."""
    wanted = sorted({c for c in counties if c})
    if not wanted:
        return []
    session.flush()  # the scores are computed in SQL from the rows just written
    # Project warnings read complaints and cases of the projects' builders; scores read them.
    project_warnings.refresh(session, WageSettings.from_env(), counties=wanted, touching=True)
    return risk.refresh(session, wanted, settings or RiskSettings.from_env())


def after_own_write(session: Session, employer_ids: Iterable[int | None],
                    settings: RiskSettings | None = None) -> list[str]:
    """Rescore only these employers, after a write that changed their own inputs alone
    (not complaints or cases, which project warnings read): a handful of rows instead of
    their counties. Returns the counties that stay current (see risk.rescore)."""
    return risk.rescore(session, sorted({e for e in employer_ids if e is not None}),
                        settings or RiskSettings.from_env())


def counties_of_employers(session: Session, employer_ids: Iterable[int]) -> list[str]:
    """The counties of these employers (to rescore after writing them)."""
    return list(session.execute(text(
        "SELECT DISTINCT county_adcode FROM employers WHERE id = ANY(:ids)"),
        {"ids": list(employer_ids)}).scalars())


def all_counties(session: Session) -> list[str]:
    """Every county (after a bulk write: only those whose inputs changed are rescored)."""
    return list(session.execute(text(
        "SELECT adcode FROM admin_areas WHERE level = 'county' ORDER BY adcode")).scalars())


def map_views(session: Session) -> list[tuple[str, str, int]]:
    """(area, metric, res) of the risk hotspot layer of every place the map shows."""
    rows = session.execute(text("""
        SELECT DISTINCT ON (adcode) adcode, level FROM admin_areas
        ORDER BY adcode, CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END
    """)).all()
    return [(adcode, "risk", MAP_RESOLUTION[level]) for adcode, level in rows
            if level in MAP_RESOLUTION]


def cached_views(session: Session) -> list[tuple[str, str, int]]:
    """(area, metric, res) of every hotspot result in the cache."""
    return [tuple(r) for r in session.execute(text(
        "SELECT area_adcode, metric, res FROM hotspot_results ORDER BY 1, 2, 3")).all()]


def refresh_all(session: Session, settings: RiskSettings | None = None,
                progress=lambda stage, n: None) -> dict:
    """Rescore every county whose inputs changed, then bring the map's hotspot layers and
    every cached hotspot result up to date. Returns what was recomputed."""
    settings = settings or RiskSettings.from_env()
    warned = project_warnings.refresh(session, WageSettings.from_env())  # they depend on the date
    progress("project_warnings", warned)
    rescored = risk.refresh(session, all_counties(session), settings)
    progress("risk", len(rescored))
    views = sorted(set(map_views(session)) | set(cached_views(session)))
    recomputed = 0
    for area, metric, res in views:
        result = hotspots.refresh(session, area=area, metric=metric, res=res, settings=settings)
        recomputed += not result.reused
        progress("hotspots", 1)
    return {"project_warnings_changed": warned, "counties_rescored": len(rescored), "hotspot_views": len(views),
            "hotspots_recomputed": recomputed}

"""The scheduled jobs: what runs when (Beijing time) and what each run does.

Deadline alerts (cases and complaints near or past their limits) are not a job: the pages
and the KPI panel compute them from the working calendar when they are read, so they are
never behind.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs as analytics
from dispatch.analytics import kpis
from dispatch.analytics import rollups as county_rollups
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.disclosure import service as disclosure
from dispatch.grading import service as grading
from dispatch.inspections import scheduled
from dispatch.schedule.runner import Job
from dispatch.settings import DispatchSettings
from geo.accounts import service as accounts
from geo.core import clock, versions
from geo.tiles.cache import TileCache

ACTOR = "scheduler"  # the audit log's actor for what the jobs write
PROVINCE = "410000"
SCHEDULED_LIMIT = 5_000  # scheduled inspections opened per day, grade C first


def derived(session: Session, now: datetime) -> dict:
    """Risk scores of the counties whose inputs changed, wage warnings and hotspot layers."""
    return analytics.refresh_all(session)


def scheduled_inspections(session: Session, now: datetime) -> dict:
    """Open the day's scheduled inspections for employers overdue by their grade."""
    done = scheduled.generate_overdue(session, area=PROVINCE, settings=DispatchSettings.from_env(),
                                      limit=SCHEDULED_LIMIT, actor=ACTOR)
    return {"created": done["created"]}


def grading_proposals(session: Session, now: datetime) -> dict:
    """Propose last year's grades for the province, once (a run started by hand counts)."""
    year = clock.beijing_date(now).year - 1
    if session.execute(text("SELECT 1 FROM grading_runs WHERE year = :y AND area_adcode = :a"),
                       {"y": year, "a": PROVINCE}).first():
        return {"year": year, "started": 0}
    run = grading.start_run(session, year=year, area=PROVINCE, actor=ACTOR)
    return {"year": year, "started": 1, "run_id": run["id"]}


def ended_periods(today: date) -> list[tuple[str, str]]:
    """(level, period) of the disclosure periods that ended just before `today`: the last
    quarter for cities and counties, and on 1 January and 1 July the last half-year too."""
    q = (today.month - 1) // 3  # quarters before this one, this year
    year, quarter = (today.year - 1, 4) if q == 0 else (today.year, q)
    out = [("city", f"{year}-Q{quarter}")]
    if quarter in (2, 4):
        out.append(("province", f"{year}-H{quarter // 2}"))
    return out


def disclosure_drafts(session: Session, now: datetime) -> dict:
    """Draft the disclosure list of every area with decided major violations in the period
    that just ended (an area with none gets no empty list; one drafted by hand is kept)."""
    drafted, periods = 0, []
    for level, period in ended_periods(clock.beijing_date(now)):
        periods.append(period)
        levels = ("city", "county") if level == "city" else ("province",)
        areas = session.execute(text("""
            SELECT DISTINCT a.adcode FROM admin_areas a
            WHERE a.level = ANY(:levels) AND NOT EXISTS (
                SELECT 1 FROM disclosure_lists d WHERE d.area_adcode = a.adcode AND d.period = :p)
            ORDER BY a.adcode
        """), {"levels": list(levels), "p": period}).scalars().all()
        for area in areas:
            savepoint = session.begin_nested()
            made = disclosure.draft(session, area=area, period=period, actor=ACTOR)
            if made["entries"]:
                savepoint.commit()
                drafted += 1
            else:
                savepoint.rollback()
    return {"periods": periods, "drafted": drafted}


KEEP_DAYS = 90


def prune(session: Session, now: datetime) -> dict:
    """Delete sign-in attempts, sessions and job runs past their use (the audit log is kept)."""
    done = accounts.prune(session, now=now, keep_days=KEEP_DAYS)
    done["job_runs"] = session.execute(text(
        "DELETE FROM job_runs WHERE finished_at < :before"),
        {"before": now - timedelta(days=KEEP_DAYS)}).rowcount
    return done


def _rollup_scope(session: Session) -> tuple[list[str], dict]:
    """Every county and the KPI parameters of the province (today from the app's clock)."""
    ctx = kpis.context(session, PROVINCE, today=clock.today(),
                       settings=DispatchSettings.from_env(), risk_settings=RiskSettings.from_env(),
                       calendar=WorkingCalendar.load(session))
    return ctx.counties, ctx.params


def rollups(session: Session, now: datetime) -> dict:
    """Fold the data-version tallies, then store the KPI rollups of every stale county."""
    folded = versions.compact(session)
    counties, params = _rollup_scope(session)
    return {**county_rollups.refresh(session, counties, params, now), "tallies_folded": folded}


def rollup_verify(session: Session, now: datetime) -> dict:
    """Recount every county whose stored rollup is current and report any that differ."""
    counties, params = _rollup_scope(session)
    return county_rollups.verify(session, counties, params)


def catalogue(var: Path) -> dict[str, Job]:
    """Every job by name. `var` is the instance directory (where the tile cache lives)."""
    tiles = TileCache(var / "tiles")

    def tile_prune(session: Session, now: datetime) -> dict:
        """Remove the tiles of superseded data versions."""
        return tiles.prune()

    jobs = [
        Job("derived", derived, every_s=600),
        Job("rollups", rollups, every_s=60, attempts=1),
        Job("rollup_verify", rollup_verify, cron={"hour": 2, "minute": 30}),
        Job("scheduled_inspections", scheduled_inspections, cron={"hour": 6, "minute": 30}),
        Job("grading_proposals", grading_proposals, cron={"month": 1, "day": 15, "hour": 2}),
        Job("disclosure_drafts", disclosure_drafts,
            cron={"month": "1,4,7,10", "day": 1, "hour": 3}),
        Job("prune", prune, cron={"hour": 4, "minute": 10}),
        Job("tile_prune", tile_prune, every_s=3600),
    ]
    return {job.name: job for job in jobs}

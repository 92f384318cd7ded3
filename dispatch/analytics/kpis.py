"""Command-centre KPIs for an area, each with the list behind it.

Every count is `SELECT count(*) FROM <source> WHERE <condition>` and its list is the
same source and condition with paging, so a figure and its list always agree. Dates that
depend on the working-day calendar (the case warning horizon) are computed once with
dispatch.calendar and bound as parameters.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import rollups
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections.supervision import INTERVAL_SQL, OVERDUE_SQL
from dispatch.referrals.service import OVERDUE_SQL as REFERRAL_OVERDUE_SQL
from dispatch.settings import DispatchSettings
from geo.areas.service import county_adcodes, find_area
from geo.core import clock
from geo.core.errors import InvalidInput, NotFound
from geo.core.text import Text

# Complaints still waiting for the acceptance decision (部令第25号 Art. 18: 5 working days).
COMPLAINT_STATES = ("within_limit", "due_today", "past_limit")
CASE_STATES = ("due_soon", "overdue")
# Urgent responses (mass incidents): their clock runs from receipt of the complaint.
URGENT_STATES = ("on_time", "late")


@dataclass(frozen=True)
class Listing:
    """A list behind a KPI: its rows, the condition that selects them, and their order."""

    source: str
    condition: str
    columns: str
    order: str
    states: dict[str, str] | None = None  # extra condition per `state` value
    # The condition that keeps one grid's rows (:g); None: the figure has no grid view.
    in_grid: str | None = None


# Rows of an employer of the grid :g (alias `t`).
def _of_grid_employers(alias: str) -> str:
    return f"{alias}.employer_id IN (SELECT id FROM employers WHERE grid_id = :g)"


LISTS: dict[str, Listing] = {
    "employers-outside-grids": Listing(
        "employers e", "e.county_adcode = ANY(:c) AND e.grid_id IS NULL",
        "e.id, e.name, e.credit_code, e.county_adcode, e.location_precision, "
        "ST_X(e.geom) AS lon, ST_Y(e.geom) AS lat", "e.id"),
    "grids-without-staff": Listing(
        "grids g", "g.county_adcode = ANY(:c) AND NOT EXISTS "
                   "(SELECT 1 FROM officers o WHERE o.grid_id = g.id)",
        "g.id, g.code, g.name, g.county_adcode, "
        "(SELECT count(*) FROM employers e WHERE e.grid_id = g.id) AS employers", "g.code",
        in_grid="g.id = :g"),
    # Grids with fewer active grid workers than the minimum (配齐网格工作人员; setting).
    "grids-understaffed": Listing(
        "(SELECT g.id, g.code, g.name, g.county_adcode, (SELECT count(*) FROM officers o "
        "WHERE o.grid_id = g.id AND o.kind = 'grid_worker' AND o.active) AS grid_workers, "
        "(SELECT count(*) FROM employers e WHERE e.grid_id = g.id) AS employers "
        "FROM grids g WHERE g.county_adcode = ANY(:c)) s", "s.grid_workers < :min_grid_staff",
        "s.id, s.code, s.name, s.county_adcode, s.grid_workers, s.employers",
        "s.grid_workers, s.employers DESC, s.code", in_grid="s.id = :g"),
    "employers-per-staff": Listing(
        "(SELECT g.id, g.code, g.name, g.county_adcode, "
        "(SELECT count(*) FROM employers e WHERE e.grid_id = g.id) AS employers, "
        "(SELECT count(*) FROM officers o WHERE o.grid_id = g.id) AS staff FROM grids g "
        "WHERE g.county_adcode = ANY(:c)) s", "s.staff > 0",
        "s.id, s.code, s.name, s.county_adcode, s.employers, s.staff, "
        "round(s.employers::numeric / s.staff, 2)::float8 AS employers_per_staff",
        "s.employers::float8 / s.staff DESC, s.code", in_grid="s.id = :g"),
    "overdue-employers": Listing(
        "employers e", f"e.county_adcode = ANY(:c) AND {OVERDUE_SQL}",
        f"e.id, e.name, e.credit_code, e.county_adcode, e.grid_id, e.grade, "
        f"e.last_inspected_at, {INTERVAL_SQL} AS interval_days",
        "e.grade DESC, e.last_inspected_at NULLS FIRST, e.id", in_grid="e.grid_id = :g"),
    "open-complaints": Listing(
        "complaints k", "k.county_adcode = ANY(:c) AND k.status = 'received'",
        "k.id, k.employer_id, k.county_adcode, k.category, k.workers_affected, k.received_at, "
        "k.acceptance_due", "k.acceptance_due NULLS FIRST, k.id",
        {"within_limit": "k.acceptance_due > :today", "due_today": "k.acceptance_due = :today",
         # a complaint without a deadline should have one: counted as past it
         "past_limit": "(k.acceptance_due < :today OR k.acceptance_due IS NULL)"},
        in_grid=_of_grid_employers("k")),
    "case-deadlines": Listing(
        "cases k", "k.county_adcode = ANY(:c) AND k.closed_on IS NULL AND k.due_on < :warn_before",
        "k.id, k.employer_id, k.inspection_id, k.county_adcode, k.opened_on, k.due_on, "
        "k.extended, k.supervised", "k.due_on, k.id",
        {"due_soon": "k.due_on >= :today", "overdue": "k.due_on < :today"},
        in_grid=_of_grid_employers("k")),
    "urgent-responses": Listing(
        "inspections i", "i.county_adcode = ANY(:c) AND i.priority = 'urgent' AND i.due_at IS "
                         "NOT NULL AND i.status IN ('pending', 'assigned', 'in_progress')",
        "i.id, i.complaint_id, i.employer_id, i.county_adcode, i.status, i.due_at, "
        "round(EXTRACT(epoch FROM i.due_at - CAST(:now AS timestamptz)) / 60)::int "
        "AS minutes_left", "i.due_at, i.id",
        {"on_time": "i.due_at >= CAST(:now AS timestamptz)",
         "late": "i.due_at < CAST(:now AS timestamptz)"}, in_grid=_of_grid_employers("i")),
    "high-risk-uninspected": Listing(
        "employer_risk r JOIN employers e ON e.id = r.employer_id",
        "r.county_adcode = ANY(:c) AND r.level = 'red' AND (e.last_inspected_at IS NULL OR "
        "e.last_inspected_at < CAST(:as_of AS timestamptz) - make_interval(days => "
        ":uninspected_days))",
        "e.id, e.name, e.credit_code, e.county_adcode, e.grid_id, e.grade, "
        "r.score::float8 AS score, e.last_inspected_at", "r.score DESC, e.id",
        in_grid="e.grid_id = :g"),
    # Referrals to other departments not signed for, or not answered, in time (部门协调).
    "overdue-referrals": Listing(
        "referrals r", f"r.county_adcode = ANY(:c) AND {REFERRAL_OVERDUE_SQL}",
        "r.id, r.source_kind, r.source_id, r.county_adcode, r.department, r.status, "
        "r.receipt_due_on, r.feedback_due_on, r.reminders", "r.feedback_due_on, r.id"),
    # Tip rewards waiting for approval, or approved and not paid by their due date.
    "pending-rewards": Listing(
        "rewards w", "w.county_adcode = ANY(:c) AND (w.status = 'proposed' OR "
                     "(w.status = 'approved' AND w.pay_due_on < :today))",
        "w.id, w.case_id, w.county_adcode, w.status, w.amount::float8 AS amount, w.pay_due_on",
        "w.status DESC, w.id"),
    # Written review: employers past the due date without materials and not yet scheduled.
    "review-missing": Listing(
        "review_submissions s JOIN review_campaigns rc ON rc.id = s.campaign_id",
        "s.county_adcode = ANY(:c) AND s.status = 'pending' AND rc.due_on < :today "
        "AND s.inspection_id IS NULL",
        "s.id, s.campaign_id, s.employer_id, s.county_adcode, rc.year, rc.due_on", "s.id",
        in_grid=_of_grid_employers("s")),
    # Entrusted audits whose report is overdue.
    "overdue-audits": Listing(
        "audits a", "a.county_adcode = ANY(:c) AND a.status = 'commissioned' AND "
                    "a.due_on < :today",
        "a.id, a.employer_id, a.county_adcode, a.firm, a.due_on", "a.due_on, a.id",
        in_grid=_of_grid_employers("a")),
}


@dataclass(frozen=True)
class Context:
    """What every KPI query binds: the area's counties, today and the settings' numbers."""

    area: str
    counties: list[str]
    params: dict
    grid: dict | None = None  # one grid of the area (id, code, name): its figures alone


def context(session: Session, area: str, *, today: date, settings: DispatchSettings,
            risk_settings: RiskSettings, calendar: WorkingCalendar,
            grid_id: int | None = None) -> Context:
    """Resolve the area (404 if unknown) and bind the dates and settings; with `grid_id`,
    one grid of the area (404 unknown, 400 outside the area)."""
    area = find_area(session, area)["adcode"]
    counties = county_adcodes(session, area)
    grid = None
    if grid_id is not None:
        grid = session.execute(text("SELECT id, code, name, county_adcode FROM grids "
                                    "WHERE id = :g"), {"g": grid_id}).mappings().first()
        if grid is None:
            raise NotFound(Text("error.grid.not_found", ids=grid_id), {"grid": grid_id})
        if grid["county_adcode"] not in counties:
            raise InvalidInput(Text("dispatch.error.grid_outside_area", code=grid["code"],
                                    area=area), {"parameter": "grid"})
        grid, counties = dict(grid), [grid["county_adcode"]]
    # cases.alerts warns while working days left <= the warning window: due before the next one.
    warn_before = calendar.add_working_days(today, settings.deadline_warning_working_days + 1)
    params = {"c": counties, "today": today, "warn_before": warn_before, "now": clock.now(),
              "min_grid_staff": settings.min_grid_staff,
              "uninspected_days": risk_settings.uninspected_days,
              **risk_settings.supervision.sql_params(), "g": grid and grid["id"]}
    return Context(area, counties, params, grid)


def _where(listing: Listing, state: str | None, grid: dict | None = None) -> str:
    where = listing.condition
    if grid is not None:
        where = f"{where} AND {listing.in_grid}"
    if state is None or listing.states is None:
        return where
    return f"{where} AND {listing.states[state]}"


def of_grid(name: str) -> bool:
    """Whether the list has a view of one grid."""
    return LISTS[name].in_grid is not None


def count(session: Session, ctx: Context, name: str, state: str | None = None) -> int:
    listing = LISTS[name]
    return session.execute(text(f"SELECT count(*) FROM {listing.source} "
                                f"WHERE {_where(listing, state, ctx.grid)}"),
                           ctx.params).scalar_one()


def items(session: Session, ctx: Context, name: str, *, state: str | None, page: int,
          per_page: int) -> dict:
    """One page of the list behind a KPI, with its total (equal to the KPI's value)."""
    listing = LISTS[name]
    if ctx.grid is not None and listing.in_grid is None:
        raise InvalidInput(Text("dispatch.error.list_not_of_grid"), {"parameter": "grid"})
    if listing.states is not None and state is not None and state not in listing.states:
        raise InvalidInput(Text("dispatch.error.one_of", name="state",
                                choices=", ".join(listing.states)),
                           {"parameter": "state"})
    rows = session.execute(text(f"""
        SELECT {listing.columns} FROM {listing.source} WHERE {_where(listing, state, ctx.grid)}
        ORDER BY {listing.order} LIMIT :limit OFFSET :offset
    """), {**ctx.params, "limit": per_page, "offset": (page - 1) * per_page}).mappings().all()
    out = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
           for r in rows]
    return {"kpi": name, "area": ctx.area, "grid": ctx.grid and ctx.grid["id"], "state": state,
            "page": page, "per_page": per_page,
            "total": count(session, ctx, name, state), "items": out}


def _link(name: str, area: str, state: str | None = None, grid: dict | None = None) -> str:
    return (f"/api/v1/kpis/{name}?area={area}" + (f"&grid={grid['id']}" if grid else "")
            + (f"&state={state}" if state else ""))


def figures(session: Session, ctx: Context) -> dict:
    """All KPIs of the area; each figure is {"value", "list"} (the list returns that count).

    Coverage, staffing, overdue and high-risk figures are the area's counties' rollups
    (dispatch.analytics.rollups: stored per county, recounted where stale); the others are
    counted live. Risk figures read the stored scores (dispatch.analytics.jobs keeps them
    fresh)."""
    a = ctx.area
    if ctx.grid is not None:
        return grid_figures(session, ctx)
    rolled = rollups.combine(rollups.current(session, ctx.counties, ctx.params)[0])

    def figure(name: str, state: str | None = None) -> dict:
        return {"value": count(session, ctx, name, state), "list": _link(name, a, state)}

    def stored(name: str, key: str) -> dict:
        return {"value": rolled[key], "list": _link(name, a)}

    median, most = rolled["ratio_median"], rolled["ratio_max"]
    return {
        "area": a, "today": ctx.params["today"].isoformat(),
        # Coverage is geo.coverage.coverage (the grid-planning report); its list is that report.
        "coverage_pct": {"value": round(rolled["covered_pct"], 3),
                         "list": f"/api/v1/coverage?area={a}"},
        "employers_outside_grids": stored("employers-outside-grids", "employers_outside_grids"),
        "grids_without_staff": stored("grids-without-staff", "grids_without_staff"),
        "grids_understaffed": {**stored("grids-understaffed", "grids_understaffed"),
                               "minimum": ctx.params["min_grid_staff"]},
        # The headline is the median; the list holds the `grids` it is taken over.
        "employers_per_staff": {"value": median and round(median, 2),
                                "median": median and round(median, 2),
                                "max": most and round(most, 2), "grids": rolled["staffed_grids"],
                                "list": _link("employers-per-staff", a)},
        "overdue_inspections": stored("overdue-employers", "overdue_inspections"),
        "open_complaints": {"value": count(session, ctx, "open-complaints"),
                            "list": _link("open-complaints", a),
                            **{s: figure("open-complaints", s) for s in COMPLAINT_STATES}},
        "case_deadlines": {"value": count(session, ctx, "case-deadlines"),
                           "list": _link("case-deadlines", a),
                           **{s: figure("case-deadlines", s) for s in CASE_STATES}},
        "urgent_responses": {"value": count(session, ctx, "urgent-responses"),
                             "list": _link("urgent-responses", a),
                             **{s: figure("urgent-responses", s) for s in URGENT_STATES}},
        "high_risk_uninspected": stored("high-risk-uninspected", "high_risk_uninspected"),
        "overdue_referrals": figure("overdue-referrals"),
        "pending_rewards": figure("pending-rewards"),
        "review_missing": figure("review-missing"),
        "overdue_audits": figure("overdue-audits"),
    }


def grid_figures(session: Session, ctx: Context) -> dict:
    """The figures of one grid, each counted live over the grid's rows (a grid is small);
    a figure without a grid view (coverage, employers outside grids, referrals, rewards) is
    null. Same keys as `figures`, plus the grid."""
    a, grid = ctx.area, ctx.grid

    def figure(name: str, state: str | None = None) -> dict:
        return {"value": count(session, ctx, name, state), "list": _link(name, a, state, grid)}

    def with_states(name: str, states: tuple[str, ...]) -> dict:
        return {**figure(name), **{s: figure(name, s) for s in states}}

    employers, staff = session.execute(text("""
        SELECT (SELECT count(*) FROM employers WHERE grid_id = :g),
               (SELECT count(*) FROM officers WHERE grid_id = :g)"""), ctx.params).one()
    ratio = round(employers / staff, 2) if staff else None
    none = {"value": None, "list": None}
    return {
        "area": a, "today": ctx.params["today"].isoformat(),
        "grid": {**grid, "employers": employers, "staff": staff},
        "coverage_pct": none, "employers_outside_grids": none,
        "grids_without_staff": figure("grids-without-staff"),
        "grids_understaffed": {**figure("grids-understaffed"),
                               "minimum": ctx.params["min_grid_staff"]},
        "employers_per_staff": {"value": ratio, "median": ratio, "max": ratio,
                                "grids": 1 if staff else 0,
                                "list": _link("employers-per-staff", a, grid=grid)},
        "overdue_inspections": figure("overdue-employers"),
        "open_complaints": with_states("open-complaints", COMPLAINT_STATES),
        "case_deadlines": with_states("case-deadlines", CASE_STATES),
        "urgent_responses": with_states("urgent-responses", URGENT_STATES),
        "high_risk_uninspected": figure("high-risk-uninspected"),
        "overdue_referrals": none, "pending_rewards": none,
        "review_missing": figure("review-missing"),
        "overdue_audits": figure("overdue-audits"),
    }

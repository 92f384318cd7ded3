"""Employer risk model: a 0–100 score with the points of each factor, computed set-wise in SQL.

The score is the sum of eight contributions, each `max_points × factor` with the factor in
[0, 1] and max points = 100 × weight / sum of weights (geo.risk_config.RiskSettings), rounded
to 0.01, so an explanation always adds up to its score. Complaints and cases are dispatch
tables: they are read here through SQL only (geo never imports dispatch).

Scores are stored per employer in `employer_risk` for lists, KPIs, hotspots and tiles.
A county's stored scores are recomputed when its input fingerprint changes (geo.inputs:
employers, complaints and cases of the county, the date and the settings).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import h3cells, inputs
from dispatch.analytics.settings import FACTORS, LEVELS, RiskSettings
from dispatch.inspections.supervision import INTERVAL_SQL, SUPERVISED_GRADE_SQL
from geo.core.errors import NotFound
from geo.core.text import Text

POINTS = ", ".join(f"p_{f}" for f in FACTORS)

# {employers}, {complaints}, {cases} are fixed predicates from SCOPES, never request data.
# The windowed complaint and case aggregates are small, so a whole-county run aggregates them
# all and hash-joins; a single employer filters them by id.
SCORE_SQL = """
WITH c AS (  -- complaints in the window; refused (time-barred) and redirected ones do not count
    SELECT employer_id, count(*) AS complaints,
           count(*) FILTER (WHERE category = 'wage_arrears') AS wage_complaints,
           count(*) FILTER (WHERE category = 'social_insurance') AS si_complaints
    FROM complaints
    WHERE employer_id IS NOT NULL AND {complaints} AND status NOT IN ('refused', 'redirected')
      AND received_at >= now() - make_interval(days => :lookback_days)
    GROUP BY employer_id
),
v AS (  -- past violations: closed cases that found one (penalty, order, wages recovered)
    SELECT employer_id, count(*) AS violations FROM cases
    WHERE employer_id IS NOT NULL AND {cases}
      AND outcome IN ('penalty', 'order_to_correct', 'wages_recovered')
      AND closed_on >= current_date - make_interval(years => :violation_years)
    GROUP BY employer_id
),
pw AS (  -- the worst current warning of the construction projects it builds as contractor
    SELECT p.contractor_id AS employer_id,
           max(CASE w.level WHEN 'red' THEN 1 WHEN 'orange' THEN 0.5 ELSE 0 END) AS factor
    FROM project_warnings w JOIN projects p ON p.id = w.project_id
    WHERE w.level IN ('red', 'orange') AND {projects}
    GROUP BY p.contractor_id
),
f AS (
    SELECT e.id, e.county_adcode, e.grade, {supervised} AS supervised_grade, e.industry, e.employees, e.migrant_workers,
           e.wage_deposit, e.last_inspected_at,
           coalesce(c.complaints, 0) AS complaints,
           coalesce(c.wage_complaints, 0) AS wage_complaints,
           coalesce(c.si_complaints, 0) AS si_complaints,
           coalesce(v.violations, 0) AS violations,
           coalesce(pw.factor, 0) AS project_warning,
           current_date - CAST(e.last_inspected_at AS date) AS days_since_inspection,
           {interval} AS interval_days
    FROM employers e LEFT JOIN c ON c.employer_id = e.id LEFT JOIN v ON v.employer_id = e.id
    LEFT JOIN pw ON pw.employer_id = e.id
    WHERE {employers}
),
g AS (
    SELECT f.*,
           CASE f.supervised_grade WHEN 'C' THEN 1 WHEN 'B' THEN CAST(:grade_b AS float8)
                ELSE 0 END AS f_grade,
           least(f.complaints / CAST(:complaints_cap AS float8), 1) AS f_complaints,
           least(f.violations / CAST(:violations_cap AS float8), 1) AS f_violations,
           CASE WHEN f.wage_complaints > 0 OR (f.industry = 'E' AND f.wage_deposit = 'unpaid')
                THEN 1 ELSE f.project_warning END AS f_wage_arrears,
           CASE WHEN f.si_complaints > 0 THEN 1 ELSE 0 END AS f_social_insurance,
           coalesce(ind.factor, CAST(:ind_default AS float8)) AS f_industry,
           CASE WHEN f.employees > 0
                THEN least(f.migrant_workers / CAST(f.employees AS float8), 1) ELSE 0 END
               AS f_migrants,
           CASE WHEN f.days_since_inspection IS NULL THEN 1
                ELSE least(greatest(f.days_since_inspection, 0)
                           / CAST(f.interval_days AS float8), 1) END AS f_inspection
    FROM f LEFT JOIN unnest(CAST(:ind_codes AS text[]), CAST(:ind_factors AS float8[]))
                     AS ind(code, factor) ON ind.code = f.industry
),
p AS (
    SELECT g.*, {points} FROM g
    OFFSET 0  -- a fence: the points are computed once per row, not once per reference
),
s AS (
    SELECT p.*, {total} AS score FROM p OFFSET 0
)
SELECT s.*, CASE WHEN score >= :red THEN 'red' WHEN score >= :orange THEN 'orange'
                 WHEN score >= :yellow THEN 'yellow' END AS level
FROM s
"""
SCOPES = {
    "counties": {"employers": "e.county_adcode = ANY(:counties)", "complaints": "true",
                 "cases": "true", "projects": "true"},
    "employers": {"employers": "e.id = ANY(:employer_ids)",
                  "complaints": "employer_id = ANY(:employer_ids)",
                  "cases": "employer_id = ANY(:employer_ids)",
                  "projects": "p.contractor_id = ANY(:employer_ids)"},
}


def score_sql(scope: str) -> str:
    """The scoring query over the employers selected by SCOPES[scope]."""
    interval = INTERVAL_SQL
    points = ", ".join(f"round(CAST(:k_{f} * f_{f} AS numeric), 2) AS p_{f}" for f in FACTORS)
    total = " + ".join(f"p_{f}" for f in FACTORS)
    return SCORE_SQL.format(interval=interval, points=points, total=total,
                            supervised=SUPERVISED_GRADE_SQL, **SCOPES[scope])


def refresh(session: Session, counties: list[str], settings: RiskSettings) -> list[str]:
    """Recompute the stored scores of counties whose inputs changed; returns those counties."""
    current, stale = _stale(session, counties, settings)
    if not stale:
        return []
    # One refresher at a time (held to the end of the transaction); a request that waited
    # looks again and usually finds the scores fresh.
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('employer_risk'))"))
    current, stale = _stale(session, counties, settings)
    if not stale:
        return []
    _stage_cells(session, stale)
    # The counties' rows, and the rows of their employers filed under another county (one
    # that moved here while its old county was not refreshed, or rows left from a reset).
    session.execute(text("""
        DELETE FROM employer_risk WHERE county_adcode = ANY(:c)
           OR employer_id IN (SELECT id FROM employers WHERE county_adcode = ANY(:c))
    """), {"c": stale})
    session.execute(text(f"""
        INSERT INTO employer_risk (employer_id, county_adcode, score, level, {POINTS}, h3,
                                   computed_at)
        SELECT scored.id, county_adcode, score, level, {POINTS}, rc.h3, now()
        FROM ({score_sql("counties")}) scored LEFT JOIN risk_cells rc ON rc.employer_id = scored.id
        ORDER BY scored.id  -- appends to the primary key's b-tree instead of random inserts
    """), {**settings.sql_params(), "counties": stale})
    session.execute(text("""
        INSERT INTO risk_inputs (county_adcode, fingerprint, refreshed_at)
        SELECT c, f, now() FROM unnest(CAST(:c AS text[]), CAST(:f AS text[])) AS t(c, f)
        ON CONFLICT (county_adcode) DO UPDATE
            SET fingerprint = excluded.fingerprint, refreshed_at = excluded.refreshed_at
    """), {"c": stale, "f": [current[c] for c in stale]})
    return stale


def rescore(session: Session, employer_ids: list[int], settings: RiskSettings) -> list[str]:
    """Rescore these employers alone, after a write that changed their own inputs and no
    one else's (an inspection done: the days since the last one). A county whose stored
    scores were current before this transaction stays marked current: its mark moves from
    the fingerprint without this transaction's writes to the one with them. Returns those
    counties; any other stays stale for the next refresh (the scheduled job or a reader).

    Two such writers in one county at once: the second's mark update finds the first's
    mark and leaves the county stale, never marking a score it did not compute as current.
    An employer's cell is kept (a rescored employer has not moved: moving changes the
    county's fingerprint, and the county then stays stale)."""
    if not employer_ids:
        return []
    session.flush()
    rescored = session.execute(text(f"""
        UPDATE employer_risk r SET score = s.score, level = s.level,
            {", ".join(f"{p} = s.{p}" for p in POINTS.split(", "))}, computed_at = now()
        FROM ({score_sql("employers")}) s
        WHERE r.employer_id = s.id AND r.county_adcode = s.county_adcode
        RETURNING r.county_adcode
    """), {**settings.sql_params(), "employer_ids": list(employer_ids)}).scalars().all()
    if len(rescored) < len(set(employer_ids)):  # never scored, or filed under another county
        return []
    counties = sorted(set(rescored))
    marks = inputs.fingerprints_before_after(session, counties, settings.fingerprint())
    kept = session.execute(text("""
        UPDATE risk_inputs r SET fingerprint = t.after, refreshed_at = now()
        FROM unnest(CAST(:c AS text[]), CAST(:before AS text[]), CAST(:after AS text[]))
             AS t(c, before, after)
        WHERE r.county_adcode = t.c AND r.fingerprint = t.before
        RETURNING r.county_adcode
    """), {"c": counties, "before": [marks[c][0] for c in counties],
           "after": [marks[c][1] for c in counties]}).scalars().all()
    return sorted(kept)


def _stale(session: Session, counties: list[str],
           settings: RiskSettings) -> tuple[dict[str, str], list[str]]:
    current = inputs.county_fingerprints(session, counties, settings.fingerprint())
    stored = dict(session.execute(text(
        "SELECT county_adcode, fingerprint FROM risk_inputs WHERE county_adcode = ANY(:c)"),
        {"c": counties}).all())
    return current, sorted(c for c in counties if stored.get(c) != current[c])


def _stage_cells(session: Session, counties: list[str]) -> None:
    """Each located employer's H3 cell (STORED_RES) into the temporary table risk_cells."""
    session.execute(text("CREATE TEMP TABLE IF NOT EXISTS risk_cells "
                         "(employer_id bigint, h3 bigint) ON COMMIT DROP"))
    session.execute(text("TRUNCATE risk_cells"))
    points = h3cells.read_columns(
        session, "SELECT id, ST_Y(geom), ST_X(geom) FROM employers "
                 "WHERE county_adcode = ANY(%(c)s) AND geom IS NOT NULL", {"c": counties},
        {"id": "int8", "lat": "float8", "lon": "float8"})
    h3cells.write_columns(session, "risk_cells", {"employer_id": "int8", "h3": "int8"}, {
        "employer_id": points["id"],
        "h3": h3cells.cells(points["lat"], points["lon"], h3cells.STORED_RES)})
    session.execute(text("ANALYZE risk_cells"))


def explain(session: Session, employer_id: int, settings: RiskSettings) -> dict:
    """The score of one employer, computed now, with each factor's input and points."""
    row = session.execute(text(score_sql("employers")),
                          {**settings.sql_params(), "employer_ids": [employer_id]}
                          ).mappings().first()
    if row is None:
        raise NotFound(Text("dispatch.error.employer_not_found", employer_id=employer_id),
                       {"employer_id": employer_id})
    max_points = settings.max_points()
    inputs_of = {
        "grade": {"grade": row["grade"]},
        "complaints": {"complaints": row["complaints"], "lookback_days": settings.lookback_days,
                       "cap": settings.complaints_cap},
        "violations": {"violations": row["violations"], "years": settings.violation_years,
                       "cap": settings.violations_cap},
        "wage_arrears": {"wage_complaints": row["wage_complaints"],
                         "project_warning": float(row["project_warning"]),
                         "industry": row["industry"], "wage_deposit": row["wage_deposit"]},
        "social_insurance": {"social_insurance_complaints": row["si_complaints"]},
        "industry": {"industry": row["industry"]},
        "migrants": {"employees": row["employees"], "migrant_workers": row["migrant_workers"]},
        "inspection": {"last_inspected_at": row["last_inspected_at"] and
                       row["last_inspected_at"].isoformat(),
                       "days_since_inspection": row["days_since_inspection"],
                       "interval_days": row["interval_days"]},
    }
    factors = [{"factor": f, "points": float(row[f"p_{f}"]),
                "share": round(float(row[f"f_{f}"]), 4),
                "max_points": round(max_points[f], 2), "inputs": inputs_of[f]}
               for f in FACTORS]
    return {"employer_id": employer_id, "score": float(row["score"]), "level": row["level"],
            "factors": factors,
            "thresholds": {name: getattr(settings, name) for name in LEVELS}}


def warnings(session: Session, *, counties: list[str], level: str | None, page: int,
             per_page: int, settings: RiskSettings) -> dict:
    """Employers at or above the yellow threshold (or at one level), highest score first,
    from the stored scores (dispatch.analytics.jobs keeps them fresh; reads only)."""
    levels = [level] if level else list(LEVELS)
    counts = dict(session.execute(text("""
        SELECT level, count(*) FROM employer_risk
        WHERE county_adcode = ANY(:c) AND level IS NOT NULL GROUP BY level
    """), {"c": counties}).all())
    rows = session.execute(text(f"""
        SELECT r.employer_id, e.name, e.credit_code, e.county_adcode, e.grid_id, e.grade,
               r.score, r.level, {", ".join(f"r.p_{f}" for f in FACTORS)}, r.computed_at
        FROM employer_risk r JOIN employers e ON e.id = r.employer_id
        WHERE r.county_adcode = ANY(:c) AND r.level = ANY(:levels)
        ORDER BY r.score DESC, r.employer_id
        LIMIT :limit OFFSET :offset
    """), {"c": counties, "levels": levels, "limit": per_page,
           "offset": (page - 1) * per_page}).mappings().all()
    items = []
    for r in rows:
        points = {f: float(r[f"p_{f}"]) for f in FACTORS}
        items.append({
            "employer_id": r["employer_id"], "name": r["name"], "credit_code": r["credit_code"],
            "county_adcode": r["county_adcode"], "grid_id": r["grid_id"], "grade": r["grade"],
            "score": float(r["score"]), "level": r["level"],
            "top_factors": sorted((f for f in FACTORS if points[f] > 0),
                                  key=lambda f: -points[f])[:3],
            "computed_at": r["computed_at"].isoformat(),
        })
    return {"items": items, "page": page, "per_page": per_page,
            "total": sum(counts.get(lv, 0) for lv in levels),
            "counts": {lv: counts.get(lv, 0) for lv in LEVELS}}

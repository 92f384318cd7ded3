"""Early warning per project (red/orange/yellow), computed set-wise in one SQL statement.

Rules (levels are settings, WageSettings.level_*): no dedicated wage account, no wage roster
or real-name management, no notice board (the latest check of the item is missing or
failed); other site systems failed; full pay failed; deposit outstanding; a top-up past its
due date; labour-cost months missing (a month is due `payment_grace_days` after it ends);
complaints about the project or its builders; past wage arrears of its builders; building
past the planned end; grid-worker reports. A project's level is its highest reason's, raised
to red by `escalate_orange` orange-or-worse reasons. Completed projects keep only the
complaint and top-up reasons.

`refresh` stores the result (only rows whose level or reasons changed are rewritten); a
warning that turns red starts an alert (`red_since`) until a dispatcher acknowledges it.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.projects.settings import WageSettings
from geo.core import clock
from geo.core.text import Joined, Text

OTHER_ITEMS = ("labour_contract", "labour_manager", "attendance", "direct_pay")

COMPUTE_SQL = """
WITH p AS (
    SELECT id, county_adcode, contractor_id, status, start_on, planned_end_on,
           deposit_required, deposit_exempt, status = 'completed' AS done
    FROM projects WHERE {scope}
),
latest AS (
    SELECT DISTINCT ON (k.project_id, k.item) k.project_id, k.item, k.ok
    FROM project_checks k JOIN p ON p.id = k.project_id
    ORDER BY k.project_id, k.item, k.checked_at DESC, k.id DESC
),
ck AS (
    SELECT project_id,
           bool_or(item = 'wage_account' AND ok) AS account,
           bool_or(item = 'wage_roster' AND ok) AND bool_or(item = 'real_name' AND ok) AS roster,
           bool_or(item = 'notice_board' AND ok) AS board,
           bool_or(item = 'full_pay' AND NOT ok) AS full_pay_failed,
           array_agg(item ORDER BY item) FILTER (WHERE NOT ok AND item = ANY(:other_items))
               AS failed
    FROM latest GROUP BY project_id
),
dep AS (
    SELECT d.project_id,
           coalesce(sum(d.amount) FILTER (WHERE kind = 'paid'), 0)
           - coalesce(sum(d.amount) FILTER (WHERE kind IN ('returned', 'drawn')), 0) AS held,
           max(d.on_date) FILTER (WHERE kind = 'top_up_demanded') AS top_up_due
    FROM project_deposits d JOIN p ON p.id = d.project_id GROUP BY d.project_id
),
months AS (  -- months due while building: from the start month to the last whose grace passed
    SELECT p.id AS project_id, m::date AS month
    FROM p, generate_series(date_trunc('month', p.start_on),
                            date_trunc('month', CAST(:today AS date)
                                       - make_interval(days => :grace)) - interval '1 month',
                            interval '1 month') AS m
    WHERE p.status = 'building'
),
missing AS (
    SELECT m.project_id, count(*) AS n,
           array_agg(to_char(m.month, 'YYYY-MM') ORDER BY m.month DESC) AS list
    FROM months m
    WHERE NOT EXISTS (SELECT 1 FROM project_payments y
                      WHERE y.project_id = m.project_id AND y.month = m.month)
    GROUP BY m.project_id
),
builders AS (
    SELECT id AS project_id, contractor_id AS employer_id FROM p
    UNION SELECT s.project_id, s.employer_id FROM project_subcontractors s JOIN p ON p.id = s.project_id
),
cmp AS (
    SELECT project_id, count(DISTINCT cid) AS n, bool_or(mass) AS mass FROM (
        SELECT c.project_id, c.id AS cid, c.mass_incident AS mass FROM complaints c
        JOIN p ON p.id = c.project_id
        WHERE c.received_at >= CAST(:now AS timestamptz) - make_interval(days => :complaint_days)
          AND c.status NOT IN ('refused', 'redirected')
        UNION ALL
        SELECT b.project_id, c.id, c.mass_incident FROM complaints c
        JOIN builders b ON b.employer_id = c.employer_id
        WHERE c.received_at >= CAST(:now AS timestamptz) - make_interval(days => :complaint_days)
          AND c.status NOT IN ('refused', 'redirected')
    ) x GROUP BY project_id
),
arrears AS (
    SELECT DISTINCT b.project_id FROM builders b
    WHERE EXISTS (SELECT 1 FROM cases c WHERE c.employer_id = b.employer_id
                    AND c.outcome IS NOT NULL
                    AND (c.outcome = 'wages_recovered'
                         OR c.violations && ARRAY['wage_arrears', 'refused_wages']::varchar[])
                    AND coalesce(c.decision_date, c.closed_on)
                        >= CAST(:today AS date) - make_interval(years => :arrears_years))
       OR EXISTS (SELECT 1 FROM project_deposits d JOIN projects o ON o.id = d.project_id
                  WHERE o.contractor_id = b.employer_id AND d.kind = 'drawn'
                    AND o.id <> b.project_id
                    AND d.on_date >= CAST(:today AS date) - make_interval(years => :arrears_years))
),
rep AS (
    SELECT r.project_id, count(*) AS n, bool_or(r.kind = 'workers_gathering') AS gathering
    FROM project_reports r JOIN p ON p.id = r.project_id
    WHERE r.reported_on >= CAST(:today AS date) - :report_days
    GROUP BY r.project_id
),
reasons AS (
    SELECT p.id AS project_id, p.county_adcode, (
        CASE WHEN NOT p.done AND NOT coalesce(ck.account, false)
             THEN jsonb_build_array(jsonb_build_object('code', 'no_wage_account',
                  'level', :l_no_wage_account)) ELSE '[]' END
     || CASE WHEN NOT p.done AND NOT coalesce(ck.roster, false)
             THEN jsonb_build_array(jsonb_build_object('code', 'no_roster',
                  'level', :l_no_roster)) ELSE '[]' END
     || CASE WHEN NOT p.done AND NOT coalesce(ck.board, false)
             THEN jsonb_build_array(jsonb_build_object('code', 'no_board',
                  'level', :l_no_board)) ELSE '[]' END
     || CASE WHEN NOT p.done AND ck.failed IS NOT NULL
             THEN jsonb_build_array(jsonb_build_object('code', 'items_failed',
                  'level', :l_items_failed, 'params', jsonb_build_object('items', ck.failed)))
             ELSE '[]' END
     || CASE WHEN NOT p.done AND coalesce(ck.full_pay_failed, false)
             THEN jsonb_build_array(jsonb_build_object('code', 'full_pay_failed',
                  'level', :l_full_pay_failed)) ELSE '[]' END
     || CASE WHEN NOT p.done AND NOT p.deposit_exempt
                  AND coalesce(dep.held, 0) < p.deposit_required
                  AND NOT (dep.top_up_due IS NOT NULL AND dep.top_up_due < CAST(:today AS date))
             THEN jsonb_build_array(jsonb_build_object('code', 'deposit_outstanding',
                  'level', :l_deposit_outstanding, 'params', jsonb_build_object(
                  'amount', p.deposit_required - coalesce(dep.held, 0)))) ELSE '[]' END
     || CASE WHEN NOT p.deposit_exempt AND coalesce(dep.held, 0) < p.deposit_required
                  AND dep.top_up_due < CAST(:today AS date)
             THEN jsonb_build_array(jsonb_build_object('code', 'top_up_overdue',
                  'level', :l_top_up_overdue, 'params', jsonb_build_object(
                  'due', dep.top_up_due, 'amount', p.deposit_required - dep.held)))
             ELSE '[]' END
     || CASE WHEN missing.n > 0
             THEN jsonb_build_array(jsonb_build_object('code', 'labour_cost_missing',
                  'level', CASE WHEN missing.n >= :missing_red THEN 'red'
                                ELSE :l_labour_cost_missing END,
                  'params', jsonb_build_object('count', missing.n,
                                               'months', missing.list[1:6]))) ELSE '[]' END
     || CASE WHEN cmp.n > 0
             THEN jsonb_build_array(jsonb_build_object('code', 'complaints',
                  'level', CASE WHEN cmp.n >= :complaints_red OR cmp.mass THEN 'red'
                                ELSE :l_complaints END,
                  'params', jsonb_build_object('count', cmp.n, 'days', :complaint_days,
                                               'mass', cmp.mass))) ELSE '[]' END
     || CASE WHEN arrears.project_id IS NOT NULL
             THEN jsonb_build_array(jsonb_build_object('code', 'contractor_arrears',
                  'level', :l_contractor_arrears,
                  'params', jsonb_build_object('years', :arrears_years))) ELSE '[]' END
     || CASE WHEN p.status = 'building' AND p.planned_end_on < CAST(:today AS date)
             THEN jsonb_build_array(jsonb_build_object('code', 'past_end',
                  'level', CASE WHEN CAST(:today AS date) - p.planned_end_on
                                     > :past_end_orange_days THEN 'orange'
                                ELSE :l_past_end END,
                  'params', jsonb_build_object('days', CAST(:today AS date) - p.planned_end_on)))
             ELSE '[]' END
     || CASE WHEN rep.n > 0
             THEN jsonb_build_array(jsonb_build_object('code', 'grid_report',
                  'level', CASE WHEN rep.gathering THEN :l_workers_gathering
                                ELSE :l_grid_report END,
                  'params', jsonb_build_object('count', rep.n, 'days', :report_days)))
             ELSE '[]' END
    ) AS reasons
    FROM p LEFT JOIN ck ON ck.project_id = p.id LEFT JOIN dep ON dep.project_id = p.id
    LEFT JOIN missing ON missing.project_id = p.id LEFT JOIN cmp ON cmp.project_id = p.id
    LEFT JOIN arrears ON arrears.project_id = p.id LEFT JOIN rep ON rep.project_id = p.id
),
ranked AS (
    SELECT r.*, (SELECT max(CASE x->>'level' WHEN 'red' THEN 3 WHEN 'orange' THEN 2
                                              WHEN 'yellow' THEN 1 END)
                 FROM jsonb_array_elements(r.reasons) x) AS top,
                (SELECT count(*) FROM jsonb_array_elements(r.reasons) x
                 WHERE x->>'level' IN ('orange', 'red')) AS serious
    FROM reasons r
)
SELECT project_id, county_adcode, reasons,
       CASE WHEN top = 3 OR serious >= :escalate THEN 'red' WHEN top = 2 THEN 'orange'
            WHEN top = 1 THEN 'yellow' END AS level
FROM ranked
"""

UPSERT_SQL = """
INSERT INTO project_warnings AS w (project_id, county_adcode, level, reasons, since, red_since,
                                   computed_at)
SELECT project_id, county_adcode, level, reasons, CAST(:now AS timestamptz),
       CASE WHEN level = 'red' THEN CAST(:now AS timestamptz) END, CAST(:now AS timestamptz)
FROM ({compute}) computed
ON CONFLICT (project_id) DO UPDATE SET
    county_adcode = excluded.county_adcode, level = excluded.level, reasons = excluded.reasons,
    since = CASE WHEN w.level IS DISTINCT FROM excluded.level THEN excluded.since ELSE w.since END,
    red_since = CASE WHEN excluded.level IS DISTINCT FROM 'red' THEN NULL
                     WHEN w.level = 'red' THEN w.red_since ELSE excluded.red_since END,
    acknowledged_by = CASE WHEN excluded.level = 'red' AND w.level = 'red'
                           THEN w.acknowledged_by END,
    acknowledged_at = CASE WHEN excluded.level = 'red' AND w.level = 'red'
                           THEN w.acknowledged_at END,
    computed_at = excluded.computed_at
WHERE w.level IS DISTINCT FROM excluded.level OR w.reasons IS DISTINCT FROM excluded.reasons
   OR w.county_adcode IS DISTINCT FROM excluded.county_adcode
"""

SCOPES = {
    "projects": "id = ANY(:project_ids)",
    "counties": "county_adcode = ANY(:counties)",
    # projects of the counties, and those whose builders are registered there
    "touching": """county_adcode = ANY(:counties) OR contractor_id IN (
                     SELECT id FROM employers WHERE county_adcode = ANY(:counties))
                   OR id IN (SELECT s.project_id FROM project_subcontractors s
                             JOIN employers e ON e.id = s.employer_id
                             WHERE e.county_adcode = ANY(:counties))""",
    "all": "true",
}


def _params(settings: WageSettings) -> dict:
    now = clock.now()
    return {"now": now, "today": clock.today(), "grace": settings.payment_grace_days,
            "other_items": list(OTHER_ITEMS), "complaint_days": settings.complaint_days,
            "complaints_red": settings.complaints_red, "arrears_years": settings.arrears_years,
            "report_days": settings.report_days, "missing_red": settings.missing_months_red,
            "past_end_orange_days": settings.past_end_orange_days,
            "escalate": settings.escalate_orange,
            **{f"l_{k}": v for k, v in settings.levels().items()}}


def compute(session: Session, settings: WageSettings, *, project_ids: list[int]) -> dict:
    """The warnings of these projects computed now (nothing stored): {id: (level, reasons)}."""
    rows = session.execute(text(COMPUTE_SQL.format(scope=SCOPES["projects"])),
                           {**_params(settings), "project_ids": project_ids}).mappings()
    return {r["project_id"]: (r["level"], r["reasons"]) for r in rows}


def refresh(session: Session, settings: WageSettings, *, project_ids: list[int] | None = None,
            counties: list[str] | None = None, touching: bool = False) -> int:
    """Store the warnings of the projects chosen (by id, by county — with `touching`, also
    those whose builders are registered there — or all); returns the rows rewritten."""
    if project_ids is not None:
        scope, extra = "projects", {"project_ids": project_ids}
    elif counties is not None:
        scope, extra = ("touching" if touching else "counties"), {"counties": counties}
    else:
        scope, extra = "all", {}
    sql = UPSERT_SQL.format(compute=COMPUTE_SQL.format(scope=SCOPES[scope]))
    return session.execute(text(sql), {**_params(settings), **extra}).rowcount


def reason_view(reason: dict) -> dict:
    """A stored reason with its sentence from the catalog."""
    params = dict(reason.get("params") or {})
    if "items" in params:
        params["items"] = Joined([Text(f"project.item.{i}") for i in params["items"]],
                                 "dispatch.list.comma")
    if "months" in params:
        params["months"] = "、".join(params["months"])
    if "amount" in params:
        params["amount"] = f"{float(params['amount']):,.2f}"
    if "mass" in params:
        params.pop("mass")
    return {"code": reason["code"], "level": reason["level"],
            "params": reason.get("params") or {},
            "text": Text(f"project.reason.{reason['code']}", **params)}


def view(level: str | None, reasons: list[dict]) -> dict:
    return {"level": level, "reasons": [reason_view(r) for r in reasons]}


def stored(session: Session, project_id: int) -> dict | None:
    row = session.execute(text("""
        SELECT level, reasons, since, red_since, acknowledged_by, computed_at
        FROM project_warnings WHERE project_id = :p
    """), {"p": project_id}).mappings().first()
    if row is None:
        return None
    return {**view(row["level"], row["reasons"]), "since": row["since"].isoformat(),
            "red_since": row["red_since"] and row["red_since"].isoformat(),
            "acknowledged_by": row["acknowledged_by"],
            "computed_at": row["computed_at"].isoformat()}


def alerts(session: Session, *, counties: list[str] | None) -> list[dict]:
    """Red warnings not yet acknowledged (newest first): the county dispatchers' alerts."""
    return [{**r, "red_since": r["red_since"].isoformat(),
             "reasons": [reason_view(x) for x in r["reasons"]]}
            for r in session.execute(text("""
                SELECT w.project_id, p.name, w.county_adcode, w.red_since, w.reasons
                FROM project_warnings w JOIN projects p ON p.id = w.project_id
                WHERE w.level = 'red' AND w.acknowledged_at IS NULL
                  AND (CAST(:c AS text[]) IS NULL OR w.county_adcode = ANY(:c))
                ORDER BY w.red_since DESC LIMIT 200
            """), {"c": counties}).mappings()]


def acknowledge(session: Session, project_id: int, actor: str | None) -> bool:
    from geo.accounts import audit

    done = session.execute(text("""
        UPDATE project_warnings SET acknowledged_by = :a, acknowledged_at = :now
        WHERE project_id = :p AND level = 'red' AND acknowledged_at IS NULL
    """), {"a": actor, "now": clock.now(), "p": project_id}).rowcount
    if done:
        audit.record(session, actor=actor, action="project_alert_ack", entity="project",
                     entity_id=project_id)
    return bool(done)



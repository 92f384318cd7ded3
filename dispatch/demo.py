"""Deterministic demo officers, recusals, complaints and open inspections."""
from __future__ import annotations

from datetime import timedelta

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.analytics import jobs
from dispatch.calendar.service import WorkingCalendar
from dispatch.inspections import service as inspections
from dispatch.officers.service import ON_A_JOB
from dispatch.projects.demo import seed_projects
from dispatch.settings import DispatchSettings
from geo import demo
from geo.core import clock
from geo.core.config import Settings
from geo.core.db import job_timeout
from geo.demo import _names
from geo.employers.service import assign_to_grids

STATUSES = np.array(["available", "off_duty", "assigned", "en_route", "on_site", "unavailable"])
STATUS_P = [0.5, 0.2, 0.1, 0.05, 0.1, 0.05]
SKILLS = np.array(["wage_arrears", "construction", "social_insurance", "child_labour",
                   "working_hours", "labour_dispatch"])
CATEGORIES = np.array(["wage_arrears", "no_contract", "overtime", "social_insurance",
                       "child_labour", "other"])


def seed_officers(session: Session, rng: np.random.Generator,
                  inspectors_per_county: int = 8) -> tuple[int, dict[str, str]]:
    """1–2 grid workers per grid and at least six certified inspectors per county.

    Returns how many, and the badges of the inspectors drawn busy with the status drawn.
    """
    grids = session.execute(text("""
        SELECT id, county_adcode, ST_X(p), ST_Y(p)
        FROM (SELECT id, county_adcode, ST_PointOnSurface(geom) AS p FROM grids ORDER BY id) g
    """)).all()
    counties = session.execute(text("""
        SELECT adcode, ST_X(p), ST_Y(p), sqrt(ST_Area(geom))
        FROM (SELECT adcode, geom, ST_PointOnSurface(geom) AS p
              FROM admin_areas WHERE level = 'county' ORDER BY adcode) c
    """)).all()
    rows = []
    for gid, county, x, y in grids:
        for _ in range(int(rng.integers(1, 3))):
            rows.append(("grid_worker", False, county, gid, x, y, 0.01))
    for adcode, x, y, size in counties:
        n = inspectors_per_county + int(rng.integers(0, 4))
        rows.extend(("inspector", True, adcode, None, x, y, size * 0.15) for _ in range(n))
    n = len(rows)
    names = _names(rng, n)
    drawn = rng.choice(STATUSES, n, p=STATUS_P)
    # Everyone starts off the job: an officer is assigned / en route / on site only through a
    # real assignment (seed_assignments), and teams are certified inspectors, not grid workers.
    status = np.where(np.isin(drawn, ON_A_JOB), "available", drawn)
    age_min = np.where(rng.random(n) < 0.85, rng.integers(0, 25, n), rng.integers(30, 600, n))
    params = []
    for i, (kind, certified, county, gid, x, y, spread) in enumerate(rows):
        skills = [str(k) for k in rng.choice(SKILLS, int(rng.integers(1, 4)), replace=False)] \
            if kind == "inspector" else []
        dx, dy = rng.normal(0, spread, 2)
        params.append({
            "badge": f"{'JC' if kind == 'inspector' else 'WG'}{county}{i:05d}",
            "name": names[i], "kind": kind, "certified": certified, "county": county,
            "grid": gid, "status": str(status[i]), "x": float(x + dx), "y": float(y + dy),
            "age": int(age_min[i]), "skills": skills,
        })
    # Keep every officer inside their county: a position that drifted out falls back to the seat.
    session.execute(text("""
        INSERT INTO officers (badge, name, kind, certified, county_adcode, grid_id, status,
                              geom, position_at, skills)
        SELECT :badge, :name, :kind, :certified, :county, :grid, :status,
               CASE WHEN ST_Intersects(a.geom, ST_SetSRID(ST_MakePoint(:x, :y), 4326))
                    THEN ST_SetSRID(ST_MakePoint(:x, :y), 4326)
                    ELSE ST_PointOnSurface(a.geom) END,
               now() - make_interval(mins => :age), :skills
        FROM admin_areas a WHERE a.level = 'county' AND a.adcode = :county
    """), params)
    # 执法证 of the demo inspectors: issued 1–8 years ago for 10 years, reviewed this year.
    today = clock.today()
    session.execute(text("""
        UPDATE officers SET
            certificate_no = 'HN' || county_adcode || lpad(id::text, 6, '0'),
            certificate_issued_on = CAST(:today AS date) - (365 * (1 + id % 8)),
            certificate_expires_on = CAST(:today AS date) - (365 * (1 + id % 8)) + 3652,
            certificate_reviewed_on = CAST(:today AS date) - (id % 200)
        WHERE kind = 'inspector' AND certified AND certificate_no IS NULL
    """), {"today": today})
    return n, {p["badge"]: str(drawn[i]) for i, p in enumerate(params)
               if p["kind"] == "inspector" and drawn[i] in ON_A_JOB}


def seed_assignments(session: Session, wanted: dict[str, str]) -> int:
    """Pairs of one county's inspectors drawn busy, each pair on a new assigned inspection.

    The pair takes the status drawn for its first member; an inspector left without a partner,
    or in a county without an employer they may inspect, stays available.
    """
    officers = session.execute(text("""
        SELECT id, badge, county_adcode FROM officers WHERE badge = ANY(:b)
        ORDER BY county_adcode, id
    """), {"b": list(wanted)}).all()
    by_county: dict[str, list] = {}
    for o in officers:
        by_county.setdefault(o.county_adcode, []).append(o)
    now = inspections.now_utc()
    due = inspections.due_at("normal", now, DispatchSettings(), WorkingCalendar.load(session))
    teams = 0
    for county, members in by_county.items():
        for k in range(0, len(members) - 1, 2):
            a, b = members[k], members[k + 1]
            inspection = session.execute(text("""
                INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority,
                                         status, description, assigned_at, due_at)
                SELECT 'scheduled', e.id, e.county_adcode, e.geom, 'normal', 'assigned',
                       '日常巡查', :now, :due
                FROM employers e
                WHERE e.county_adcode = :c AND NOT EXISTS (
                    SELECT 1 FROM recusals r WHERE r.employer_id = e.id
                      AND r.officer_id IN (:a, :b))
                ORDER BY e.id OFFSET :k LIMIT 1
                RETURNING id
            """), {"c": county, "a": a.id, "b": b.id, "k": k // 2, "now": now,
                   "due": due}).scalar()
            if inspection is None:
                continue
            session.execute(text("""
                INSERT INTO assignments (inspection_id, officer_id, county_adcode, assigned_by,
                                         assigned_at)
                SELECT :i, o, :c, 'demo', :now FROM unnest(CAST(:ids AS integer[])) o
            """), {"i": inspection, "c": county, "ids": [a.id, b.id], "now": now})
            session.execute(text("UPDATE officers SET status = :s WHERE id IN (:a, :b)"),
                            {"s": wanted[a.badge], "a": a.id, "b": b.id})
            teams += 1
    return teams


def seed_cases(session: Session, rng: np.random.Generator, complaints: int,
               inspections: int) -> None:
    """Complaints at random employers, some recusals, and open inspections."""
    ids = session.execute(text("SELECT min(id), max(id) FROM employers")).one()
    picks = rng.integers(ids[0], ids[1] + 1, complaints + inspections + 50)
    cats = rng.choice(CATEGORIES, complaints, p=[0.5, 0.15, 0.12, 0.15, 0.01, 0.07])
    workers = np.where(rng.random(complaints) < 0.06, rng.integers(10, 80, complaints),
                       rng.integers(1, 6, complaints))
    days = rng.integers(0, 20, complaints)
    names = _names(rng, complaints)
    calendar, settings, now = WorkingCalendar.load(session), DispatchSettings(), clock.now()
    rows = []
    for i in range(complaints):
        received = now - timedelta(days=int(days[i]), hours=int(rng.integers(0, 9)))
        mass = int(workers[i]) >= settings.mass_incident_workers
        rows.append({
            "eid": int(picks[i]), "cat": str(cats[i]), "workers": int(workers[i]),
            "descr": "工资拖欠" if cats[i] == "wage_arrears" else "劳动保障投诉",
            "who": names[i], "phone": f"13{int(rng.integers(0, 10**9)):09d}",
            "occurred": clock.beijing_date(received) - timedelta(days=30), "received": received,
            "due": calendar.add_working_days(clock.beijing_date(received),
                                             settings.acceptance_working_days),
            "mass": mass, "priority": "urgent" if mass else (
                "high" if cats[i] in ("wage_arrears", "child_labour") else "normal")})
    session.execute(text("""
        INSERT INTO complaints (employer_id, county_adcode, category, workers_affected,
            description, complainant_name, complainant_phone, geom, occurred_on, received_at,
            acceptance_due, status, mass_incident, priority)
        SELECT e.id, e.county_adcode, :cat, :workers, :descr, :who, :phone, e.geom,
               :occurred, :received, :due, 'received', :mass, :priority
        FROM employers e WHERE e.id = :eid
    """), rows)
    kinds = rng.choice(np.array(["complaint", "scheduled", "random", "incident"]), inspections,
                       p=[0.4, 0.35, 0.2, 0.05])
    session.execute(text("""
        INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status,
                                 description)
        SELECT :kind, e.id, e.county_adcode, e.geom,
               CASE WHEN :kind = 'incident' THEN 'urgent'
                    WHEN :kind = 'complaint' THEN 'high' ELSE 'normal' END,
               'pending', :descr
        FROM employers e WHERE e.id = :eid
    """), [{"eid": int(picks[complaints + i]), "kind": str(kinds[i]),
            "descr": {"complaint": "投诉核查", "scheduled": "日常巡查", "random": "双随机抽查",
                      "incident": "群体性事件处置"}[str(kinds[i])]}
           for i in range(inspections)])
    session.execute(text("""
        INSERT INTO recusals (officer_id, employer_id, reason, county_adcode)
        SELECT o.id, e.id, '近亲属任职', e.county_adcode
        FROM (SELECT id, county_adcode, row_number() OVER (ORDER BY id) AS n
              FROM officers WHERE kind = 'inspector') o
        JOIN LATERAL (SELECT id, county_adcode FROM employers
                      WHERE county_adcode = o.county_adcode ORDER BY id LIMIT 1) e ON true
        WHERE o.n % 10 = 1
        ON CONFLICT DO NOTHING
    """))


def seed_casework(session: Session, rng: np.random.Generator, n: int = 40) -> None:
    """Take some demo complaints through the real procedure, so the complaint and case pages
    show every state: accepted for inspection or as a case (some closed with a fine, one
    supervised), refused, waiting for information, redirected."""
    from dispatch.casework import cases, complaints, supervision
    settings, calendar = DispatchSettings(), WorkingCalendar.load(session)
    ids = session.execute(text(
        "SELECT id FROM complaints WHERE status = 'received' AND county_adcode LIKE '4101%' "
        "AND NOT mass_incident ORDER BY id LIMIT :n"), {"n": n}).scalars().all()
    today = clock.today()
    for i, complaint_id in enumerate(ids):
        kind = ("case", "case", "inspect", "case", "refuse", "request_info", "redirect",
                "inspect")[i % 8]

        def open_case(s, c):
            return cases.open_case(s, complaint_id=c.id, opened_on=today, summary=c.description,
                                   actor="demo", settings=settings, calendar=calendar).id
        decision = {"case": "accept", "inspect": "accept"}.get(kind, kind)
        result = complaints.decide(
            session, complaint_id, decision=decision, reason=DEMO_REASONS[kind], actor="demo",
            mode=kind if decision == "accept" else None,
            ground="not_labour_matter" if kind == "refuse" else None,
            redirect_to="郑州市住房和城乡建设局" if kind == "redirect" else None,
            settings=settings, calendar=calendar, open_case=open_case)
        case_id = result["case_id"]
        if case_id:  # two of the county's certified inspectors handle it
            county = result["complaint"]["county_adcode"]
            team = session.execute(text(
                "SELECT id FROM officers WHERE kind = 'inspector' AND certified "
                "AND county_adcode = :c ORDER BY id LIMIT 2"), {"c": county}).scalars().all()
            if len(team) == 2:
                cases.set_handlers(session, case_id, handler_ids=list(team),
                                   cross_county_reason=None, actor="demo", settings=settings)
        if case_id and i % 3 == 0 and len(team) == 2:
            cases.close(session, case_id, outcome="penalty", closed_on=today,
                        summary="已责令支付并处罚款", fine_amount=int(rng.integers(2, 40)) * 1000,
                        decision_number=f"人社监罚〔{today.year}〕{i + 1}号", actor="demo",
                        settings=settings, calendar=calendar)
        elif case_id and i % 8 == 1:
            supervision.supervise(session, case_id, level="city", supervisor="市劳动保障监察支队",
                            deadline=calendar.add_working_days(today, 20),
                            note="涉及农民工较多，市局挂牌督办", actor="demo")


DEMO_REASONS = {"case": "反映的拖欠工资事实清楚，依法立案查处", "inspect": "属于劳动保障监察事项，安排检查",
                "refuse": "所反映的事项属于劳动争议仲裁范围",
                "request_info": "未能确定用人单位地址，请补充", "redirect": "属在建工程项目，转住建部门协同处理"}


def seed_demo(session: Session, *, employers: int, seed: int = 2026,
              employers_per_grid: int = 133, progress=lambda stage, n: None,
              job_timeout_ms: int = Settings.model_fields["job_statement_timeout_ms"].default) -> dict:
    """The whole demo dataset in one transaction; deterministic for a given seed."""
    job_timeout(session, job_timeout_ms)
    rng = np.random.default_rng(seed)
    placed = demo.seed_employers(session, employers, rng, lambda n: progress("employers", n))
    grids = demo.seed_grids(session, placed, employers_per_grid, rng,
                            lambda n: progress("grids", n))
    assigned = assign_to_grids(session)
    officers, busy = seed_officers(session, rng)
    seed_cases(session, rng, complaints=max(20, employers // 200),
               inspections=max(10, employers // 700))
    seed_assignments(session, busy)
    seed_casework(session, rng)
    projects = seed_projects(session, rng, n=max(30, employers // 1000))
    session.execute(text("ANALYZE"))
    jobs.after_write(session, jobs.all_counties(session))  # risk scores of the new data
    inserted = session.execute(text("SELECT count(*) FROM employers")).scalar_one()
    return {"employers": inserted, "grids": grids, "assigned_to_grids": assigned,
            "officers": officers, "projects": projects}


def link_demo_inspector(session: Session) -> None:
    """Give each demo inspector account a grid worker's record in its own area, so /field
    shows a real grid (county accounts first: they have the fewest to choose from)."""
    users = session.execute(text("""
        SELECT id, area_adcode FROM users WHERE role = 'inspector' AND username LIKE 'demo-%'
          AND NOT EXISTS (SELECT 1 FROM officers o WHERE o.user_id = users.id)
        ORDER BY area_adcode DESC, id""")).all()
    for user_id, area in users:
        session.execute(text("""
            UPDATE officers SET user_id = :u WHERE id = (
                SELECT min(id) FROM officers
                WHERE kind = 'grid_worker' AND grid_id IS NOT NULL AND user_id IS NULL
                  AND (:a = '410000' OR county_adcode = :a
                       OR left(county_adcode, 4) || '00' = :a))
        """), {"u": user_id, "a": area})

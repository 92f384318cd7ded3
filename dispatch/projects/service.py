"""Construction projects (保障农民工工资支付): create and edit, the site checklist, the deposit
ledger with its draw-downs, monthly labour-cost payments and grid-worker reports. Every write
is audited and recomputes the project's warning in the same transaction (warnings.refresh)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from geoalchemy2.shape import from_shape
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.analytics import risk
from dispatch.analytics.settings import RiskSettings
from dispatch.calendar.service import WorkingCalendar
from dispatch.projects import deposit, warnings
from dispatch.projects.models import (
    Project,
    ProjectCheck,
    ProjectDeposit,
    ProjectPayment,
    ProjectReport,
    ProjectSubcontractor,
)
from dispatch.projects.settings import WageSettings
from dispatch.projects.sites import Site
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, InvalidInput, NotFound, Unprocessable
from geo.core.text import Text
from geo.employers import credit_code

YEAR_DAYS = 365.25
# The last wage arrears of each employer: a decided case that found unpaid or refused wages
# (or recovered them), or a deposit drawn to pay the workers of one of its projects.
ARREARS_SQL = """
SELECT employer_id, max(day) AS last_arrears FROM (
    SELECT employer_id, coalesce(decision_date, closed_on) AS day FROM cases
    WHERE employer_id = ANY(:employers) AND outcome IS NOT NULL
      AND (outcome = 'wages_recovered'
           OR violations && ARRAY['wage_arrears', 'refused_wages']::varchar[])
    UNION ALL
    SELECT p.contractor_id, d.on_date FROM project_deposits d JOIN projects p ON p.id = d.project_id
    WHERE p.contractor_id = ANY(:employers) AND d.kind = 'drawn'
) a WHERE day IS NOT NULL GROUP BY employer_id
"""


def _not_found(project_id) -> NotFound:
    return NotFound(Text("error.project.not_found", project_id=project_id),
                    {"project_id": project_id})


def employer_by_code(session: Session, raw, name: str) -> int:
    """The registered employer with this credit code: 422 naming the expected check
    character for a mistyped code, or that it is not registered."""
    if not isinstance(raw, str):
        raise InvalidInput(Text("webapp.field.required", name=name), {"parameter": name})
    try:
        code = credit_code.validate(raw)
    except credit_code.CreditCodeError as exc:
        raise Unprocessable(Text("error.project.credit_code", name=name, reason=exc.message),
                            {"parameter": name}) from None
    found = session.execute(text("SELECT id FROM employers WHERE credit_code = :c"),
                            {"c": code}).scalar()
    if found is None:
        raise Unprocessable(Text("error.project.employer_unknown", name=name, code=code),
                            {"parameter": name, "credit_code": code})
    return found


def record_of(session: Session, contractor_id: int, today: date,
              exclude_project: int | None = None) -> deposit.Record:
    """The contractor's record for the rate rules."""
    first = session.execute(text(
        "SELECT min(start_on) FROM projects WHERE contractor_id = :e AND id <> :x"),
        {"e": contractor_id, "x": exclude_project or 0}).scalar()
    last = session.execute(text(ARREARS_SQL), {"employers": [contractor_id]}).mappings().first()
    years_on = max((today - first).days, 0) / YEAR_DAYS if first else 0.0
    since = (max((today - last["last_arrears"]).days, 0) / YEAR_DAYS) if last else None
    return deposit.Record(years_on, since)


def create(session: Session, *, name: str, site: Site, department: str, contractor_id: int,
           owner_id: int | None, owner_name: str | None, subcontractor_ids: list[int],
           contract_value: Decimal, start_on: date, planned_end_on: date, workers: int,
           status: str, deposit_rate: Decimal | None, settings: WageSettings,
           actor: str | None) -> Project:
    """A new project placed by its site; its deposit terms from the rules (or the rate
    given, within the range)."""
    if planned_end_on < start_on:
        raise Unprocessable(Text("error.project.dates", start=start_on, end=planned_end_on),
                            {"parameter": "planned_end_on"})
    today = clock.today()
    terms = deposit.terms(contract_value, record_of(session, contractor_id, today), settings,
                          deposit_rate)
    project = Project(
        name=name, site=from_shape(site.geom, srid=4326), geom=from_shape(site.point, srid=4326),
        source_crs=site.crs, county_adcode=site.county_adcode, grid_id=site.grid_id,
        department=department, owner_id=owner_id, owner_name=owner_name,
        contractor_id=contractor_id, contract_value=deposit.money(contract_value),
        start_on=start_on, planned_end_on=planned_end_on, workers=workers, status=status,
        deposit_rate=terms.rate, deposit_rule=terms.rule, deposit_required=terms.required,
        deposit_exempt=terms.exempt, created_by=actor)
    session.add(project)
    session.flush()
    for employer_id in sorted(set(subcontractor_ids) - {contractor_id}):
        session.add(ProjectSubcontractor(project_id=project.id, employer_id=employer_id))
    audit.record(session, actor=actor, action="project_create", entity="project",
                 entity_id=project.id, after={"name": name, "county": site.county_adcode,
                                              "contract_value": str(project.contract_value),
                                              "deposit_required": str(terms.required),
                                              "rule": terms.rule})
    _after_write(session, project, settings)
    return project


def lock(session: Session, project_id: int) -> Project:
    """The project, locked for this transaction (ledger writes check balances under it)."""
    found = session.execute(select(Project).where(Project.id == project_id)
                            .with_for_update()).scalar_one_or_none()
    if found is None:
        raise _not_found(project_id)
    return found


EDITABLE = ("name", "department", "status", "planned_end_on", "completed_on", "workers",
            "owner_name")


def update(session: Session, project_id: int, *, version: int, changes: dict,
           subcontractor_ids: list[int] | None, settings: WageSettings,
           actor: str | None) -> Project:
    """Change fields of a project at `version` (409 when someone changed it first)."""
    project = lock(session, project_id)
    if project.version != version:
        raise Conflict(Text("error.project.version", version=version, current=project.version),
                       {"version": project.version})
    before = {k: _plain(getattr(project, k)) for k in changes}
    end = changes.get("planned_end_on", project.planned_end_on)
    if end < project.start_on:
        raise Unprocessable(Text("error.project.dates", start=project.start_on, end=end),
                            {"parameter": "planned_end_on"})
    if changes.get("status") == "completed" and not changes.get("completed_on") \
            and project.completed_on is None:
        changes["completed_on"] = clock.today()
    for key, value in changes.items():
        setattr(project, key, value)
    if subcontractor_ids is not None:
        session.execute(text("DELETE FROM project_subcontractors WHERE project_id = :p"),
                        {"p": project_id})
        for employer_id in sorted(set(subcontractor_ids) - {project.contractor_id}):
            session.add(ProjectSubcontractor(project_id=project_id, employer_id=employer_id))
        before["subcontractors"] = "replaced"
    project.version += 1
    project.updated_at = clock.now()
    audit.record(session, actor=actor, action="project_update", entity="project",
                 entity_id=project_id, before=before,
                 after={k: _plain(v) for k, v in changes.items()} |
                 ({"subcontractors": sorted(subcontractor_ids)} if subcontractor_ids is not None
                  else {}))
    _after_write(session, project, settings)
    return project


def _plain(value):
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return value


DEFER_RISK = "liangwang.defer_risk"  # session.info key: a bulk job rescores at its end


def _after_write(session: Session, project: Project, settings: WageSettings) -> None:
    session.flush()
    warnings.refresh(session, settings, project_ids=[project.id])
    if session.info.get(DEFER_RISK):
        return
    # the contractor's risk score reads the warning
    county = session.execute(text("SELECT county_adcode FROM employers WHERE id = :e"),
                             {"e": project.contractor_id}).scalar()
    risk_settings = RiskSettings.from_env()
    risk.refresh(session, [county], risk_settings)


# The ten site systems -------------------------------------------------------------------

def record_checks(session: Session, project_id: int, *, items: list[dict],
                  location: tuple[float, float, float | None] | None, photo: int | None,
                  settings: WageSettings, actor: str | None) -> list[dict]:
    """One visit's findings: each item ok or not, with a note; GPS where the phone gave it;
    `photo` an attachment of this project (geo.attachments) showing the site."""
    project = lock(session, project_id)
    if photo is not None and not session.execute(text(
            "SELECT 1 FROM attachments WHERE id = :a AND owner_kind = 'project' "
            "AND owner_id = :p AND kind IN ('jpeg', 'png')"), {"a": photo, "p": project_id}).first():
        raise Unprocessable(Text("error.project.photo", id=photo), {"parameter": "photo_id"})
    today = clock.today()
    lon, lat, accuracy = location if location else (None, None, None)
    for item in items:
        session.add(ProjectCheck(project_id=project_id, item=item["item"], ok=item["ok"],
                                 note=item.get("note"), attachment_id=photo, lon=lon, lat=lat,
                                 accuracy_m=accuracy, checked_on=today, checked_by=actor))
    audit.record(session, actor=actor, action="project_check", entity="project",
                 entity_id=project_id,
                 after={"items": {i["item"]: i["ok"] for i in items},
                        "gps": location is not None, "photo": photo is not None})
    _after_write(session, project, settings)
    return checklist(session, project_id)


def checklist(session: Session, project_id: int) -> list[dict]:
    """The latest finding of each of the ten items (None: never checked)."""
    from dispatch.projects.models import SITE_SYSTEMS

    rows = {r["item"]: r for r in session.execute(text("""
        SELECT DISTINCT ON (item) item, ok, note, attachment_id, checked_on, checked_by, lon,
               lat, accuracy_m
        FROM project_checks WHERE project_id = :p ORDER BY item, checked_at DESC, id DESC
    """), {"p": project_id}).mappings()}
    out = []
    for item in SITE_SYSTEMS:
        r = rows.get(item)
        out.append({"item": item, "ok": r["ok"] if r else None,
                    "note": r["note"] if r else None,
                    "photo": f"/api/v1/attachments/{r['attachment_id']}"
                    if r and r["attachment_id"] else None,
                    "checked_on": r["checked_on"].isoformat() if r else None,
                    "checked_by": r["checked_by"] if r else None,
                    "gps": bool(r and r["lon"] is not None)})
    return out


# The deposit ledger ---------------------------------------------------------------------

def _ledger_entries(session: Session, project_id: int) -> list[tuple[str, Decimal]]:
    return [(k, a) for k, a in session.execute(text(
        "SELECT kind, amount FROM project_deposits WHERE project_id = :p"), {"p": project_id})]


def balance_of(session: Session, project: Project) -> deposit.Balance:
    return deposit.balance(project.deposit_required, project.deposit_exempt,
                           _ledger_entries(session, project.id))


def deposit_entry(session: Session, project_id: int, *, kind: str, amount: Decimal,
                  form: str | None, workers_paid: int | None, on_date: date | None,
                  note: str | None, calendar: WorkingCalendar, settings: WageSettings,
                  actor: str | None) -> dict:
    """Record a payment into the deposit, its return at completion, or an emergency draw-down
    (动用) to pay workers, which demands the same top-up within the set working days.
    A draw or return larger than the deposit held → 422 naming it."""
    project = lock(session, project_id)
    amount = deposit.money(amount)
    if amount <= 0:
        raise InvalidInput(Text("error.project.amount"), {"parameter": "amount"})
    today = clock.today()
    held = balance_of(session, project).held
    if kind == "paid" and form is None:
        raise InvalidInput(Text("webapp.field.required", name="form"), {"parameter": "form"})
    if kind in ("drawn", "returned") and amount > held:
        raise Unprocessable(Text(f"error.project.{kind}_exceeds", amount=amount, held=held),
                            {"parameter": "amount", "held": float(held)})
    if kind == "drawn" and not workers_paid:
        raise InvalidInput(Text("webapp.field.required", name="workers_paid"),
                           {"parameter": "workers_paid"})
    if kind == "returned" and project.status != "completed":
        raise Conflict(Text("error.project.return_before_completion"),
                       {"status": project.status})
    entry = ProjectDeposit(project_id=project_id, kind=kind, amount=amount,
                           form=form if kind == "paid" else None,
                           workers_paid=workers_paid if kind == "drawn" else None,
                           on_date=on_date or today, note=note, recorded_by=actor)
    session.add(entry)
    top_up = None
    if kind == "drawn":
        top_up = calendar.add_working_days(on_date or today, settings.top_up_working_days)
        session.add(ProjectDeposit(project_id=project_id, kind="top_up_demanded", amount=amount,
                                   on_date=top_up, note=note, recorded_by=actor))
    audit.record(session, actor=actor, action=f"project_deposit_{kind}", entity="project",
                 entity_id=project_id, after={"amount": str(amount), "form": form,
                                              "workers_paid": workers_paid,
                                              "top_up_due": top_up and top_up.isoformat()})
    _after_write(session, project, settings)
    return ledger(session, project)


def ledger(session: Session, project: Project) -> dict:
    b = balance_of(session, project)
    rows = session.execute(text("""
        SELECT id, kind, amount, form, workers_paid, on_date, note, recorded_by
        FROM project_deposits WHERE project_id = :p ORDER BY on_date, id
    """), {"p": project.id}).mappings()
    top_up_due = session.execute(text("""
        SELECT max(on_date) FROM project_deposits WHERE project_id = :p AND kind = 'top_up_demanded'
    """), {"p": project.id}).scalar()
    return {"required": float(project.deposit_required),
            "rate": float(project.deposit_rate), "rule": project.deposit_rule,
            "exempt": project.deposit_exempt, "paid": float(b.paid),
            "returned": float(b.returned), "drawn": float(b.drawn), "held": float(b.held),
            "outstanding": float(b.outstanding),
            "status": _deposit_status(project, b),
            "top_up_due_on": top_up_due.isoformat() if top_up_due and b.outstanding else None,
            "entries": [{**r, "amount": float(r["amount"]), "on_date": r["on_date"].isoformat()}
                        for r in rows]}


def _deposit_status(project: Project, b: deposit.Balance) -> str:
    if project.deposit_exempt:
        return "exempt"
    if b.returned and b.held == 0:
        return "returned"
    return "outstanding" if b.outstanding > 0 else "paid"


# Monthly labour-cost payments -----------------------------------------------------------

def record_payment(session: Session, project_id: int, *, month: date, amount: Decimal,
                   paid_on: date, reference: str | None, source: str, settings: WageSettings,
                   actor: str | None) -> dict:
    """The owner's transfer of a month's labour costs into the dedicated account."""
    project = lock(session, project_id)
    month = month.replace(day=1)
    if reference and session.execute(text(
            "SELECT 1 FROM project_payments WHERE project_id = :p AND reference = :r"),
            {"p": project_id, "r": reference}).first():
        raise Conflict(Text("error.project.payment_duplicate", reference=reference),
                       {"parameter": "reference"})
    if amount <= 0:
        raise InvalidInput(Text("error.project.amount"), {"parameter": "amount"})
    try:
        with session.begin_nested():  # a repeat racing this one is refused by the unique key
            session.add(ProjectPayment(project_id=project_id, month=month,
                                       amount=deposit.money(amount), paid_on=paid_on,
                                       reference=reference, source=source, recorded_by=actor))
    except IntegrityError:
        raise Conflict(Text("error.project.payment_duplicate", reference=reference),
                       {"parameter": "reference"}) from None
    audit.record(session, actor=actor, action="project_payment", entity="project",
                 entity_id=project_id, after={"month": month.isoformat()[:7],
                                              "amount": str(amount), "source": source})
    _after_write(session, project, settings)
    return payments(session, project_id)


def payments(session: Session, project_id: int) -> list[dict]:
    return [{**r, "month": r["month"].isoformat()[:7], "amount": float(r["amount"]),
             "paid_on": r["paid_on"].isoformat()}
            for r in session.execute(text("""
                SELECT id, month, amount, paid_on, source, reference, recorded_by
                FROM project_payments WHERE project_id = :p ORDER BY month DESC, id DESC
            """), {"p": project_id}).mappings()]


# Grid-worker reports --------------------------------------------------------------------

def report(session: Session, project_id: int, *, kind: str, note: str | None,
           location: tuple[float, float, float | None] | None, settings: WageSettings,
           actor: str | None) -> dict:
    project = lock(session, project_id)
    lon, lat, _ = location if location else (None, None, None)
    row = ProjectReport(project_id=project_id, kind=kind, note=note, lon=lon, lat=lat,
                        reported_on=clock.today(), reported_by=actor)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="project_report", entity="project",
                 entity_id=project_id, after={"kind": kind, "report_id": row.id})
    _after_write(session, project, settings)
    return {"id": row.id, "kind": kind, "reported_on": row.reported_on.isoformat()}


# Reads ----------------------------------------------------------------------------------

def get(session: Session, project_id: int) -> Project:
    found = session.get(Project, project_id)
    if found is None:
        raise _not_found(project_id)
    return found


def describe(session: Session, project: Project) -> dict:
    """One project with its builders, site, deposit terms and warning."""
    row = session.execute(text("""
        SELECT ST_AsGeoJSON(p.site, 7)::json AS site, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
               c.name AS contractor, c.credit_code AS contractor_code,
               o.name AS owner, o.credit_code AS owner_code, g.code AS grid_code,
               g.name AS grid_name, a.name AS county_name,
               (SELECT json_agg(json_build_object('id', e.id, 'name', e.name,
                                                  'credit_code', e.credit_code) ORDER BY e.name)
                FROM project_subcontractors s JOIN employers e ON e.id = s.employer_id
                WHERE s.project_id = p.id) AS subcontractors
        FROM projects p JOIN employers c ON c.id = p.contractor_id
        LEFT JOIN employers o ON o.id = p.owner_id LEFT JOIN grids g ON g.id = p.grid_id
        LEFT JOIN admin_areas a ON a.adcode = p.county_adcode AND a.level = 'county'
        WHERE p.id = :p
    """), {"p": project.id}).mappings().one()
    stored = warnings.stored(session, project.id)
    return {
        "id": project.id, "name": project.name, "site": row["site"],
        "location": {"lon": row["lon"], "lat": row["lat"]}, "source_crs": project.source_crs,
        "county_adcode": project.county_adcode, "county_name": row["county_name"],
        "grid_id": project.grid_id, "grid_code": row["grid_code"], "grid_name": row["grid_name"],
        "department": project.department,
        "owner": {"id": project.owner_id, "name": row["owner"] or project.owner_name,
                  "credit_code": row["owner_code"]},
        "general_contractor": {"id": project.contractor_id, "name": row["contractor"],
                               "credit_code": row["contractor_code"]},
        "subcontractors": row["subcontractors"] or [],
        "contract_value": float(project.contract_value),
        "start_on": project.start_on.isoformat(),
        "planned_end_on": project.planned_end_on.isoformat(),
        "completed_on": project.completed_on and project.completed_on.isoformat(),
        "workers": project.workers, "status": project.status,
        "deposit_rate": float(project.deposit_rate), "deposit_rule": project.deposit_rule,
        "deposit_required": float(project.deposit_required),
        "deposit_exempt": project.deposit_exempt,
        "warning": stored, "version": project.version,
        "created_by": project.created_by, "created_at": project.created_at.isoformat(),
    }


SORTS = {"warning": "coalesce(CASE w.level WHEN 'red' THEN 3 WHEN 'orange' THEN 2 "
                    "WHEN 'yellow' THEN 1 END, 0) DESC, p.id DESC",
         "newest": "p.id DESC", "end": "p.planned_end_on, p.id"}


def listing(session: Session, *, counties: list[str] | None, q: str | None,
            level: str | None, status: str | None, department: str | None,
            contractor_id: int | None, page: int, per_page: int = 50,
            sort: str = "warning", grid_id: int | None = None) -> dict:
    """Projects of the area, red warnings first, with the counts per warning level."""
    where = ["true"]
    params: dict = {}
    if counties is not None:
        where.append("p.county_adcode = ANY(:counties)")
        params["counties"] = counties
    if grid_id is not None:
        where.append("p.grid_id = :grid")
        params["grid"] = grid_id
    if q:
        where.append("(p.name ILIKE :q OR c.name ILIKE :q OR c.credit_code = :code)")
        params.update(q=f"%{q}%", code=q.upper())
    if status:
        where.append("p.status = :status")
        params["status"] = status
    if department:
        where.append("p.department = :department")
        params["department"] = department
    if contractor_id:
        where.append("(p.contractor_id = :contractor OR EXISTS (SELECT 1 FROM "
                     "project_subcontractors s WHERE s.project_id = p.id AND "
                     "s.employer_id = :contractor))")
        params["contractor"] = contractor_id
    base = (" FROM projects p JOIN employers c ON c.id = p.contractor_id "
            "LEFT JOIN project_warnings w ON w.project_id = p.id WHERE " + " AND ".join(where))
    counts = {k or "none": n for k, n in session.execute(
        text(f"SELECT w.level, count(*) {base} GROUP BY w.level"), params).all()}
    level_where = ""
    if level == "none":
        level_where = " AND w.level IS NULL"
    elif level:
        level_where = " AND w.level = :level"
        params["level"] = level
    total = sum(counts.values()) if not level else counts.get(level, 0)
    rows = session.execute(text(f"""
        SELECT p.id, p.name, p.county_adcode, p.grid_id, p.department, p.status,
               (SELECT a.name FROM admin_areas a WHERE a.adcode = p.county_adcode
                ORDER BY CASE a.level WHEN 'county' THEN 0 ELSE 1 END LIMIT 1) AS county_name,
               ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
               p.contract_value, p.start_on, p.planned_end_on, p.workers,
               p.deposit_required, c.name AS contractor, c.credit_code AS contractor_code,
               w.level, w.reasons
        {base}{level_where} ORDER BY {SORTS.get(sort, SORTS['warning'])}
        LIMIT :limit OFFSET :offset
    """), {**params, "limit": per_page, "offset": (page - 1) * per_page}).mappings()
    items = [{**r, "contract_value": float(r["contract_value"]),
              "deposit_required": float(r["deposit_required"]),
              "start_on": r["start_on"].isoformat(),
              "planned_end_on": r["planned_end_on"].isoformat(),
              "reasons": [warnings.reason_view(x) for x in (r["reasons"] or [])]}
             for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page,
            "counts": {k: counts.get(k, 0) for k in ("red", "orange", "yellow", "none")}}


def complaints_about(session: Session, project: Project, settings: WageSettings) -> list[dict]:
    """Complaints naming the project or one of its builders (newest first)."""
    return [dict(r, received_at=r["received_at"].isoformat()) for r in session.execute(text("""
        SELECT c.id, c.category, c.status, c.workers_affected, c.mass_incident, c.received_at,
               c.employer_id, e.name AS employer, (c.project_id = :p) AS about_project
        FROM complaints c LEFT JOIN employers e ON e.id = c.employer_id
        WHERE c.project_id = :p OR c.employer_id = :contractor OR c.employer_id IN
              (SELECT employer_id FROM project_subcontractors WHERE project_id = :p)
        ORDER BY c.received_at DESC LIMIT 100
    """), {"p": project.id, "contractor": project.contractor_id}).mappings()]



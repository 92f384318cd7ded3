"""Written review (书面审查): a campaign takes in, set-wise, the employers of an area its rules
select (size, industry, grade); each employer's submission is recorded and reviewed with
findings per item; problems open an inspection of the employer; after the due date the
employers that did not submit are scheduled for inspection, all at once. Progress per county.
Inspections opened here are routine (`scheduled`) ones whose description names the review."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.written_review.models import ITEMS, ReviewCampaign, ReviewSubmission
from dispatch.written_review.settings import ReviewSettings
from geo.accounts import audit
from geo.areas.service import county_adcodes
from geo.core import clock
from geo.core.errors import Conflict, NotFound, Unprocessable
from geo.core.text import Joined, Text
from geo.employers.models import EMPLOYER_GRADES, INDUSTRY_SECTIONS

SCOPE_SQL = """
FROM employers e
WHERE e.county_adcode = ANY(:counties) AND e.employees >= :min_employees
  AND (cardinality(CAST(:industries AS text[])) = 0 OR e.industry = ANY(:industries))
  AND (cardinality(CAST(:grades AS text[])) = 0 OR e.grade = ANY(:grades))
"""


def create_campaign(session: Session, *, area: str, year: int, due_on: date,
                    min_employees: int | None, industries: list[str] | None,
                    grades: list[str] | None, settings: ReviewSettings,
                    actor: str | None) -> dict:
    """A campaign for the area and year (one each: 409 for a second), its employers taken in
    by one INSERT … SELECT."""
    if due_on <= clock.today():
        raise Unprocessable(Text("review.error.due_past", due=due_on), {"parameter": "due_on"})
    industries = list(settings.industries if industries is None else industries)
    grades = list(settings.grades if grades is None else grades)
    for name, values, allowed in (("industries", industries, INDUSTRY_SECTIONS),
                                  ("grades", grades, EMPLOYER_GRADES)):
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise Unprocessable(Text("review.error.codes", name=name, values="、".join(wrong),
                                     choices="、".join(allowed)), {"parameter": name})
    minimum = settings.min_employees if min_employees is None else min_employees
    campaign = ReviewCampaign(area_adcode=area, year=year, due_on=due_on,
                              min_employees=minimum, industries=industries, grades=grades,
                              created_by=actor, employers=0)
    try:
        with session.begin_nested():
            session.add(campaign)
            session.flush()
    except IntegrityError:
        raise Conflict(Text("review.error.exists", area=area, year=year),
                       {"area": area, "year": year}) from None
    taken = session.execute(text(f"""
        INSERT INTO review_submissions (campaign_id, employer_id, county_adcode)
        SELECT :campaign, e.id, e.county_adcode {SCOPE_SQL}
    """), {"campaign": campaign.id, "counties": county_adcodes(session, area),
           "min_employees": minimum, "industries": industries, "grades": grades}).rowcount
    campaign.employers = taken
    audit.record(session, actor=actor, action="review_campaign", entity="review_campaign",
                 entity_id=campaign.id, after={"area": area, "year": year, "employers": taken})
    return describe(session, campaign)


def get_campaign(session: Session, campaign_id: int) -> ReviewCampaign:
    found = session.get(ReviewCampaign, campaign_id)
    if found is None:
        raise NotFound(Text("review.error.not_found", id=campaign_id),
                       {"campaign_id": campaign_id})
    return found


def describe(session: Session, campaign: ReviewCampaign) -> dict:
    """The campaign with its progress per county (pending, submitted, reviewed, problems,
    inspections opened)."""
    rows = session.execute(text("""
        SELECT county_adcode, count(*) AS employers,
               count(*) FILTER (WHERE status = 'pending') AS pending,
               count(*) FILTER (WHERE status = 'submitted') AS submitted,
               count(*) FILTER (WHERE status = 'reviewed') AS reviewed,
               count(*) FILTER (WHERE outcome = 'problems') AS problems,
               count(inspection_id) AS inspections
        FROM review_submissions WHERE campaign_id = :c GROUP BY county_adcode
        ORDER BY county_adcode
    """), {"c": campaign.id}).mappings().all()
    total = {k: sum(r[k] for r in rows) for k in ("employers", "pending", "submitted",
                                                  "reviewed", "problems", "inspections")}
    return {"id": campaign.id, "area": campaign.area_adcode, "year": campaign.year,
            "due_on": campaign.due_on.isoformat(), "min_employees": campaign.min_employees,
            "industries": list(campaign.industries or []), "grades": list(campaign.grades or []),
            "employers": campaign.employers, "created_by": campaign.created_by,
            "progress": total, "counties": [dict(r) for r in rows],
            "past_due": campaign.due_on < clock.today()}


def _submission(session: Session, submission_id: int) -> ReviewSubmission:
    found = session.get(ReviewSubmission, submission_id, with_for_update=True)
    if found is None:
        raise NotFound(Text("review.error.submission_not_found", id=submission_id),
                       {"submission_id": submission_id})
    return found


def submit(session: Session, submission_id: int, *, items: dict, actor: str | None) -> dict:
    """The employer's materials: a statement per item (all of ITEMS)."""
    row = _submission(session, submission_id)
    if row.status != "pending":
        raise Conflict(Text("review.error.state", id=row.id,
                            status=Text(f"review.status.{row.status}")), {"status": row.status})
    missing = [i for i in ITEMS if not str(items.get(i) or "").strip()]
    if missing:
        raise Unprocessable(Text("review.error.items", items=Joined(
            (Text(f"review.item.{i}") for i in missing), "dispatch.list.comma")),
            {"parameter": "items", "missing": missing})
    row.items = {i: str(items[i]).strip()[:2000] for i in ITEMS}
    row.status, row.submitted_on = "submitted", clock.today()
    row.version += 1
    audit.record(session, actor=actor, action="review_submit", entity="review_submission",
                 entity_id=row.id)
    return view(row)


def review(session: Session, submission_id: int, *, findings: list[dict], open_inspection,
           actor: str | None) -> dict:
    """The inspector's findings, one per item ({item, ok, note}); any item not in order is
    a problem and opens an inspection of the employer (`open_inspection(row)` → its id)."""
    row = _submission(session, submission_id)
    if row.status != "submitted":
        raise Conflict(Text("review.error.state", id=row.id,
                            status=Text(f"review.status.{row.status}")), {"status": row.status})
    seen = {f.get("item") for f in findings}
    if seen != set(ITEMS) or len(findings) != len(ITEMS):
        raise Unprocessable(Text("review.error.findings", count=len(ITEMS)),
                            {"parameter": "findings"})
    row.findings = [{"item": f["item"], "ok": bool(f["ok"]), "note": f.get("note")}
                    for f in findings]
    problems = [f for f in row.findings if not f["ok"]]
    row.outcome = "problems" if problems else "ok"
    row.status, row.reviewed_by, row.reviewed_on = "reviewed", actor, clock.today()
    if problems:
        row.inspection_id = open_inspection(row, [f["item"] for f in problems])
    row.version += 1
    audit.record(session, actor=actor, action="review_review", entity="review_submission",
                 entity_id=row.id, after={"outcome": row.outcome,
                                          "inspection_id": row.inspection_id})
    return view(row)


def schedule_missing(session: Session, campaign_id: int, *, actor: str | None) -> dict:
    """After the due date: one routine inspection for each employer that has not submitted
    (and has none open already), all in one statement."""
    campaign = get_campaign(session, campaign_id)
    session.execute(text("SELECT id FROM review_campaigns WHERE id = :c FOR UPDATE"),
                    {"c": campaign_id})
    if campaign.due_on >= clock.today():
        raise Conflict(Text("review.error.not_due", due=campaign.due_on),
                       {"due_on": campaign.due_on.isoformat()})
    made = session.execute(text("""
        WITH missing AS (
            SELECT s.id AS submission, e.id AS employer, e.county_adcode, e.geom
            FROM review_submissions s JOIN employers e ON e.id = s.employer_id
            WHERE s.campaign_id = :c AND s.status = 'pending' AND s.inspection_id IS NULL
              AND e.geom IS NOT NULL
        ), opened AS (
            INSERT INTO inspections (kind, employer_id, county_adcode, geom, priority, status,
                                     description, created_by)
            SELECT 'scheduled', m.employer, m.county_adcode, m.geom, 'normal', 'pending',
                   :description, :actor
            FROM missing m
            RETURNING id, employer_id
        )
        UPDATE review_submissions s SET inspection_id = o.id, version = s.version + 1
        FROM opened o WHERE s.campaign_id = :c AND s.employer_id = o.employer_id
        RETURNING s.id
    """), {"c": campaign_id, "actor": actor,
           "description": f"{campaign.year} 年度书面审查：逾期未报送书面材料"}).all()
    audit.record(session, actor=actor, action="review_schedule_missing",
                 entity="review_campaign", entity_id=campaign_id, after={"inspections": len(made)})
    return {"inspections": len(made), **describe(session, campaign)}


def view(row) -> dict:
    get_ = row.get if isinstance(row, dict) else (lambda k: getattr(row, k))
    return {"id": get_("id"), "campaign_id": get_("campaign_id"),
            "employer_id": get_("employer_id"), "employer": get_("employer") if isinstance(
                row, dict) else None,
            "county_adcode": get_("county_adcode"), "status": get_("status"),
            "submitted_on": get_("submitted_on") and get_("submitted_on").isoformat(),
            "items": get_("items"), "outcome": get_("outcome"), "findings": get_("findings"),
            "reviewed_by": get_("reviewed_by"),
            "reviewed_on": get_("reviewed_on") and get_("reviewed_on").isoformat(),
            "inspection_id": get_("inspection_id"), "version": get_("version")}


def submissions(session: Session, campaign_id: int, *, counties: list[str] | None,
                status: str | None, page: int, per_page: int) -> dict:
    params = {"c": campaign_id, "counties": counties, "s": status}
    where = ("s.campaign_id = :c AND (CAST(:counties AS text[]) IS NULL OR "
             "s.county_adcode = ANY(:counties)) AND (CAST(:s AS text) IS NULL OR s.status = :s)")
    total = session.execute(text(f"SELECT count(*) FROM review_submissions s WHERE {where}"),
                            params).scalar()
    rows = session.execute(text(f"""
        SELECT s.*, e.name AS employer FROM review_submissions s
        JOIN employers e ON e.id = s.employer_id WHERE {where}
        ORDER BY s.status = 'submitted' DESC, s.id LIMIT :limit OFFSET :offset
    """), {**params, "limit": per_page, "offset": (page - 1) * per_page}).mappings()
    return {"items": [view(dict(r)) for r in rows], "total": total, "page": page,
            "per_page": per_page}

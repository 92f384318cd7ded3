"""Annual procedures: written-review campaigns (书面审查) with their submissions and reviews,
and entrusted audits (委托审计) with their reports."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from dispatch.audits import service as audits
from dispatch.audits.models import FINDINGS, SCOPES
from dispatch.calendar.service import WorkingCalendar
from dispatch.casework import cases
from dispatch.inspections import service as inspections
from dispatch.written_review import service as reviews
from dispatch.written_review.models import ITEMS, SUBMISSION_STATUSES
from geo.core import clock
from geo.core.text import Text
from webapp.api.casework import DATE, INT, NUM, PAGE, STR, area_counties, date_field
from webapp.api.dispatch import WATCH, committed
from webapp.core.apidoc import accepts
from webapp.core.auth import roles
from webapp.core.body import field, json_object, money
from webapp.core.context import actor, db
from webapp.core.context import settings as app_settings
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("annual_api", __name__)
CAMPAIGNERS = ("admin", "dispatcher")
REVIEWERS = ("admin", "dispatcher", "inspector")
CODES = {"type": "array", "items": {"type": "string"}}


def _inspection(employer_id: int, description: str) -> int:
    return inspections.create(db(), kind="scheduled", priority="normal", description=description,
                              employer_id=employer_id, actor=actor()).id


@bp.post("/api/v1/review-campaigns")
@roles(*CAMPAIGNERS)
@accepts({"area": STR, "year": INT, "due_on": DATE, "min_employees": INT, "industries": CODES,
          "grades": CODES}, ("area", "year", "due_on"), status="201")
def create_campaign():
    """A written-review campaign for an area and year over the employers its rules select
    (`LIANGWANG_REVIEW_*` unless given); a second for the same area and year → 409."""
    body = json_object()
    area = field(body, "area", max_length=6, scope="area")
    return committed(reviews.create_campaign(
        db(), area=area, year=field(body, "year", int, minimum=2000, maximum=2100),
        due_on=date_field(body, "due_on", required=True),
        min_employees=field(body, "min_employees", int, required=False, minimum=0,
                            maximum=1_000_000),
        industries=field(body, "industries", list, required=False),
        grades=field(body, "grades", list, required=False),
        settings=app_settings().review, actor=actor()), 201)


@bp.get("/api/v1/review-campaigns")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def list_campaigns(area):
    """Campaigns of the area, newest first, with their progress."""
    counties = area_counties(area)
    ids = db().execute(text("""
        SELECT id FROM review_campaigns WHERE CAST(:c AS text[]) IS NULL
            OR area_adcode = ANY(:c) OR EXISTS (SELECT 1 FROM review_submissions s
               WHERE s.campaign_id = review_campaigns.id AND s.county_adcode = ANY(:c))
        ORDER BY year DESC, id DESC LIMIT 100"""), {"c": counties}).scalars().all()
    return jsonify({"items": [reviews.describe(db(), reviews.get_campaign(db(), i))
                              for i in ids]})


@bp.get("/api/v1/review-campaigns/<int:campaign_id>")
@roles(*WATCH, "inspector")
def get_campaign(campaign_id: int):
    """One campaign with its progress per county."""
    return jsonify(reviews.describe(db(), reviews.get_campaign(db(), campaign_id)))


@bp.get("/api/v1/review-campaigns/<int:campaign_id>/submissions")
@roles(*WATCH, "inspector")
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE),
       Param("status", "only this status", enum=SUBMISSION_STATUSES), *PAGE)
def campaign_submissions(campaign_id: int, area, status, page, per_page):
    """The campaign's submissions, those waiting for review first."""
    reviews.get_campaign(db(), campaign_id)
    return jsonify(reviews.submissions(db(), campaign_id, counties=area_counties(area),
                                       status=status, page=int(page), per_page=int(per_page)))


@bp.post("/api/v1/review-campaigns/<int:campaign_id>/schedule-missing")
@roles(*CAMPAIGNERS)
def schedule_missing(campaign_id: int):
    """After the due date: a routine inspection for each employer that did not submit."""
    return committed(reviews.schedule_missing(db(), campaign_id, actor=actor()))


@bp.post("/api/v1/review-submissions/<int:submission_id>/submit")
@roles(*REVIEWERS)
@accepts({"items": {"type": "object", "properties": {i: STR for i in ITEMS}}}, ("items",))
def submit(submission_id: int):
    """The employer's written materials, one statement per item (files: attachments with
    owner_kind review)."""
    body = json_object()
    return committed(reviews.submit(db(), submission_id, items=field(body, "items", dict),
                                    actor=actor()))


@bp.post("/api/v1/review-submissions/<int:submission_id>/review")
@roles(*REVIEWERS)
@accepts({"findings": {"type": "array", "items": {"type": "object", "properties": {
    "item": {"type": "string", "enum": list(ITEMS)}, "ok": {"type": "boolean"},
    "note": STR}}}}, ("findings",))
def review(submission_id: int):
    """The review: a finding per item; any problem opens an inspection of the employer."""
    body = json_object()
    raw = field(body, "findings", list)
    findings = [{"item": field(f, "item", choices=ITEMS), "ok": field(f, "ok", bool),
                 "note": field(f, "note", required=False, max_length=2000)}
                for f in raw if isinstance(f, dict)]

    def open_inspection(row, items):
        return _inspection(row.employer_id, "书面审查发现问题：" + "、".join(
            Text(f"review.item.{i}").render("zh") for i in items))
    return committed(reviews.review(db(), submission_id, findings=findings,
                                    open_inspection=open_inspection, actor=actor()))


@bp.post("/api/v1/audits")
@roles(*CAMPAIGNERS)
@accepts({"employer_id": INT, "firm": STR, "scope": {"type": "array", "items": {
    "type": "string", "enum": list(SCOPES)}}, "period_from": DATE, "period_to": DATE,
    "fee": NUM, "due_on": DATE}, ("employer_id", "firm", "scope", "period_from", "period_to",
                                  "fee", "due_on"), status="201")
def commission_audit():
    """Engage an audit firm for an employer of the territory."""
    body = json_object()
    row = audits.commission(
        db(), employer_id=field(body, "employer_id", int, scope="employer"),
        firm=field(body, "firm", max_length=200), scope=field(body, "scope", list),
        period_from=date_field(body, "period_from", required=True),
        period_to=date_field(body, "period_to", required=True), fee=money(body, "fee"),
        due_on=date_field(body, "due_on", required=True), actor=actor())
    return committed(audits.view(row), 201)


@bp.get("/api/v1/audits")
@roles(*WATCH)
@query(Param("area", "only inside this area (adcode)", pattern=ADCODE))
def list_audits(area):
    """Audits of the area, overdue reports first."""
    return jsonify({"items": audits.listing(db(), counties=area_counties(area))})


@bp.get("/api/v1/audits/<int:audit_id>")
@roles(*WATCH)
def get_audit(audit_id: int):
    return jsonify(audits.view(audits.get(db(), audit_id)))


@bp.post("/api/v1/audits/<int:audit_id>/report")
@roles(*CAMPAIGNERS)
@accepts({"attachment_id": INT, "findings": {"type": "array", "items": {"type": "object",
          "properties": {"kind": {"type": "string", "enum": list(FINDINGS)}, "amount": NUM,
                         "workers": INT, "note": STR}}}}, ("attachment_id", "findings"))
def audit_report(audit_id: int):
    """The firm's report (an attachment of the audit) and findings; a violation found opens
    an inspection and a case."""
    body = json_object()
    session = db()

    def open_case(row, summary):
        inspection = _inspection(row.employer_id, summary)
        case = cases.open_case(session, inspection, opened_on=clock.today(),
                               summary=summary, actor=actor(), settings=app_settings().dispatch,
                               calendar=WorkingCalendar.load(session))
        return inspection, case.id
    return committed(audits.report(session, audit_id,
                                   attachment_id=field(body, "attachment_id", int, minimum=1),
                                   findings=field(body, "findings", list), open_case=open_case,
                                   actor=actor()))


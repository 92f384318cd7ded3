"""The annual-procedure pages: written-review campaigns (/reviews), one campaign's employers
with their materials and reviews (/reviews/<id>), and entrusted audits (/audits). They read
and write through /api/v1/review-campaigns, /api/v1/review-submissions and /api/v1/audits."""
from __future__ import annotations

from flask import Blueprint, g, render_template

from dispatch.audits.models import FINDINGS, SCOPES
from dispatch.written_review import service as reviews
from dispatch.written_review.models import ITEMS, SUBMISSION_STATUSES
from geo.core import clock
from geo.employers.models import EMPLOYER_GRADES
from webapp.api.annual import CAMPAIGNERS, REVIEWERS
from webapp.core.auth import roles
from webapp.core.context import db
from webapp.pages.grading import area_names, territory_choices
from webapp.pages.projects import ACT_KEYS
from webapp.pages.strings import page_strings

bp = Blueprint("annual_pages", __name__)
WATCH = ("dispatcher", "command", "admin")


def _config(**extra) -> dict:
    role = g.user.role
    return {"user": g.user.username, "today": clock.today().isoformat(), "areas": area_names(),
            "can": {"campaign": role in CAMPAIGNERS, "review": role in REVIEWERS},
            "items": list(ITEMS), "findings": list(FINDINGS),
            "strings": page_strings(("http_error", "grade_unrated", *ACT_KEYS),
                                    ("annual_ui.", "review.", "audit.", "attachments_ui.")), **extra}


@bp.get("/reviews")
@roles(*WATCH)
def reviews_page():
    """The written-review campaigns of the territory and the form starting one."""
    choices = territory_choices()
    config = _config()
    year = clock.today().year
    return render_template("reviews.html", user=g.user, choices=choices,
                           selected={"adcode": choices[0][1][0]["adcode"]}, year=year,
                           grades=EMPLOYER_GRADES, config=config, can=config["can"])


@bp.get("/reviews/<int:campaign_id>")
@roles(*WATCH, "inspector")
def review_page(campaign_id: int):
    """One campaign's employers: materials recorded, reviews, inspections opened."""
    campaign = reviews.describe(db(), reviews.get_campaign(db(), campaign_id))
    config = _config(campaign=campaign)
    return render_template("review.html", user=g.user, campaign=campaign,
                           area_name=config["areas"].get(campaign["area"], campaign["area"]),
                           statuses=SUBMISSION_STATUSES, config=config, can=config["can"])


@bp.get("/audits")
@roles(*WATCH)
def audits_page():
    """The entrusted audits of the territory and the form engaging one."""
    config = _config()
    return render_template("audits.html", user=g.user, scopes=SCOPES, config=config,
                           can=config["can"])

"""The public portal's pages (政务公开): no sign-in, read-only, Chinese first.

Published disclosure lists (重大劳动保障违法行为社会公布) and their entries, the results of
双随机 checks, and a guide to the rules, deadlines and how to complain. Only what is
published is reachable: an id that is not a published list answers the portal's own 404
page, the same as an id that does not exist.
"""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template

from dispatch.disclosure import service as disclosure
from dispatch.inspections.public_results import published_results
from geo.core import clock
from geo.core.errors import NotFound
from webapp.core.auth import public
from webapp.core.context import db
from webapp.core.params import Param, query

bp = Blueprint("public_pages", __name__)
LISTS_PER_PAGE = 50
FIELDS = ("employer_name", "credit_code", "address", "legal_representative", "category",
          "facts", "handling")  # the rule's fields (Art. 6), in its order
NAV = (("index", "/public/"), ("disclosures", "/public/disclosures"),
       ("checks", "/public/random-checks"), ("guide", "/public/guide"))


def _page(template: str, current: str, status: int = 200, **values):
    return render_template(template, nav=NAV, current=current, user=None, **values), status


def _day(instant: str | None) -> str | None:
    """An ISO instant as its Beijing date."""
    return clock.beijing_date(datetime.fromisoformat(instant)).isoformat() if instant else None


def not_found():
    """The portal's 404 page: the same for a draft, an approved list and no list at all."""
    return _page("public_404.html", "", 404)


@bp.get("/public/")
@public
def index():
    """What the portal offers."""
    return _page("public_index.html", "index")


@bp.get("/public/disclosures")
@public
@query(Param("page", "page number", type="integer", minimum=1, maximum=10_000, default=1))
def disclosures(page: int):
    """Published lists, newest first, LISTS_PER_PAGE a page."""
    rows = disclosure.lists(db(), counties=None, territory_adcode=None, published_only=True)
    rows = sorted(rows, key=lambda r: (r["published_at"] or "", r["id"]), reverse=True)
    pages = max(1, -(-len(rows) // LISTS_PER_PAGE))
    page = min(int(page), pages)
    rows = rows[(page - 1) * LISTS_PER_PAGE:page * LISTS_PER_PAGE]
    for r in rows:
        r["published_on"] = _day(r["published_at"])
    return _page("public_disclosures.html", "disclosures", lists=rows, page=page, pages=pages)


@bp.get("/public/disclosures/<int:list_id>")
@public
def disclosure_list(list_id: int):
    """One published list's entries (the rule's fields) and its XLSX export."""
    try:
        found = disclosure.published(db(), list_id)
    except NotFound:
        return not_found()
    found["published_on"] = _day(found["published_at"])
    return _page("public_disclosure.html", "disclosures", found=found, fields=FIELDS)


@bp.get("/public/random-checks")
@public
def random_checks():
    """双随机 results: the newest draws, their employers and inspection statuses."""
    return _page("public_checks.html", "checks", draws=published_results(db(), limit=50))


@bp.get("/public/guide")
@public
def guide():
    """Enforcement basis, procedures and deadlines, service commitments, how to complain."""
    return _page("public_guide.html", "guide")

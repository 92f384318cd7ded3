"""The public portal's API (政务公开): no sign-in, read-only, rate-limited, and only what is
published — published disclosure lists and their public fields. An id of anything else
(a draft, an approved list not yet published) is a 404, the same as an id that does not exist.
"""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, jsonify

from dispatch.disclosure import service as disclosure
from webapp.core.auth import public
from webapp.core.context import db
from webapp.core.i18n import language
from webapp.core.params import ADCODE, Param, query

bp = Blueprint("public_api", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/api/v1/public/disclosures")
@public
@query(Param("area", "only entries of this area (adcode)", pattern=ADCODE),
       Param("period", "only lists of this period (2026-Q3, 2026-H1)",
             pattern=r"[0-9]{4}-[QH][1-4]"),
       Param("page", "page number", type="integer", minimum=1, maximum=10_000, default=1),
       Param("per_page", "entries per page", type="integer", minimum=1, maximum=200,
             default=50))
def disclosures(area, period, page, per_page):
    """Published entries (the rule's fields only), newest list first, paged."""
    return jsonify(disclosure.published_entries(db(), area=area, period=period,
                                                page=int(page), per_page=int(per_page)))


@bp.get("/api/v1/public/disclosure-lists")
@public
def disclosure_lists():
    """Published lists, newest period first."""
    return jsonify({"items": disclosure.lists(db(), counties=None, territory_adcode=None,
                                              published_only=True)})


@bp.get("/api/v1/public/disclosure-lists/<int:list_id>")
@public
def disclosure_list(list_id: int):
    """One published list (404 for any id that is not a published list)."""
    return jsonify(disclosure.published(db(), list_id))


@bp.get("/api/v1/public/disclosure-lists/<int:list_id>.xlsx")
@public
def disclosure_list_xlsx(list_id: int):
    """One published list as an XLSX workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from geo.core.text import Text, rendered

    found = disclosure.published(db(), list_id)
    lang = language()
    book = Workbook()
    sheet = book.active
    sheet.title = "公布名单" if lang == "zh" else "list"
    title = rendered(Text("public.xlsx.title", area=found["area_name"] or found["area"],
                          period=found["period_text"]), lang)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [rendered(Text(f"public.field.{k}"), lang) for k in
               ("employer_name", "credit_code", "address", "legal_representative", "category",
                "facts", "handling")]
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for e in found["entries"]:
        sheet.append([_safe(v) for v in (e["employer_name"], e["credit_code"], e["address"],
                                         e["legal_representative"],
                                         rendered(e["category_text"], lang), e["facts"],
                                         e["handling"])])
    for column, width in zip("ABCDEFG", (28, 22, 30, 12, 30, 50, 36), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = BytesIO()
    book.save(buf)
    return Response(buf.getvalue(), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=disclosure-{found['period']}-"
                               f"{found['area']}.xlsx"})


@bp.get("/api/v1/public/disclosure-lists/<int:list_id>.pdf")
@public
def disclosure_list_pdf(list_id: int):
    """One published list as a PDF (Chinese glyphs from the Noto Sans SC font the app ships)."""
    from flask import current_app

    from geo.core.text import Text, rendered
    from webapp.core import pdf
    from webapp.core.context import settings

    found = disclosure.published(db(), list_id)
    lang = language()
    fields = ("employer_name", "credit_code", "address", "legal_representative", "category",
              "facts", "handling")
    body = pdf.table_pdf(
        title=rendered(Text("public.xlsx.title", area=found["area_name"] or found["area"],
                            period=found["period_text"]), lang),
        subtitle=rendered(Text("public.pdf.published", day=(found["published_at"] or "")[:10],
                               n=len(found["entries"])), lang),
        headers=[rendered(Text(f"public.field.{k}"), lang) for k in fields],
        rows=[[e["employer_name"], e["credit_code"], e["address"] or "",
               e["legal_representative"] or "", rendered(e["category_text"], lang), e["facts"],
               e["handling"]] for e in found["entries"]],
        widths=(32, 42, 32, 18, 36, 60, 50), node_modules=current_app.config["NODE_MODULES"],
        var=settings().var)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=disclosure-{found['period']}-"
                               f"{found['area']}.pdf"})


def _safe(value):
    """A cell never starts a formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value

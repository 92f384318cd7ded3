"""双随机 results for the public portal (双随机、一公开): each draw's area, check item and
Beijing date, and for every employer drawn its name, credit code and how far its inspection
has come. Public fields only: nothing about the officers drawn or assigned (no names, no
ids), no seeds, no pools, no record ids.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections.check_items import name_text
from geo.core import clock
from geo.core.text import Text

# An inspection's status as the public reads it: open work is pending or in progress.
PUBLIC_STATUS = {"pending": "pending", "assigned": "pending", "in_progress": "in_progress",
                 "done": "done", "cancelled": "cancelled"}
PUBLIC_STATUSES = ("pending", "in_progress", "done", "cancelled")

DRAWS_SQL = """
    SELECT d.id, d.area_adcode, d.check_item, d.drawn_at, c.code AS item_code,
           c.name AS item_name,
           (SELECT a.name FROM admin_areas a WHERE a.adcode = d.area_adcode
            ORDER BY a.level DESC LIMIT 1) AS area_name
    FROM random_draws d LEFT JOIN check_items c ON c.code = d.check_item
    ORDER BY d.drawn_at DESC, d.id DESC
    LIMIT :limit
"""
# One row per employer drawn, in the draw's order; its inspection (if the draw opened one).
ITEMS_SQL = """
    SELECT x.draw_id, x.ord, e.name, e.credit_code,
           (SELECT i.status FROM inspections i
            WHERE i.random_draw_id = x.draw_id AND i.employer_id = x.employer_id
            ORDER BY i.id DESC LIMIT 1) AS status
    FROM (SELECT d.id AS draw_id, item.ord,
                 CAST(item.value ->> 'employer_id' AS bigint) AS employer_id
          FROM random_draws d,
               jsonb_array_elements(d.result -> 'items') WITH ORDINALITY AS item(value, ord)
          WHERE d.id = ANY(:draws)) x
    JOIN employers e ON e.id = x.employer_id
    ORDER BY x.draw_id, x.ord
"""


def status_text(status: str) -> Text:
    return Text(f"portal.checks.status.{status}")


def published_results(session: Session, limit: int = 50) -> list[dict]:
    """The newest `limit` draws whose checks are all over (done or cancelled), with their
    employers and results (public fields): an employer never learns of a visit in advance."""
    limit = max(1, min(int(limit), 500))
    draws = session.execute(text(DRAWS_SQL), {"limit": limit}).mappings().all()
    items: dict[int, list[dict]] = {d["id"]: [] for d in draws}
    if draws:
        for r in session.execute(text(ITEMS_SQL), {"draws": list(items)}).mappings():
            status = PUBLIC_STATUS.get(r["status"] or "pending", "pending")
            items[r["draw_id"]].append({"employer_name": r["name"],
                                        "credit_code": r["credit_code"],
                                        "status": status, "status_text": status_text(status)})
    out = []
    for d in draws:
        drawn = items[d["id"]]
        if any(i["status"] in ("pending", "in_progress") for i in drawn):
            continue  # results are published once the checks are over, never the plan
        counts = {s: sum(1 for i in drawn if i["status"] == s) for s in PUBLIC_STATUSES}
        out.append({
            "area": d["area_adcode"], "area_name": d["area_name"],
            "check_item_text": (name_text(d["item_code"], d["item_name"]) if d["item_code"]
                                else Text("portal.checks.item_unnamed")),
            "drawn_on": clock.beijing_date(d["drawn_at"]).isoformat(),
            "employers": drawn, "counts": counts})
    return out

"""Disclosure lists (重大劳动保障违法行为社会公布办法): drafted from decided cases, reviewed,
approved by someone other than the drafter, published; entries withdrawn with a reason.

Only decided cases (closed with an outcome other than withdrawn) enter a list, and only those
whose findings (`cases.violations`) fall in a category of the rule (Art. 5). An entry holds
exactly the rule's fields (Art. 6): the employer's full name, credit code and address, its
legal representative, the main facts and how it was handled — nothing about complainants or
workers. The texts are written in Chinese when drafted: what is published does not change.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispatch.disclosure.models import CATEGORIES, DisclosureEntry, DisclosureList
from geo.accounts import audit
from geo.areas import territory as territories
from geo.core import clock
from geo.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from geo.core.text import Text

# A case's findings → the rule's category (first match in this order wins).
VIOLATION_CATEGORY = {"child_labour": "child_labour", "wage_arrears": "wage_arrears",
                      "refused_wages": "wage_arrears", "social_insurance": "social_insurance",
                      "working_hours": "working_hours", "women_minors": "women_minors",
                      "social_impact": "social_impact", "forced_labour": "other"}
DECIDED = ("penalty", "order_to_correct", "wages_recovered", "transferred")
PUBLIC_FIELDS = ("employer_name", "credit_code", "address", "legal_representative",
                 "category", "facts", "handling")


def period_bounds(level: str, period: str) -> tuple[date, date]:
    """2026-Q3 → (2026-07-01, 2026-09-30) for a county or city; 2026-H1 for the province."""
    kind = "H" if level == "province" else "Q"
    try:
        year, part = period.split("-")
        year, n = int(year), int(part[1:])
        ok = part[0] == kind and 2000 <= year <= 2100 and 1 <= n <= (2 if kind == "H" else 4)
    except (ValueError, IndexError):
        ok = False
    if not ok:
        raise Unprocessable(Text("disclosure.error.period", level=Text(f"level_{level}"),
                                 example="2026-H1" if kind == "H" else "2026-Q3"),
                            {"parameter": "period"})
    months = 6 if kind == "H" else 3
    first = date(year, (n - 1) * months + 1, 1)
    after = date(year + 1, 1, 1) if n * months == 12 else date(year, n * months + 1, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def category_of(violations: list[str]) -> str | None:
    for v in VIOLATION_CATEGORY:
        if v in (violations or []):
            return VIOLATION_CATEGORY[v]
    return None


def _money(value) -> str:
    return f"{Decimal(value):,.2f}" if value is not None else ""


def handling_text(row) -> str:
    """相关处理情况, from the case's outcome and details."""
    if row.outcome == "penalty":
        return Text("disclosure.handling.penalty", fine=_money(row.fine_amount),
                    number=row.decision_number or "").render("zh")
    if row.outcome == "wages_recovered":
        return Text("disclosure.handling.wages_recovered", amount=_money(row.wages_recovered),
                    workers=row.workers_paid or 0).render("zh")
    if row.outcome == "transferred":
        return Text("disclosure.handling.transferred",
                    target=row.transfer_target or "").render("zh")
    return Text("disclosure.handling.order_to_correct").render("zh")


def facts_text(row, category: str) -> str:
    """主要违法事实: the category in words. The case's own summary is never copied: staff write
    it freely and it may name complainants or workers; a reviewer edits the draft's text."""
    return Text("disclosure.facts", category=Text(f"disclosure.category.{category}"),
                summary="").render("zh").strip()


CASE_SQL = """
    SELECT c.id, c.county_adcode, c.outcome, c.summary, c.fine_amount, c.decision_number,
           c.wages_recovered, c.workers_paid, c.transfer_target, c.violations,
           e.name, e.credit_code, e.address, e.legal_representative
    FROM cases c JOIN employers e ON e.id = c.employer_id
    WHERE c.outcome = ANY(:decided)
"""


def draft(session: Session, *, area: str, period: str, actor: str | None) -> dict:
    """Draft the list of an area for a period that has ended, from its decided cases."""
    scope = territories.load(session, area)
    first, last = period_bounds(scope.level, period)
    if last >= clock.today():
        raise Unprocessable(Text("disclosure.error.period_open", period=period),
                            {"parameter": "period"})
    if session.execute(text("SELECT 1 FROM disclosure_lists WHERE area_adcode = :a AND "
                            "period = :p"), {"a": scope.adcode, "p": period}).first():
        raise Conflict(Text("disclosure.error.exists", period=period))
    lst = DisclosureList(area_adcode=scope.adcode, level=scope.level, period=period,
                         starts_on=first, ends_on=last, drafted_by=actor)
    session.add(lst)
    session.flush()
    rows = session.execute(text(CASE_SQL + f"""
          AND coalesce(c.decision_date, c.closed_on) BETWEEN :first AND :last
          AND c.violations && CAST(:mapped AS varchar[]) AND {scope.sql("c.county_adcode")}
        ORDER BY c.county_adcode, coalesce(c.decision_date, c.closed_on), c.id"""),
        {"decided": list(DECIDED), "first": first, "last": last,
         "mapped": list(VIOLATION_CATEGORY), **scope.params()}).all()
    for i, row in enumerate(rows):
        _add(session, lst, row, category_of(row.violations), actor, sort=i)
    session.flush()
    audit.record(session, actor=actor, action="disclosure_draft", entity="disclosure_list",
                 entity_id=lst.id, after={"area": scope.adcode, "period": period,
                                          "entries": len(rows)})
    return describe(session, lst)


def _add(session: Session, lst: DisclosureList, row, category: str, actor: str | None,
         sort: int) -> DisclosureEntry:
    entry = DisclosureEntry(list_id=lst.id, case_id=row.id, county_adcode=row.county_adcode,
                            category=category, employer_name=row.name,
                            credit_code=row.credit_code, address=row.address,
                            legal_representative=row.legal_representative,
                            facts=facts_text(row, category), handling=handling_text(row),
                            added_by=actor, sort=sort)
    session.add(entry)
    return entry


def get(session: Session, list_id: int, *, lock: bool = False) -> DisclosureList:
    stmt = select(DisclosureList).where(DisclosureList.id == list_id)
    lst = session.scalar(stmt.with_for_update() if lock else stmt)
    if lst is None:
        raise NotFound(Text("disclosure.error.not_found", id=list_id), {"list_id": list_id})
    return lst


def add_entry(session: Session, list_id: int, *, case_id, category, actor: str | None) -> dict:
    """Add a decided case of the list's area and period to a draft, in a category of the rule."""
    lst = get(session, list_id, lock=True)
    if lst.status != "draft":
        raise Conflict(Text("disclosure.error.not_draft", status=Text(
            f"disclosure.status.{lst.status}")))
    if category not in CATEGORIES:
        raise Unprocessable(Text("disclosure.error.category", choices=", ".join(CATEGORIES)),
                            {"parameter": "category"})
    if isinstance(case_id, bool) or not isinstance(case_id, int):
        raise Unprocessable(Text("disclosure.error.case", id=case_id), {"parameter": "case_id"})
    scope = territories.load(session, lst.area_adcode)
    row = session.execute(text(CASE_SQL + " AND c.id = :c"),
                          {"decided": list(DECIDED), "c": case_id}).first()
    if row is None:
        raise Unprocessable(Text("disclosure.error.not_decided", id=case_id),
                            {"parameter": "case_id"})
    if not scope.covers(row.county_adcode):
        raise Unprocessable(Text("disclosure.error.other_area", id=case_id),
                            {"parameter": "case_id"})
    if session.execute(text("SELECT 1 FROM disclosure_entries WHERE list_id = :l AND "
                            "case_id = :c"), {"l": list_id, "c": case_id}).first():
        raise Conflict(Text("disclosure.error.entry_exists", id=case_id))
    entry = _add(session, lst, row, category, actor, sort=10_000)
    session.flush()
    audit.record(session, actor=actor, action="disclosure_add", entity="disclosure_list",
                 entity_id=list_id, after={"case_id": case_id, "category": category})
    return entry_view(entry, staff=True)


def edit_entry(session: Session, list_id: int, entry_id: int, *, facts: str | None,
               handling: str | None, actor: str | None) -> dict:
    """A reviewer rewrites the facts or handling of a draft's entry (what will be published)."""
    lst = get(session, list_id, lock=True)
    if lst.status != "draft":
        raise Conflict(Text("disclosure.error.not_draft", status=Text(
            f"disclosure.status.{lst.status}")))
    entry = session.scalar(select(DisclosureEntry).where(
        DisclosureEntry.id == entry_id, DisclosureEntry.list_id == list_id).with_for_update())
    if entry is None:
        raise NotFound(Text("disclosure.error.entry_not_found", id=entry_id))
    before = {"facts": entry.facts, "handling": entry.handling}
    for name, value in (("facts", facts), ("handling", handling)):
        if value is None:
            continue
        if not value.strip():
            raise Unprocessable(Text("disclosure.error.blank", name=name), {"parameter": name})
        setattr(entry, name, value.strip())
    session.flush()
    audit.record(session, actor=actor, action="disclosure_edit", entity="disclosure_list",
                 entity_id=list_id, before=before | {"entry_id": entry_id},
                 after={"facts": entry.facts, "handling": entry.handling})
    return entry_view(entry, staff=True)


def remove_entry(session: Session, list_id: int, entry_id: int, *, actor: str | None) -> None:
    lst = get(session, list_id, lock=True)
    if lst.status != "draft":
        raise Conflict(Text("disclosure.error.not_draft", status=Text(
            f"disclosure.status.{lst.status}")))
    n = session.execute(text("DELETE FROM disclosure_entries WHERE id = :e AND list_id = :l"),
                        {"e": entry_id, "l": list_id}).rowcount
    if not n:
        raise NotFound(Text("disclosure.error.entry_not_found", id=entry_id))
    audit.record(session, actor=actor, action="disclosure_remove", entity="disclosure_list",
                 entity_id=list_id, after={"entry_id": entry_id})


def approve(session: Session, list_id: int, *, actor: str | None) -> dict:
    lst = get(session, list_id, lock=True)
    if lst.status != "draft":
        raise Conflict(Text("disclosure.error.not_draft", status=Text(
            f"disclosure.status.{lst.status}")))
    if actor is not None and actor == lst.drafted_by:
        raise Forbidden(Text("disclosure.error.own_draft"))
    lst.status, lst.approved_by, lst.approved_at = "approved", actor, clock.now()
    session.flush()
    audit.record(session, actor=actor, action="disclosure_approve", entity="disclosure_list",
                 entity_id=list_id)
    return describe(session, lst)


def publish(session: Session, list_id: int, *, actor: str | None) -> dict:
    lst = get(session, list_id, lock=True)
    if lst.status != "approved":
        raise Conflict(Text("disclosure.error.not_approved", status=Text(
            f"disclosure.status.{lst.status}")), {"status": lst.status})
    lst.status, lst.published_by, lst.published_at = "published", actor, clock.now()
    session.flush()
    audit.record(session, actor=actor, action="disclosure_publish", entity="disclosure_list",
                 entity_id=list_id)
    return describe(session, lst)


def withdraw(session: Session, list_id: int, entry_id: int, *, reason: str | None,
             actor: str | None) -> dict:
    """Take a published entry off the public lists, with the reason (kept on record)."""
    get(session, list_id, lock=True)
    if not reason or not reason.strip():
        raise Unprocessable(Text("disclosure.error.reason"), {"parameter": "reason"})
    entry = session.scalar(select(DisclosureEntry).where(
        DisclosureEntry.id == entry_id, DisclosureEntry.list_id == list_id).with_for_update())
    if entry is None:
        raise NotFound(Text("disclosure.error.entry_not_found", id=entry_id))
    if entry.withdrawn_at is not None:
        raise Conflict(Text("disclosure.error.withdrawn", id=entry_id))
    entry.withdrawn_at, entry.withdrawn_by = clock.now(), actor
    entry.withdrawal_reason = reason.strip()
    session.flush()
    audit.record(session, actor=actor, action="disclosure_withdraw", entity="disclosure_list",
                 entity_id=list_id, after={"entry_id": entry_id, "reason": reason.strip()})
    return entry_view(entry, staff=True)


def describe(session: Session, lst: DisclosureList, *, staff: bool = True) -> dict:
    area = session.execute(text("SELECT name FROM admin_areas WHERE adcode = :a "
                                "ORDER BY level DESC LIMIT 1"), {"a": lst.area_adcode}).scalar()
    entries = session.scalars(select(DisclosureEntry).where(DisclosureEntry.list_id == lst.id)
                              .order_by(DisclosureEntry.sort, DisclosureEntry.id)).all()
    if not staff:
        entries = [e for e in entries if e.withdrawn_at is None]
    out = {"id": lst.id, "area": lst.area_adcode, "area_name": area, "level": lst.level,
           "period": lst.period, "period_text": period_text(lst.period),
           "starts_on": lst.starts_on.isoformat(), "ends_on": lst.ends_on.isoformat(),
           "published_at": lst.published_at and lst.published_at.isoformat(),
           "entries": [entry_view(e, staff=staff) for e in entries]}
    if staff:
        out.update(status=lst.status, status_text=Text(f"disclosure.status.{lst.status}"),
                   drafted_by=lst.drafted_by, approved_by=lst.approved_by,
                   published_by=lst.published_by)
    return out


def period_text(period: str) -> Text:
    year, part = period.split("-")
    if part[0] == "H":
        return Text(f"disclosure.period.half{part[1:]}", year=year)
    return Text("disclosure.period.quarter", year=year, n=part[1:])


def entry_view(e: DisclosureEntry, *, staff: bool) -> dict:
    out = {k: getattr(e, k) for k in PUBLIC_FIELDS}
    out["category_text"] = Text(f"disclosure.category.{e.category}")
    if staff:
        out.update(id=e.id, case_id=e.case_id, county_adcode=e.county_adcode,
                   withdrawn=e.withdrawn_at is not None, withdrawal_reason=e.withdrawal_reason,
                   withdrawn_by=e.withdrawn_by)
    return out


def lists(session: Session, *, counties: list[str] | None, territory_adcode: str | None,
          published_only: bool) -> list[dict]:
    """Lists (newest period first) of areas inside the territory, with their entry counts and
    area names in one query; the public sees published ones only."""
    where = ["TRUE"]
    params: dict = {}
    if published_only:
        where.append("l.status = 'published'")
    if counties is not None:
        where.append("l.area_adcode = ANY(:inside)")
        params["inside"] = sorted(set(counties) | {territory_adcode})
    rows = session.execute(text(f"""
        SELECT l.id, l.area_adcode, l.level, l.period, l.status, l.published_at,
               (SELECT name FROM admin_areas a WHERE a.adcode = l.area_adcode
                ORDER BY a.level DESC LIMIT 1) AS area_name,
               (SELECT count(*) FROM disclosure_entries e
                WHERE e.list_id = l.id AND e.withdrawn_at IS NULL) AS entries
        FROM disclosure_lists l WHERE {' AND '.join(where)}
        ORDER BY l.ends_on DESC, l.area_adcode, l.id LIMIT 1000"""), params).all()
    out = []
    for r in rows:
        item = {"id": r.id, "area": r.area_adcode, "area_name": r.area_name, "level": r.level,
                "period": r.period, "period_text": period_text(r.period), "entries": r.entries,
                "published_at": r.published_at and r.published_at.isoformat()}
        if not published_only:
            item.update(status=r.status, status_text=Text(f"disclosure.status.{r.status}"))
        out.append(item)
    return out


def published(session: Session, list_id: int) -> dict:
    """A published list for the public (404 for any other, the same as for no list)."""
    lst = session.get(DisclosureList, list_id) if 0 < list_id < 2 ** 62 else None
    if lst is None or lst.status != "published":
        raise NotFound(Text("disclosure.error.not_found", id=list_id))
    return describe(session, lst, staff=False)


def published_entries(session: Session, *, area: str | None, period: str | None,
                      page: int = 1, per_page: int = 50) -> dict:
    """Published, not withdrawn entries (the public fields only), newest list first, paged."""
    where, params = ["l.status = 'published'", "e.withdrawn_at IS NULL"], {}
    if area:
        where.append("(l.area_adcode = :a OR e.county_adcode = :a "
                     "OR left(e.county_adcode, 4) || '00' = :a)")
        params["a"] = area
    if period:
        where.append("l.period = :p")
        params["p"] = period
    sql = " AND ".join(where)
    total = session.execute(text(f"""
        SELECT count(*) FROM disclosure_entries e JOIN disclosure_lists l ON l.id = e.list_id
        WHERE {sql}"""), params).scalar_one()
    rows = session.execute(text(f"""
        SELECT e.*, l.period, l.area_adcode, l.published_at,
               (SELECT name FROM admin_areas a WHERE a.adcode = l.area_adcode
                ORDER BY a.level DESC LIMIT 1) AS area_name
        FROM disclosure_entries e JOIN disclosure_lists l ON l.id = e.list_id
        WHERE {sql}
        ORDER BY l.ends_on DESC, l.id, e.sort, e.id LIMIT :limit OFFSET :offset"""),
        {**params, "limit": per_page, "offset": (page - 1) * per_page}).mappings().all()
    items = [{**{k: r[k] for k in PUBLIC_FIELDS},
             "category_text": Text(f"disclosure.category.{r['category']}"),
             "period": r["period"], "period_text": period_text(r["period"]),
             "area": r["area_adcode"], "area_name": r["area_name"],
             "published_at": r["published_at"].isoformat()} for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def disclosed_geojson(session: Session, territory) -> str:
    """Employers with a published, not withdrawn entry, as GeoJSON points for the command map
    (the latest entry of each: its period and category)."""
    return session.execute(text(f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
                                 coalesce(json_agg(json_build_object(
            'type', 'Feature', 'geometry', ST_AsGeoJSON(t.geom, 6)::json,
            'properties', json_build_object('id', t.id, 'name', t.name, 'period', t.period,
                                            'category', t.category, 'list_id', t.list_id))),
            '[]'::json))::text
        FROM (SELECT DISTINCT ON (e.id) e.id, e.name, e.geom, l.period, d.category, l.id AS list_id
              FROM disclosure_entries d
              JOIN disclosure_lists l ON l.id = d.list_id
              JOIN cases c ON c.id = d.case_id
              JOIN employers e ON e.id = c.employer_id
              WHERE l.status = 'published' AND d.withdrawn_at IS NULL AND e.geom IS NOT NULL
                AND {territory.sql("e.county_adcode")}
              ORDER BY e.id, l.ends_on DESC) t
    """), territory.params()).scalar_one()

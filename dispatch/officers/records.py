"""Officers as records: create, edit and deactivate inspectors and grid workers, their 执法证
(number, issue and expiry dates, last 年审) and recusals (回避), every write audited."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.officers import service
from dispatch.officers.models import OFFICER_KINDS, OFFICER_STATUSES, Officer, Recusal
from geo.accounts import audit
from geo.core import clock
from geo.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Unprocessable
from geo.core.text import Text

CERTIFICATE_STATUSES = ("valid", "expired", "review_due", "none")
FIELDS = ("name", "kind", "county_adcode", "certificate_no", "certificate_issued_on",
          "certificate_expires_on", "certificate_reviewed_on", "grid_id", "skills", "phone",
          "user_id", "badge")
DATES = ("certificate_issued_on", "certificate_expires_on", "certificate_reviewed_on")
LENGTHS = {"name": 64, "certificate_no": 32, "phone": 32, "badge": 32}
PAGE_SIZE = 50


def _bad(key: str, name: str, **kw) -> InvalidInput:
    return InvalidInput(Text(key, name=name, **kw), {"parameter": name})


def _clean(body: dict, *, creating: bool) -> dict:
    """Type-check the officer fields present in `body` (400 naming the field)."""
    out = {}
    for name in FIELDS:
        if name not in body:
            continue
        value = body[name]
        if name in ("name", "kind", "county_adcode", "badge") and value is None:
            raise _bad("officers.error.required", name)
        if value is None:
            out[name] = [] if name == "skills" else None
            continue
        if name in DATES:
            try:
                value = date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                value = None
            if value is None:
                raise _bad("officers.error.date", name)
        elif name in ("grid_id", "user_id"):
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2 ** 31:
                raise _bad("officers.error.integer", name)
        elif name == "skills":
            if not isinstance(value, list) or not all(
                    isinstance(s, str) and 0 < len(s.strip()) <= 32 for s in value):
                raise _bad("officers.error.skills", name)
            value = sorted({s.strip() for s in value})
        else:
            if not isinstance(value, str) or not value.strip():
                raise _bad("officers.error.text", name)
            value = value.strip()
            if len(value) > LENGTHS.get(name, 64):
                raise _bad("officers.error.too_long", name, limit=LENGTHS.get(name, 64))
            if name == "kind" and value not in OFFICER_KINDS:
                raise _bad("officers.error.kind", name, choices=", ".join(OFFICER_KINDS))
        out[name] = value
    if creating:
        for name in ("name", "kind", "county_adcode"):
            if name not in out:
                raise _bad("officers.error.required", name)
    return out


def _check(session: Session, values: dict, officer_id: int | None) -> None:
    """The rules across fields and rows: county, grid in county, dates, unique numbers."""
    county = values["county_adcode"]
    if not session.execute(text("SELECT 1 FROM admin_areas WHERE level = 'county' "
                                "AND adcode = :c"), {"c": county}).first():
        raise Unprocessable(Text("officers.error.not_county", adcode=county),
                            {"parameter": "county_adcode"})
    if values.get("grid_id") is not None:
        grid_county = session.execute(text("SELECT county_adcode FROM grids WHERE id = :g"),
                                      {"g": values["grid_id"]}).scalar()
        if grid_county != county:
            raise Unprocessable(Text("officers.error.grid_not_in_county",
                                     grid_id=values["grid_id"], adcode=county),
                                {"parameter": "grid_id"})
    issued, expires = values.get("certificate_issued_on"), values.get("certificate_expires_on")
    if issued and expires and expires <= issued:
        raise Unprocessable(Text("officers.error.expires_before_issued"),
                            {"parameter": "certificate_expires_on"})
    reviewed = values.get("certificate_reviewed_on")
    if reviewed and issued and reviewed < issued:
        raise Unprocessable(Text("officers.error.reviewed_before_issued"),
                            {"parameter": "certificate_reviewed_on"})
    if values.get("user_id") is not None and not session.execute(
            text("SELECT 1 FROM users WHERE id = :u"), {"u": values["user_id"]}).first():
        raise Unprocessable(Text("officers.error.user_unknown", user_id=values["user_id"]),
                            {"parameter": "user_id"})
    for column, key in (("certificate_no", "officers.error.certificate_taken"),
                        ("badge", "officers.error.badge_taken")):
        value = values.get(column)
        if value is None:
            continue
        other = session.execute(text(f"SELECT id FROM officers WHERE {column} = :v "
                                     "AND id IS DISTINCT FROM :me"),
                                {"v": value, "me": officer_id}).scalar()
        if other is not None:
            raise Conflict(Text(key, value=value, officer_id=other),
                           {"parameter": column, "officer_id": other})


def snapshot(officer: Officer) -> dict:
    """The record's fields as JSON values (for audit before/after and the API)."""
    out = {name: getattr(officer, name) for name in FIELDS}
    for name in DATES:
        out[name] = out[name].isoformat() if out[name] else None
    out["skills"] = list(officer.skills or [])
    out.update(id=officer.id, certified=officer.certified, active=officer.active,
               status=officer.status, version=officer.version,
               deactivated_at=officer.deactivated_at.isoformat()
               if officer.deactivated_at else None)
    return out


def describe(officer: Officer, review_days: int, today: date | None = None) -> dict:
    """An officer for the API: the record plus its certificate status in words."""
    status = service.certificate_status(officer, review_days, today)
    out = snapshot(officer)
    out.update(certificate_status=status,
               certificate_status_text=Text(f"officers.certificate.{status}"),
               certified_for_assignment=service.is_certified(officer, review_days, today),
               review_due_on=(lambda d: d.isoformat() if d else None)(
                   service.review_due_on(officer.certificate_reviewed_on, review_days)),
               status_text=service.status_text(officer.status))
    if status in ("expired", "review_due"):
        out["certificate_reason"] = service.uncertified_reason(officer, review_days, today)
    return out


def create(session: Session, body: dict, *, actor: str | None) -> Officer:
    """A new officer record; badge generated (JC/WG + county + id) when not given."""
    values = _clean(body, creating=True)
    _check(session, values, None)
    badge = values.pop("badge", None)
    officer = Officer(badge=badge or f"NEW-{datetime.now(UTC).timestamp()}", **values,
                      certified=bool(values.get("certificate_no"))
                      and values["kind"] == "inspector",
                      status="off_duty", active=True, version=1)
    session.add(officer)
    session.flush()
    if not badge:
        prefix = "JC" if officer.kind == "inspector" else "WG"
        officer.badge = f"{prefix}{officer.county_adcode}-{officer.id:05d}"
        session.flush()
    audit.record(session, actor=actor, action="create", entity="officer", entity_id=officer.id,
                 after=snapshot(officer))
    return officer


def edit(session: Session, officer_id: int, body: dict, *, actor: str | None) -> Officer:
    """Change an officer's record fields; `version` must match the stored one (409)."""
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _bad("officers.error.version", "version")
    changes = _clean(body, creating=False)
    officer = service.get(session, officer_id, lock=True)
    if officer.version != version:
        raise Conflict(Text("officers.error.stale_version", officer_id=officer_id,
                            version=version, current=officer.version),
                       {"version": officer.version})
    before = snapshot(officer)
    merged = {name: getattr(officer, name) for name in FIELDS} | changes
    _check(session, {k: v for k, v in merged.items() if k in changes or k == "county_adcode"
                     or k in DATES or k == "grid_id"}, officer_id)
    for name, value in changes.items():
        setattr(officer, name, value)
    if "certificate_no" in changes or "kind" in changes:
        officer.certified = bool(officer.certificate_no) and officer.kind == "inspector"
    officer.version += 1
    officer.updated_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor=actor, action="edit", entity="officer", entity_id=officer_id,
                 before=before, after=snapshot(officer))
    return officer


def deactivate(session: Session, officer_id: int, reason, *, actor: str | None) -> Officer:
    """Take an officer out of service: 409 while on an assignment or already inactive."""
    if not isinstance(reason, str) or not reason.strip():
        raise _bad("officers.error.required", "reason")
    officer = service.get(session, officer_id, lock=True)
    if not officer.active:
        raise Conflict(Text("officers.error.already_inactive", officer_id=officer_id),
                       {"active": False})
    busy = service.active_inspection(session, officer_id)
    if busy is not None:
        raise Conflict(Text("officers.error.on_assignment", officer_id=officer_id,
                            name=officer.name, inspection_id=busy), {"inspection_id": busy})
    before = snapshot(officer)
    if officer.status != "off_duty":
        service.record_transition(session, officer, "off_duty", actor=actor,
                                  reason=reason.strip())
    officer.status, officer.active = "off_duty", False
    officer.deactivated_at = clock.now()
    officer.version += 1
    officer.updated_at = datetime.now(UTC)
    session.flush()
    audit.record(session, actor=actor, action="deactivate", entity="officer",
                 entity_id=officer_id, before=before,
                 after={**snapshot(officer), "reason": reason.strip()})
    return officer


def listing(session: Session, *, review_days: int, counties: list[str] | None = None,
            kind: str | None = None, certificate: str | None = None, grid: int | None = None,
            status: str | None = None, q: str | None = None, page: int = 1) -> dict:
    """Officers filtered and paged (PAGE_SIZE a page), each with its certificate status."""
    params = {"counties": counties, "kind": kind, "grid": grid, "status": status,
              "q": f"%{q.strip()}%" if q and q.strip() else None,
              **service.certified_params(review_days)}
    cert_case = """CASE WHEN NOT o.certified THEN 'none'
        WHEN o.certificate_expires_on < :cert_today THEN 'expired'
        WHEN o.certificate_reviewed_on < :cert_review_since THEN 'review_due'
        ELSE 'valid' END"""
    where = f"""
        WHERE (CAST(:counties AS text[]) IS NULL OR o.county_adcode = ANY(:counties))
          AND (CAST(:kind AS text) IS NULL OR o.kind = :kind)
          AND (CAST(:grid AS int) IS NULL OR o.grid_id = :grid)
          AND (CAST(:status AS text) IS NULL OR o.status = :status)
          AND (CAST(:q AS text) IS NULL OR o.name ILIKE :q OR o.badge ILIKE :q
               OR o.certificate_no ILIKE :q)
          AND (CAST(:cert AS text) IS NULL OR {cert_case} = :cert)"""
    params["cert"] = certificate
    total = session.execute(text(f"SELECT count(*) FROM officers o {where}"), params).scalar()
    ids = session.execute(text(f"SELECT o.id FROM officers o {where} ORDER BY o.id "
                               "LIMIT :limit OFFSET :offset"),
                          {**params, "limit": PAGE_SIZE,
                           "offset": (page - 1) * PAGE_SIZE}).scalars().all()
    rows = {o.id: o for o in session.query(Officer).filter(Officer.id.in_(ids))}
    today = clock.today()
    return {"items": [describe(rows[i], review_days, today) for i in ids], "total": total,
            "page": page, "per_page": PAGE_SIZE}


def detail(session: Session, officer_id: int, review_days: int) -> dict:
    """One officer with its recusals and current assignment."""
    officer = service.get(session, officer_id)
    out = describe(officer, review_days)
    out["recusals"] = [dict(r) | {"created_at": r["created_at"].isoformat()}
                       for r in session.execute(text("""
        SELECT r.employer_id, e.name AS employer_name, r.reason, r.source, r.created_by,
               r.created_at
        FROM recusals r JOIN employers e ON e.id = r.employer_id
        WHERE r.officer_id = :o ORDER BY r.created_at, r.employer_id
    """), {"o": officer_id}).mappings()]
    out["current_inspection_id"] = service.active_inspection(session, officer_id)
    return out


def add_recusal(session: Session, officer_id: int, employer_id, reason, *, source: str,
                actor: str | None) -> Recusal:
    """Record that this officer must not act on this employer (409 if already recorded)."""
    if isinstance(employer_id, bool) or not isinstance(employer_id, int) \
            or not 0 < employer_id < 2 ** 31:
        raise _bad("officers.error.integer", "employer_id")
    if not isinstance(reason, str) or not reason.strip():
        raise _bad("officers.error.required", "reason")
    officer = service.get(session, officer_id, lock=True)
    if not session.execute(text("SELECT 1 FROM employers WHERE id = :e"),
                           {"e": employer_id}).first():
        raise NotFound(Text("dispatch.error.no_employer_with_id", employer_id=employer_id),
                       {"employer_id": employer_id})
    if session.get(Recusal, (officer_id, employer_id)) is not None:
        raise Conflict(Text("officers.error.recusal_exists", officer_id=officer_id,
                            employer_id=employer_id), {"employer_id": employer_id})
    recusal = Recusal(officer_id=officer_id, employer_id=employer_id, reason=reason.strip(),
                      county_adcode=officer.county_adcode, source=source, created_by=actor)
    session.add(recusal)
    session.flush()
    audit.record(session, actor=actor, action="recusal_add", entity="officer",
                 entity_id=officer_id, before=None,
                 after={"employer_id": employer_id, "reason": recusal.reason, "source": source})
    return recusal


def remove_recusal(session: Session, officer_id: int, employer_id: int, *,
                   actor: str | None) -> None:
    service.get(session, officer_id)
    recusal = session.get(Recusal, (officer_id, employer_id))
    if recusal is None:
        raise NotFound(Text("officers.error.recusal_unknown", officer_id=officer_id,
                            employer_id=employer_id), {"employer_id": employer_id})
    before = {"employer_id": employer_id, "reason": recusal.reason, "source": recusal.source,
              "created_by": recusal.created_by}
    session.delete(recusal)
    session.flush()
    audit.record(session, actor=actor, action="recusal_remove", entity="officer",
                 entity_id=officer_id, before=before, after=None)


def own_officer(session: Session, officer_id: int, user_id: int) -> None:
    """An inspector acts only on the officer record linked to their account (403)."""
    if service.get(session, officer_id).user_id != user_id:
        raise Forbidden(Text("officers.error.own_record_only"), {"officer_id": officer_id})


__all__ = ["CERTIFICATE_STATUSES", "OFFICER_STATUSES", "create", "edit", "deactivate",
           "listing", "detail", "add_recusal", "remove_recusal", "own_officer"]

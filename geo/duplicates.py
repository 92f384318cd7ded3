"""Likely duplicate employers (same name and address, or very close with similar names) and merges."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo import audit
from geo.errors import InvalidInput, NotFound, Unprocessable

# Tables whose rows follow an employer when two records are merged into one.
REFERENCING = ("complaints", "inspections", "cases", "employer_location_history")


def likely_duplicates(session: Session, *, counties: list[str] | None, distance_m: float = 50,
                      similarity: float = 0.6, limit: int = 200) -> list[dict]:
    """Pairs to review: identical name + address, or within `distance_m` with similar names."""
    rows = session.execute(text("""
        WITH scope AS MATERIALIZED (
            SELECT id, name, address, credit_code, geom FROM employers
            WHERE CAST(:counties AS text[]) IS NULL OR county_adcode = ANY(:counties)),
        pairs AS (
            SELECT a.id AS a, b.id AS b FROM scope a JOIN scope b   -- hash join on equality
              ON a.name = b.name AND a.address = b.address AND a.id < b.id
            UNION
            SELECT a.id, b.id FROM scope a JOIN scope b             -- GiST, then trigram
              ON ST_DWithin(a.geom, b.geom, :deg) AND a.id < b.id AND a.name % b.name
            WHERE ST_DWithin(a.geom::geography, b.geom::geography, :metres))
        SELECT a.id AS a_id, a.name AS a_name, a.credit_code AS a_code, a.address AS a_address,
               b.id AS b_id, b.name AS b_name, b.credit_code AS b_code, b.address AS b_address,
               ST_Distance(a.geom::geography, b.geom::geography) AS distance_m,
               similarity(a.name, b.name) AS name_similarity,
               (a.name = b.name AND a.address IS NOT DISTINCT FROM b.address) AS same_name_address
        FROM pairs p JOIN scope a ON a.id = p.a JOIN scope b ON b.id = p.b
        ORDER BY same_name_address DESC, name_similarity DESC, distance_m, a.id, b.id
        LIMIT :limit
    """), {"counties": counties, "deg": distance_m / 80_000, "metres": distance_m,
           "limit": limit}).mappings().all()
    return [dict(r) | {"distance_m": round(r["distance_m"], 1) if r["distance_m"] is not None
                       else None} for r in rows if r["same_name_address"]
            or r["name_similarity"] >= similarity]


def merge(session: Session, *, keep: int, remove: int, reason: str, actor: str | None) -> dict:
    """Fold `remove` into `keep`: its complaints, inspections, cases and history move; it goes."""
    if keep == remove:
        raise Unprocessable("keep and remove are the same employer")
    if not reason or not reason.strip():
        raise InvalidInput("a reason is required", {"parameter": "reason"})
    rows = session.execute(text("SELECT * FROM employers WHERE id = ANY(:ids) ORDER BY id "
                                "FOR UPDATE"), {"ids": [keep, remove]}).mappings().all()
    found = {r["id"]: dict(r) for r in rows}
    for employer_id in (keep, remove):
        if employer_id not in found:
            raise NotFound(f"no employer has id {employer_id}", {"employer_id": employer_id})
    moved = {}
    for table in REFERENCING:
        moved[table] = session.execute(text(
            f"UPDATE {table} SET employer_id = :keep WHERE employer_id = :remove"),
            {"keep": keep, "remove": remove}).rowcount
    # Recusals are per officer-employer pair: keep the union, without duplicates.
    session.execute(text("""
        INSERT INTO recusals (officer_id, employer_id, reason, county_adcode, created_at)
        SELECT officer_id, :keep, reason, county_adcode, created_at FROM recusals
        WHERE employer_id = :remove ON CONFLICT DO NOTHING
    """), {"keep": keep, "remove": remove})
    session.execute(text("DELETE FROM employers WHERE id = :remove"), {"remove": remove})
    snapshot = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in found[remove].items() if k != "geom"}
    audit.record(session, actor=actor, action="merge", entity="employer", entity_id=keep,
                 before={"removed": snapshot}, after={"kept": keep, "moved": moved,
                                                      "reason": reason.strip()})
    return {"kept": keep, "removed": remove, "moved": moved}

"""Likely duplicate employers (same name and address, or very close with similar names) and merges."""
from __future__ import annotations

from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.accounts import audit
from geo.areas.service import county_adcodes, find_area
from geo.core.errors import InvalidInput, NotFound, Unprocessable
from geo.core.text import Text

# geo's tables whose rows follow an employer when two records are merged into one; the
# caller moves the rows of its own tables (dispatch.casework.merge: complaints, cases, …).
REFERENCING = ("employer_location_history",)


class MoveReferences(Protocol):
    """Point the caller's rows from employer `remove` to `keep`: {table: rows moved}."""

    def __call__(self, session: Session, *, keep: int, remove: int) -> dict[str, int]: ...


# Index-backed: each employer of the area probes the GiST index on geom for its neighbours
# (linear in the area's employers), instead of comparing every pair of a materialised scope
# (quadratic). Names are compared with similarity(), not `%`, which would let the planner
# probe the name trigram index instead: it matches most of the province (有限公司, 河南…).
# OFFSET 0 keeps the neighbour lookup a plain GiST scan (the planner otherwise ANDs it with
# the whole area's county_adcode bitmap, once per employer); the few pairs found are
# materialised, so their details are then read by primary key.
SQL = """
    WITH pairs AS MATERIALIZED (
        SELECT a.id AS a, b.id AS b FROM employers a JOIN employers b   -- hash join on equality
          ON a.name = b.name AND a.address = b.address AND a.id < b.id
        WHERE a.county_adcode = ANY(:counties) AND b.county_adcode = ANY(:counties)
        UNION
        SELECT a.id, b.id FROM employers a CROSS JOIN LATERAL (
            SELECT b.id, b.name, b.geom, b.county_adcode FROM employers b
            WHERE ST_DWithin(a.geom, b.geom, :deg) AND a.id < b.id OFFSET 0) b
        WHERE a.county_adcode = ANY(:counties) AND b.county_adcode = ANY(:counties)
          AND ST_DWithin(a.geom::geography, b.geom::geography, :metres)
          AND similarity(a.name, b.name) >= :similarity)
    SELECT a.id AS a_id, a.name AS a_name, a.credit_code AS a_code, a.address AS a_address,
           b.id AS b_id, b.name AS b_name, b.credit_code AS b_code, b.address AS b_address,
           ST_Distance(a.geom::geography, b.geom::geography) AS distance_m,
           similarity(a.name, b.name) AS name_similarity,
           (a.name = b.name AND a.address IS NOT DISTINCT FROM b.address) AS same_name_address
    FROM pairs p JOIN employers a ON a.id = p.a JOIN employers b ON b.id = p.b
    ORDER BY same_name_address DESC, name_similarity DESC, distance_m, a.id, b.id
    LIMIT :limit
"""


def likely_duplicates(session: Session, *, area: str | None, distance_m: float = 50,
                      similarity: float = 0.6, limit: int = 200) -> list[dict]:
    """Pairs to review in a county or city: identical name + address, or within `distance_m`
    with similar names. The whole province at once is refused (400): too much to review."""
    if not area:
        raise InvalidInput(Text("error.duplicates.area_required"), {"parameter": "area"})
    found = find_area(session, area)  # 404 when unknown
    if found["level"] == "province":
        raise InvalidInput(Text("error.duplicates.province", area=area), {"parameter": "area"})
    # Thousands of cheap index probes: compiling the plan (JIT) costs more than it saves.
    session.execute(text("SET LOCAL jit = off"))
    rows = session.execute(text(SQL), {
        "counties": county_adcodes(session, area), "deg": distance_m / 80_000,
        "metres": distance_m, "similarity": similarity, "limit": limit}).mappings().all()
    return [dict(r) | {"distance_m": round(r["distance_m"], 1) if r["distance_m"] is not None
                       else None} for r in rows if r["same_name_address"]
            or r["name_similarity"] >= similarity]


def merge(session: Session, *, keep: int, remove: int, reason: str, actor: str | None,
          references: MoveReferences) -> dict:
    """Fold `remove` into `keep`: the rows that refer to it move (the caller's through
    `references`, then its location history); it goes. One audit record; no commit."""
    if keep == remove:
        raise Unprocessable(Text("error.duplicates.same"))
    if not reason or not reason.strip():
        raise InvalidInput(Text("error.reason_required"), {"parameter": "reason"})
    rows = session.execute(text("SELECT * FROM employers WHERE id = ANY(:ids) ORDER BY id "
                                "FOR UPDATE"), {"ids": [keep, remove]}).mappings().all()
    found = {r["id"]: dict(r) for r in rows}
    for employer_id in (keep, remove):
        if employer_id not in found:
            raise NotFound(Text("error.employer.not_found", employer_id=employer_id),
                           {"employer_id": employer_id})
    moved = dict(references(session, keep=keep, remove=remove))
    for table in REFERENCING:
        moved[table] = session.execute(text(
            f"UPDATE {table} SET employer_id = :keep WHERE employer_id = :remove"),
            {"keep": keep, "remove": remove}).rowcount
    session.execute(text("DELETE FROM employers WHERE id = :remove"), {"remove": remove})
    snapshot = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in found[remove].items() if k != "geom"}
    audit.record(session, actor=actor, action="merge", entity="employer", entity_id=keep,
                 before={"removed": snapshot}, after={"kept": keep, "moved": moved,
                                                      "reason": reason.strip()})
    return {"kept": keep, "removed": remove, "moved": moved}

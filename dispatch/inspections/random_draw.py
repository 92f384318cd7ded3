"""双随机、一公开: random employers and random inspector pairs, reproducible from the seed.

The draw stores its seed and both pools (sorted ids) so anyone can replay it with
`replay()` and get the same result; every draw is in the audit log. Each inspection it
opens keeps its draw, check item and the inspectors drawn (`drawn_officer_ids`): those
inspectors go, unless an administrator changes them with a reason (dispatch.assign), and
the replay shows who was drawn, who went and why they differ.
"""
from __future__ import annotations

import math
import secrets

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from dispatch.inspections import check_items
from dispatch.inspections import service as inspections
from dispatch.inspections.models import RandomDraw
from dispatch.officers import service as officers
from dispatch.settings import DispatchSettings
from geo.accounts import audit
from geo.areas.service import county_adcodes
from geo.core import clock
from geo.core.errors import InvalidInput, NotFound, Unprocessable
from geo.core.text import DEFAULT_LANGUAGE, Text


def compute(seed: int, share: float, employers: list[tuple[int, str]],
            inspectors: list[tuple[int, str]], recused: set[tuple[int, int]],
            team_size: int = 2) -> list[dict]:
    """The draw itself: pure, so a replay gives the same answer for the same inputs."""
    rng = np.random.default_rng(seed)
    n = math.ceil(share * len(employers)) if employers else 0
    picked = sorted(rng.choice(len(employers), size=n, replace=False).tolist()) if n else []
    by_county: dict[str, list[int]] = {}
    for officer_id, county in inspectors:
        by_county.setdefault(county, []).append(officer_id)
    result = []
    for index in picked:
        employer_id, county = employers[index]
        pool = by_county.get(county, [])
        order = rng.permutation(len(pool)).tolist() if pool else []
        team = [pool[i] for i in order if (pool[i], employer_id) not in recused][:team_size]
        result.append({"employer_id": employer_id, "county_adcode": county,
                       "officer_ids": sorted(team), "complete": len(team) == team_size})
    return result


def _pools(session: Session, counties: list[str]):
    employers = [tuple(r) for r in session.execute(text(
        "SELECT id, county_adcode FROM employers WHERE county_adcode = ANY(:c) ORDER BY id"),
        {"c": counties})]
    inspectors = [tuple(r) for r in session.execute(text(f"""
        SELECT id, county_adcode FROM officers o
        WHERE {officers.certified_sql("o")} AND county_adcode = ANY(:c) ORDER BY id"""),
        {"c": counties, **officers.certified_params(DispatchSettings().certificate_review_days)})]
    return employers, inspectors


def _recusals(session: Session, employer_ids: list[int]) -> set[tuple[int, int]]:
    return {tuple(r) for r in session.execute(text(
        "SELECT officer_id, employer_id FROM recusals WHERE employer_id = ANY(:e)"),
        {"e": employer_ids})}


def draw(session: Session, *, area: str, check_item: str, share: float, seed: int | None,
         actor: str | None, create_inspections: bool = True) -> dict:
    """Draw employers and inspector pairs in an area, record everything, open inspections."""
    if not 0 < share <= 1:
        raise InvalidInput(Text("dispatch.error.share_range"), {"parameter": "share"})
    if not isinstance(check_item, str) or not check_item.strip():
        raise InvalidInput(Text("dispatch.error.check_item_required"),
                           {"parameter": "check_item"})
    item = check_items.require_active(session, check_item.strip())
    counties = county_adcodes(session, area)
    seed = secrets.randbits(63) if seed is None else seed
    employers, inspectors = _pools(session, counties)
    if not employers:
        raise Unprocessable(Text("dispatch.error.no_employers_in_area", area=area))
    recused = _recusals(session, [e for e, _ in employers])
    result = compute(seed, share, employers, inspectors, recused)
    # drawn_at from the one clock (not the database's), so the year it counts for is testable.
    record = RandomDraw(area_adcode=area, check_item=item.code, seed=seed, share=share,
                        employer_pool=[e for e, _ in employers],
                        inspector_pool=[o for o, _ in inspectors],
                        result={"items": result, "recusals": sorted(map(list, recused))},
                        drawn_by=actor, drawn_at=clock.now())
    session.add(record)
    session.flush()
    created = []
    if create_inspections:
        # Stored in the bureau's language: a description is a record, not a page.
        description = Text("random_checks.inspection_description", draw_id=record.id,
                           check_item=check_items.name_text(item.code, item.name)
                           ).render(DEFAULT_LANGUAGE)
        for drawn in result:
            inspection = inspections.create(session, kind="random", priority="normal",
                                            description=description,
                                            employer_id=drawn["employer_id"], actor=actor)
            inspection.random_draw_id = record.id
            inspection.check_item = item.code
            inspection.drawn_officer_ids = drawn["officer_ids"] if drawn["complete"] else None
            created.append(inspection.id)
        session.flush()
    audit.record(session, actor=actor, action="draw", entity="random_draw", entity_id=record.id,
                 after={"seed": seed, "share": share, "area": area, "check_item": item.code,
                        "drawn": len(result), "employer_pool": len(employers),
                        "inspector_pool": len(inspectors)})
    return {"id": record.id, "seed": seed, "share": share, "area": area,
            "check_item": item.code,
            "check_item_text": check_items.name_text(item.code, item.name),
            "employer_pool": len(employers), "inspector_pool": len(inspectors),
            "drawn": len(result), "inspections_created": len(created),
            "inspection_ids": created,
            "incomplete_teams": sum(not i["complete"] for i in result), "items": result}


def replay(session: Session, draw_id: int) -> dict:
    """Recompute a recorded draw from its seed and pools; `matches` says if it reproduces."""
    record = session.get(RandomDraw, draw_id)
    if record is None:
        raise NotFound(Text("dispatch.error.draw_not_found", draw_id=draw_id))
    counties = dict(session.execute(text(
        "SELECT id, county_adcode FROM employers WHERE id = ANY(:e)"),
        {"e": record.employer_pool}).all())
    officers = dict(session.execute(text(
        "SELECT id, county_adcode FROM officers WHERE id = ANY(:o)"),
        {"o": record.inspector_pool}).all())
    employers = [(e, counties[e]) for e in record.employer_pool if e in counties]
    inspectors = [(o, officers[o]) for o in record.inspector_pool if o in officers]
    recused = {tuple(r) for r in record.result["recusals"]}
    again = compute(record.seed, record.share, employers, inspectors, recused)
    return {"id": draw_id, "seed": record.seed, "check_item": record.check_item,
            "drawn_at": record.drawn_at.isoformat(), "drawn_by": record.drawn_by,
            "matches": again == record.result["items"], "items": again,
            "teams": teams(session, draw_id)}


def teams(session: Session, draw_id: int) -> list[dict]:
    """Per inspection the draw opened: the inspectors drawn, those who actually went (the
    active team, else the last one assigned) and the administrator's reason if they differ."""
    rows = session.execute(text("""
        SELECT i.id, i.employer_id, i.status, i.drawn_officer_ids, i.team_override_reason,
               i.team_override_by,
               (SELECT array_agg(a.officer_id ORDER BY a.officer_id) FROM assignments a
                WHERE a.inspection_id = i.id AND a.released_at IS NULL) AS active,
               (SELECT array_agg(a.officer_id ORDER BY a.officer_id) FROM assignments a
                WHERE a.inspection_id = i.id AND a.assigned_at = (
                    SELECT max(b.assigned_at) FROM assignments b
                    WHERE b.inspection_id = i.id)) AS last
        FROM inspections i WHERE i.random_draw_id = :d ORDER BY i.id
    """), {"d": draw_id}).mappings().all()
    out = []
    for r in rows:
        drawn, assigned = r["drawn_officer_ids"], r["active"] or r["last"]
        out.append({
            "inspection_id": r["id"], "employer_id": r["employer_id"], "status": r["status"],
            "status_text": inspections.status_text(r["status"]),
            "drawn_officer_ids": sorted(drawn) if drawn else None,
            "assigned_officer_ids": assigned or [],
            "team_changed": bool(drawn and assigned and sorted(drawn) != sorted(assigned)),
            "override": {"reason": r["team_override_reason"], "by": r["team_override_by"]}
            if r["team_override_reason"] else None})
    return out


def recent(session: Session, *, area: str, counties: list[str], year: int,
           limit: int = 20) -> list[dict]:
    """The draws of a Beijing year for an area, newest first: drawn for it or inside it, or
    reaching into it from above (a city's or the province's draw that drew employers here)."""
    inside = set(counties) | set(session.execute(text(
        "SELECT adcode FROM admin_areas WHERE adcode = :a OR parent_adcode = :a"),
        {"a": area}).scalars())
    start, end = check_items.year_bounds(year)
    return [dict(r) for r in session.execute(text("""
        SELECT d.id, d.check_item, d.drawn_at, d.seed, d.area_adcode, a.name AS area_name,
               jsonb_array_length(d.result -> 'items') AS drawn,
               (SELECT count(*) FROM jsonb_array_elements(d.result -> 'items') x
                WHERE x ->> 'county_adcode' = ANY(:c)) AS drawn_here
        FROM random_draws d
        LEFT JOIN LATERAL (SELECT name FROM admin_areas WHERE adcode = d.area_adcode
                           ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1
                                    ELSE 2 END LIMIT 1) a ON true
        WHERE d.drawn_at >= :start AND d.drawn_at < :end
          AND (d.area_adcode = ANY(:inside) OR EXISTS (
               SELECT 1 FROM jsonb_array_elements(d.result -> 'items') x
               WHERE x ->> 'county_adcode' = ANY(:c)))
        ORDER BY d.drawn_at DESC, d.id DESC LIMIT :limit
    """), {"c": counties, "inside": sorted(inside), "start": start, "end": end,
           "limit": limit}).mappings()]

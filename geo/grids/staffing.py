"""Staff per grid, as geo's answers need it: supplied by the caller.

Who works in a grid is known to dispatch/ (its officers), not to geo/: the functions of
geo/ that report staff (grid GeoJSON, coverage, exports, edit previews) take a
`StaffCounts` from their caller, which passes dispatch.officers.service.staff_per_grid.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session


class StaffCounts(Protocol):
    """{grid id: number of staff} for these grids (grids without staff may be left out)."""

    def __call__(self, session: Session, grid_ids: Sequence[int]) -> Mapping[int, int]: ...


def county_grid_ids(session: Session, counties: Sequence[str]) -> list[int]:
    """Ids of the grids of these counties."""
    return list(session.execute(text(
        "SELECT id FROM grids WHERE county_adcode = ANY(:c) ORDER BY id"),
        {"c": list(counties)}).scalars())


def staff_of(session: Session, staff: StaffCounts, grid_ids: Sequence[int]) -> dict[int, int]:
    """The provider's counts for these grids, every grid present (0 when it has no staff)."""
    found = staff(session, list(grid_ids)) if grid_ids else {}
    return {g: int(found.get(g, 0)) for g in grid_ids}


# A CTE `staff(grid_id, n)` from the counts bound as :staff_ids and :staff_n (see sql_params).
STAFF_CTE = ("staff AS (SELECT grid_id, n FROM unnest(CAST(:staff_ids AS integer[]), "
             "CAST(:staff_n AS bigint[])) AS s(grid_id, n))")


def sql_params(counts: Mapping[int, int]) -> dict:
    """Bind parameters of STAFF_CTE for these counts."""
    ids = sorted(counts)
    return {"staff_ids": ids, "staff_n": [counts[i] for i in ids]}


class GridStaff(Protocol):
    """Who works in a grid, and moving them: supplied by dispatch (its officers).

    When an edit changes or removes grids, each person of a changed grid follows the grid
    that now holds most of that grid's old territory (`successors`).
    """

    def members(self, session: Session, grid_ids: Sequence[int]) -> Mapping[int, list[int]]:
        """{grid id: ids of the staff working in it}."""
        ...

    def move(self, session: Session, moves: Sequence[tuple[int, int, int | None]], *,
             actor: str | None, reason: str | None) -> list[dict]:
        """Apply (person, from grid, to grid or None) moves; a report row per person."""
        ...


def successors(session: Session, county: str, grid_ids: Sequence[int]) -> dict[int, int | None]:
    """For grids changed or deleted in this transaction's edit (their old shapes are in the
    edit's `grid_proposal`), the grid of the county that now covers most of each old shape
    (None when none overlaps it)."""
    rows = session.execute(text("""
        SELECT p.id, (SELECT g.id FROM grids g
                      WHERE g.county_adcode = :county AND g.geom && p.old_geom
                        AND ST_Intersects(g.geom, p.old_geom)
                      ORDER BY ST_Area(ST_Intersection(g.geom, p.old_geom)) DESC, g.id
                      LIMIT 1) AS successor
        FROM grid_proposal p WHERE p.id = ANY(:ids)
    """), {"county": county, "ids": list(grid_ids)}).all()
    return {r.id: r.successor for r in rows}

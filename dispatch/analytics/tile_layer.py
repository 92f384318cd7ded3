"""Where the employer tiles and grid metrics get a risk score from: the risk model's table.

The risk model (dispatch/analytics/risk.py) stores a 0–100 score and an early-warning level
(red/orange/yellow, or none) per employer in `employer_risk`, refreshed per county when its
inputs change (dispatch.analytics.jobs). Employers of a county not yet scored have no risk
(grey). Each function returns SQL fragments for an employers table aliased `alias`; every
fragment that is not empty ends with a comma. `EMPLOYER_TILES` hands them to geo's tile
renderer, which the web layer calls with it (geo/ itself never reads dispatch's tables).
"""
from __future__ import annotations

from geo.tiles.service import LayerExtension

VERSION_SCOPES = ("employer_risk",)  # the stored scores' data-version counters


def point_sql(alias: str) -> dict:
    """Columns `risk` (0–100) and `risk_class` (red, orange, yellow, low) of one employer."""
    return {"select": "r.score::float AS risk, CASE WHEN r.score IS NOT NULL "
                      "THEN coalesce(r.level, 'low') END AS risk_class,",
            "join": f"LEFT JOIN employer_risk r ON r.employer_id = {alias}.id",
            "aggregate": "", "output": ""}


def cluster_sql(alias: str) -> dict:
    """Per cell: employers at each warning level (`red`, `orange`, `yellow`)."""
    return {"select": "", "join": f"LEFT JOIN employer_risk r ON r.employer_id = {alias}.id",
            "aggregate": "count(*) FILTER (WHERE r.level = 'red') AS red, "
                         "count(*) FILTER (WHERE r.level = 'orange') AS orange, "
                         "count(*) FILTER (WHERE r.level = 'yellow') AS yellow,",
            "output": "red, orange, yellow,"}


# The employer tiles' risk columns (geo.tiles.service renders over employers aliased `e`).
EMPLOYER_TILES = LayerExtension(
    point_select=point_sql("e")["select"], point_join=point_sql("e")["join"],
    cluster_join=cluster_sql("e")["join"], cluster_aggregate=cluster_sql("e")["aggregate"],
    cluster_output=cluster_sql("e")["output"], version_scopes=VERSION_SCOPES)

"""Where the employer tiles and grid metrics get a risk score from: the risk model's table.

The risk model (geo/risk.py) stores a 0–100 score and an early-warning level
(red/orange/yellow, or none) per employer in `employer_risk`, refreshed per county
when its inputs change. Employers of a county not yet scored have no risk (grey).
Each function returns SQL fragments for an employers table aliased `alias`; every
fragment that is not empty ends with a comma.
"""
from __future__ import annotations

import importlib.util

NONE = {"select": "", "join": "", "aggregate": "", "output": ""}


def available() -> bool:
    """Whether a risk model is installed (its table comes with migration 0005)."""
    return importlib.util.find_spec("dispatch.analytics.risk") is not None


def point_sql(alias: str) -> dict:
    """Columns `risk` (0–100) and `risk_class` (red, orange, yellow, low) of one employer."""
    if not available():
        return NONE
    return {"select": "r.score::float AS risk, CASE WHEN r.score IS NOT NULL "
                      "THEN coalesce(r.level, 'low') END AS risk_class,",
            "join": f"LEFT JOIN employer_risk r ON r.employer_id = {alias}.id",
            "aggregate": "", "output": ""}


def cluster_sql(alias: str) -> dict:
    """Per cell: employers at each warning level (`red`, `orange`, `yellow`)."""
    if not available():
        return NONE
    return {"select": "", "join": f"LEFT JOIN employer_risk r ON r.employer_id = {alias}.id",
            "aggregate": "count(*) FILTER (WHERE r.level = 'red') AS red, "
                         "count(*) FILTER (WHERE r.level = 'orange') AS orange, "
                         "count(*) FILTER (WHERE r.level = 'yellow') AS yellow,",
            "output": "red, orange, yellow,"}


def version_sql() -> str | None:
    """A query whose value changes when stored risk scores change."""
    if not available():
        return None
    return ("SELECT count(*)::text || ':' || coalesce(sum(xmin::text::bigint), 0)::text "
            "FROM employer_risk")

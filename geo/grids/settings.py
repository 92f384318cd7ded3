"""Grid-planning settings: tolerances and limits that are local practice, env-overridable."""
from __future__ import annotations

from geo.core.config import EnvSettings


class PlanningSettings(EnvSettings):
    """Defaults for validating grid edits; each overridable by LIANGWANG_<NAME>."""

    # Pieces above a tolerance are errors; smaller ones are slivers, snapped (and reported).
    overlap_tolerance_m2: float = 100.0       # overlap of a changed grid with another grid
    gap_tolerance_m2: float = 100.0           # county area an edit leaves without a grid
    outside_tolerance_m2: float = 100.0       # grid area outside its county
    snap_tolerance_m: float = 0.5             # drawn vertices this close snap to neighbours
    min_grid_area_m2: float = 50_000.0        # 0.05 km²: smaller grids are errors
    employer_list_cap: int = 200              # employers changing grid listed in a preview
    coverage_min_feature_m2: float = 1.0      # smaller gap/overlap pieces are float residue

"""Grid-planning settings: tolerances and limits that are local practice, env-overridable."""
from __future__ import annotations

import os
from dataclasses import dataclass


def _num(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SystemExit(f"Environment variable {name} must be a number, got {raw!r}.") from exc


@dataclass(frozen=True)
class PlanningSettings:
    """Defaults for validating grid edits; each overridable by LIANGWANG_<NAME>."""

    # Pieces above a tolerance are errors; smaller ones are slivers, snapped (and reported).
    overlap_tolerance_m2: float = 100.0       # overlap of a changed grid with another grid
    gap_tolerance_m2: float = 100.0           # county area an edit leaves without a grid
    outside_tolerance_m2: float = 100.0       # grid area outside its county
    snap_tolerance_m: float = 0.5             # drawn vertices this close snap to neighbours
    min_grid_area_m2: float = 50_000.0        # 0.05 km²: smaller grids are errors
    employer_list_cap: int = 200              # employers changing grid listed in a preview
    coverage_min_feature_m2: float = 1.0      # smaller gap/overlap pieces are float residue

    @classmethod
    def from_env(cls) -> "PlanningSettings":
        values = {}
        for name, field in cls.__dataclass_fields__.items():
            value = _num(f"LIANGWANG_{name.upper()}", field.default)
            values[name] = type(field.default)(value)
        return cls(**values)

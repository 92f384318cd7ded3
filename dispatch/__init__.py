"""Officers, inspections, recommendation and assignment (no Flask)."""

"""Territory: admin areas, grids, employers, CRS, database and embedded PostGIS (no Flask)."""

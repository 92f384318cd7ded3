"""Admin areas and grids as OGC API collections (geo.core.features)."""
from geo.core.features import Collection
from geo.core.text import Text

AREAS = Collection(
    id="admin_areas", title=Text("ogc.collection.admin_areas"),
    description=Text("ogc.collection.admin_areas.about"),
    table="admin_areas", geometry="geom", id_column="adcode", integer_ids=False,
    properties=(("adcode", "t.adcode"), ("name", "t.name"), ("level", "t.level"),
                ("parent_adcode", "t.parent_adcode"),
                ("area_km2", "round(t.area_km2::numeric, 2)")),
    # the reader's list holds their counties and their own area (see webapp.api.ogc): a
    # county reader sees the county, a city reader the city and its counties
    county="t.adcode",
)

GRIDS = Collection(
    id="grids", title=Text("ogc.collection.grids"),
    description=Text("ogc.collection.grids.about"),
    table="grids", geometry="geom",
    properties=(("code", "t.code"), ("name", "t.name"), ("county_adcode", "t.county_adcode"),
                ("version", "t.version"),
                ("employer_count",
                 "(SELECT count(*) FROM employers e WHERE e.grid_id = t.id)"),
                ("updated_at", "t.updated_at")),
    county="t.county_adcode",
)

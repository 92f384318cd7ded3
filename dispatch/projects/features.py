"""Construction projects (wage security) as an OGC API collection: the site and its terms."""
from geo.core.features import Collection
from geo.core.text import Text

PROJECTS = Collection(
    id="projects", title=Text("ogc.collection.projects"),
    description=Text("ogc.collection.projects.about"),
    table="projects", geometry="site",
    properties=(("name", "t.name"), ("department", "t.department"),
                ("owner_name", "t.owner_name"), ("county_adcode", "t.county_adcode"),
                ("grid_id", "t.grid_id"), ("status", "t.status"),
                ("contract_value", "t.contract_value"), ("workers", "t.workers"),
                ("start_on", "t.start_on"), ("planned_end_on", "t.planned_end_on"),
                ("deposit_required", "t.deposit_required")),
    county="t.county_adcode",
)

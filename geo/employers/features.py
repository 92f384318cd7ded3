"""Employers as an OGC API collection: registry facts only; no contact person, phone or legal
representative (personal data stay behind the employer API's own checks)."""
from geo.core.features import Collection
from geo.core.text import Text

EMPLOYERS = Collection(
    id="employers", title=Text("ogc.collection.employers"),
    description=Text("ogc.collection.employers.about"),
    table="employers", geometry="geom",
    properties=(("credit_code", "t.credit_code"), ("name", "t.name"),
                ("industry", "t.industry"), ("employees", "t.employees"),
                ("grade", "t.grade"), ("county_adcode", "t.county_adcode"),
                ("grid_id", "t.grid_id"), ("location_precision", "t.location_precision"),
                ("last_inspected_at", "t.last_inspected_at")),
    county="t.county_adcode", where="t.geom IS NOT NULL",
)

"""Response schemas declared once (pydantic) are published and kept by the answers."""
from __future__ import annotations

from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from tests.conftest import bearer
from tests.dispatch_fixtures import committed, metres_east  # noqa: F401 (a fixture)

ZHENGZHOU = (113.62, 34.75)


def _validator(doc: dict, name: str) -> OAS30Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return OAS30Validator(schema)


def test_declared_answers_are_in_the_document(client):
    doc = client.get("/api/openapi.json").get_json()
    validate(doc)
    ops = doc["paths"]
    ok = ops["/api/v1/inspections/{inspection_id}/recommendations"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Recommendation"}
    schemas = doc["components"]["schemas"]
    assert {"Recommendation", "Team", "Excluded", "Inspection", "InspectionList"} <= set(schemas)
    assert schemas["Inspection"]["properties"]["due_at"]["nullable"] is True
    assert "pending" in schemas["Inspection"]["properties"]["status"]["enum"]


def test_real_answers_match_their_schemas_and_a_wrong_one_does_not(client, tokens, committed):
    doc = client.get("/api/openapi.json").get_json()
    lon, lat = ZHENGZHOU
    for metres in (100, 200, 300):
        committed.inspector(lon=metres_east(lon, lat, metres)[0], lat=lat)
    inspection = committed.inspection(lon=lon, lat=lat)
    headers = bearer(tokens["dispatcher"])
    answers = {
        "Recommendation": client.get(f"/api/v1/inspections/{inspection}/recommendations",
                                     headers=headers).get_json(),
        "Inspection": client.get(f"/api/v1/inspections/{inspection}", headers=headers).get_json(),
        "InspectionList": client.get("/api/v1/inspections?status=pending&area=410102",
                                     headers=headers).get_json(),
    }
    assert answers["Recommendation"]["teams"], answers["Recommendation"]
    for name, answer in answers.items():
        errors = list(_validator(doc, name).iter_errors(answer))
        assert errors == [], (name, [e.message for e in errors])
    broken = dict(answers["Inspection"], status="lost", officer_ids="none")
    assert len(list(_validator(doc, "Inspection").iter_errors(broken))) == 2

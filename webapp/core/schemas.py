"""Response schemas, declared once as pydantic models and published in /api/openapi.json.

`@returns(Model)` on a view documents its success answer; schemathesis
(tests/webapp/test_api_fuzz.py) checks every answer it receives against that schema, so
a declared shape that the code does not keep fails the suite. Models are converted to
OpenAPI 3.0 (pydantic writes JSON Schema 2020-12: `anyOf [X, null]` becomes
`nullable`, `$defs` become components).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from dispatch.inspections.models import INSPECTION_KINDS, INSPECTION_STATUSES, PRIORITIES

REF = "#/components/schemas/{model}"


class Schema(BaseModel):
    """Answers may carry more fields than declared (additions are not breaking)."""

    model_config = ConfigDict(extra="allow")


class InspectionSummary(Schema):
    """An inspection as lists show it."""

    id: int
    kind: Literal[INSPECTION_KINDS]  # type: ignore[valid-type]
    status: Literal[INSPECTION_STATUSES]  # type: ignore[valid-type]
    priority: Literal[PRIORITIES]  # type: ignore[valid-type]
    description: str | None
    employer_id: int | None
    employer: str | None
    county_adcode: str
    lon: float
    lat: float
    created_at: str
    due_at: str | None
    version: int
    officer_ids: list[int]  # the active team


class Inspection(InspectionSummary):
    """One inspection in full."""

    complaint_id: int | None
    closed_reason: str | None


class InspectionList(Schema):
    items: list[InspectionSummary]


class TeamMember(Schema):
    id: int
    name: str
    status: str
    distance_m: int | None  # from the site, where the officer's position is known


class BoardItem(Schema):
    """An inspection as the dispatcher's console shows it."""

    id: int
    kind: Literal[INSPECTION_KINDS]  # type: ignore[valid-type]
    status: Literal[INSPECTION_STATUSES]  # type: ignore[valid-type]
    priority: Literal[PRIORITIES]  # type: ignore[valid-type]
    tab: Literal["waiting", "assigned", "on_site", "done"]
    description: str | None
    employer: str | None
    county_adcode: str
    county: str | None
    lon: float
    lat: float
    created_at: str
    due_at: str | None
    assigned_at: str | None
    closed_at: str | None
    team: list[TeamMember]
    eta_min: int | None  # minutes until the farthest member still travelling arrives


class Board(Schema):
    area: str
    tab: str
    counts: dict[str, int]  # every tab
    items: list[BoardItem]


class Team(Schema):
    officer_ids: list[int]
    distance_m: float
    eta_min: float
    tier: int
    reasons: list[str]  # in the reader's language
    why: str  # one line: why the team ranks where it does


class Excluded(Schema):
    officer_id: int
    reason: str  # in the reader's language


class Recommendation(Schema):
    inspection_id: int
    status: Literal[INSPECTION_STATUSES]  # type: ignore[valid-type]
    teams: list[Team]
    candidates: int
    excluded: list[Excluded]
    outside_territory: int  # nearby inspectors of other counties (a cross-county request)


def returns(model: type[BaseModel]):
    """Document the JSON a view answers on success (see the module docstring)."""
    def deco(fn):
        fn.response_model = model
        return fn
    return deco


def components(models: set[type[BaseModel]]) -> dict[str, dict]:
    """OpenAPI 3.0 schemas of `models` and of every model they use."""
    out: dict[str, dict] = {}
    for model in sorted(models, key=lambda m: m.__name__):
        schema = model.model_json_schema(ref_template=REF, mode="serialization")
        for name, sub in schema.pop("$defs", {}).items():
            out[name] = to_openapi30(sub)
        out[model.__name__] = to_openapi30(schema)
    return out


def to_openapi30(node: Any) -> Any:
    """JSON Schema 2020-12 (pydantic) → the OpenAPI 3.0 dialect."""
    if isinstance(node, list):
        return [to_openapi30(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: to_openapi30(v) for k, v in node.items() if k != "title"}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    options = node.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        node.pop("anyOf")
        if len(rest) == 1 and "$ref" not in rest[0]:
            node.update(rest[0])
        else:
            node["anyOf"] = rest
        node["nullable"] = True
    return node

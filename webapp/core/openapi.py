"""The OpenAPI 3 document, generated from the registered routes and their declarations."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from webapp.core.apidoc import accepts, errors, succeeds  # noqa: F401 (re-exported)
from webapp.core.auth import PUBLIC, public
from webapp.core.schemas import components

bp = Blueprint("openapi", __name__)
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "details": {"type": "object"}},
    }},
}
STATUS_TEXT = {"200": "OK", "201": "Created", "204": "Done, nothing to return",
               "400": "Malformed parameter (named in the message)", "401": "Not signed in",
               "403": "Role not allowed", "404": "Unknown resource",
               "409": "Conflict with the current state (reload and retry)",
               "413": "Upload larger than the limit", "415": "Not a supported file type",
               "422": "Breaks a rule (the message says which)", "429": "Too many attempts",
               "503": "Database unreachable or the request ran too long (see Retry-After)"}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def build_document() -> dict:
    """Paths for every /api and /healthz route, with roles, parameters and error shapes."""
    paths: dict[str, dict] = {}
    models = set()
    for rule in current_app.url_map.iter_rules():
        if not (rule.rule.startswith("/api/") or rule.rule == "/healthz"):
            continue
        view = current_app.view_functions[rule.endpoint]
        access = getattr(view, "access", None)
        path, path_params = _path(rule.rule)
        doc = (view.__doc__ or rule.endpoint).strip().splitlines()[0]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "summary": doc,
                "parameters": path_params + [p.openapi() for p in getattr(view, "query_params", ())],
            }
            writes = method in ("POST", "PUT", "PATCH", "DELETE")
            schema = getattr(view, "request_schema", None)
            if schema is not None and method in ("POST", "PUT", "PATCH"):
                if not schema["required"]:
                    schema = {k: v for k, v in schema.items() if k != "required"}
                content_type = getattr(view, "request_content_type", "application/json")
                op["requestBody"] = {"required": True,
                                     "content": {content_type: {"schema": schema}}}
            # Every answer an operation can give: input is checked for every request (400),
            # the database may be unreachable (503), writes can conflict or break a rule.
            statuses = {getattr(view, "success_status", "200"), "400", "503"}
            if op["parameters"] or writes:  # an unknown id, area or grid named in the request
                statuses.add("404")
            if writes:
                statuses |= {"409", "422"}
            if access != PUBLIC:
                op["security"] = [{"bearer": []}, {"session": []}]
                op["x-roles"] = list(access or ())
                statuses |= {"401", "403"}
            statuses |= set(getattr(view, "error_statuses", ()))
            model = getattr(view, "response_model", None)
            if model is not None:
                models.add(model)
            op["responses"] = {s: _ok(s, model) if s in ("200", "201", "204") else _error(s)
                               for s in sorted(statuses)}
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "Liangwang API", "version": "1",
                 "description": "Labour-security inspection grid and dispatch platform (两网)."},
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {"Error": ERROR_SCHEMA, **components(models)},
        },
    }


def _ok(status: str, model=None) -> dict:
    if model is None or status == "204":
        return {"description": STATUS_TEXT[status]}
    return {"description": STATUS_TEXT[status], "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}


def _error(status: str) -> dict:
    return {"description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


@bp.get("/api/openapi.json")
@public
def openapi_document():
    """This document."""
    return jsonify(build_document())

"""The OpenAPI 3 document, generated from the registered routes and their declarations."""
from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify

from webapp.auth import PUBLIC, public

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
STATUS_TEXT = {"400": "Malformed parameter (named in the message)", "401": "Not signed in",
               "403": "Role not allowed", "404": "Unknown resource",
               "409": "Conflict with the current state (reload and retry)",
               "413": "Upload larger than the limit", "415": "Not a supported file type",
               "422": "Breaks a rule (the message says which)", "429": "Too many attempts"}


def accepts(properties: dict, required: tuple[str, ...] = (),
            content_type: str = "application/json"):
    """Document the body a view expects (the view still validates it itself)."""
    def deco(fn):
        fn.request_schema = {"type": "object", "properties": properties,
                             "required": list(required)}
        fn.request_content_type = content_type
        return fn
    return deco


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer" if conv == "int" else "string"}})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def build_document() -> dict:
    """Paths for every /api and /healthz route, with roles, parameters and error shapes."""
    paths: dict[str, dict] = {}
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
                "responses": {"200": {"description": "OK"}},
            }
            schema = getattr(view, "request_schema", None)
            if schema is not None and method in ("POST", "PUT", "PATCH"):
                if not schema["required"]:
                    schema = {k: v for k, v in schema.items() if k != "required"}
                content_type = getattr(view, "request_content_type", "application/json")
                op["requestBody"] = {"required": True,
                                     "content": {content_type: {"schema": schema}}}
                op["responses"]["400"] = _error("400")
            for status in ("400", "404") if op["parameters"] else ():
                op["responses"][status] = _error(status)
            for status in getattr(view, "error_statuses", ()):
                op["responses"][status] = _error(status)
            if access != PUBLIC:
                op["security"] = [{"bearer": []}, {"session": []}]
                op["x-roles"] = list(access or ())
                op["responses"]["401"] = _error("401")
                op["responses"]["403"] = _error("403")
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
            "schemas": {"Error": ERROR_SCHEMA},
        },
    }


def _error(status: str) -> dict:
    return {"description": STATUS_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


@bp.get("/api/openapi.json")
@public
def openapi_document():
    """This document."""
    return jsonify(build_document())

"""JSON request bodies: a clear 400 for anything that is not the expected object."""
from __future__ import annotations

from typing import Any

from flask import request

from geo.errors import InvalidInput

_MISSING = object()


def json_object() -> dict:
    """The request body as a JSON object, or 400 saying what is wrong."""
    if not request.is_json:
        raise InvalidInput("send a JSON object with Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body is not a JSON object (malformed JSON?)")
    return body


def field(body: dict, name: str, kind: type | tuple = str, *, required: bool = True,
          choices: tuple | None = None, default: Any = None) -> Any:
    """One field of a JSON body, type-checked, with the field named in every error."""
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise InvalidInput(f"'{name}' is required", {"parameter": name})
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise InvalidInput(f"'{name}' must be {_name(kinds)}", {"parameter": name})
    if not isinstance(value, kinds):
        raise InvalidInput(f"'{name}' must be {_name(kinds)}", {"parameter": name})
    if choices is not None and value not in choices:
        raise InvalidInput(f"'{name}' must be one of {', '.join(map(str, choices))}",
                           {"parameter": name})
    return value


def _name(kinds: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             dict: "an object", list: "a list"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)

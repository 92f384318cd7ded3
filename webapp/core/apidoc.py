"""What a view declares about itself for the OpenAPI document: body, success and errors.

No imports from the rest of webapp, so any module (auth included) can use it.
"""
from __future__ import annotations


def accepts(properties: dict, required: tuple[str, ...] = (),
            content_type: str = "application/json", status: str | None = None):
    """Document the body a view expects and its success status (the view validates the body)."""
    def deco(fn):
        fn.request_schema = {"type": "object", "properties": properties,
                             "required": list(required)}
        fn.request_content_type = content_type
        if status is not None:
            fn.success_status = status
        return fn
    return deco


def errors(*statuses: str):
    """Document error statuses a view answers besides the usual ones."""
    def deco(fn):
        fn.error_statuses = statuses
        return fn
    return deco


def succeeds(status: str):
    """Document a success status other than 200 (201 Created, 204 No Content)."""
    def deco(fn):
        fn.success_status = status
        return fn
    return deco

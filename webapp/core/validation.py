"""Every request's input checked in one place before any view sees it.

JSON bodies are parsed by a strict provider (no NaN/Infinity, bounded nesting, finite
numbers, integers that fit 64 bits, no control characters or lone surrogates in any
string); query strings, form fields and path segments are checked for control
characters by a before-request hook. Views then type- and range-check single fields
(webapp.body.field, webapp.params.Param).
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, has_request_context, request
from flask.json.provider import DefaultJSONProvider

from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.core.i18n import language

# C0 controls other than tab/newline/return, DEL, C1 controls, lone surrogates, non-characters.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# In a single-line value (query parameter, form field, path) tab and newlines are refused too.
_FORBIDDEN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
INT64 = 2 ** 63
MAX_NUMBER = 1e15  # far beyond any coordinate, count or amount the product stores


def text_problem(value: str, *, single_line: bool = False) -> Text | None:
    """Why a string cannot be stored, or None."""
    found = (_FORBIDDEN_LINE if single_line else _FORBIDDEN_TEXT).search(value)
    if found is None:
        return None
    return Text("webapp.input.control_character", code=f"{ord(found.group()):04X}")


def printable(value: str, limit: int = 40) -> str:
    """A name safe to echo in an error: control characters spelled out, length bounded."""
    return value[:limit].encode("unicode_escape").decode("ascii")[:limit * 2]


def _refuse_constant(name: str):
    raise InvalidInput(Text("webapp.input.not_json_number", name=name))


def check_json(value: Any, max_depth: int) -> None:
    """Walk a parsed JSON value without recursion; raise InvalidInput naming the first problem."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise InvalidInput(Text("webapp.input.nested_levels", max_depth=max_depth),
                                   {"path": path})
            if isinstance(item, dict):
                for key, child in item.items():
                    why = text_problem(key, single_line=True)
                    if why:
                        shown = printable(key)
                        raise InvalidInput(Text("webapp.input.key_problem", name=shown,
                                                where=_name(path), why=why),
                                           {"parameter": shown})
                    stack.append((child, f"{path}.{key}", depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            why = text_problem(item)
            if why:
                raise InvalidInput(Text("webapp.input.string_problem", name=_name(path), why=why),
                                   {"parameter": _name(path)})
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -INT64 < item < INT64:
                raise InvalidInput(Text("webapp.input.too_large_number", name=_name(path)),
                                   {"parameter": _name(path)})
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput(Text("webapp.input.not_finite", name=_name(path)),
                               {"parameter": _name(path)})


def _name(path: str) -> str:
    name = path[2:] if path.startswith("$.") else path
    return name if len(name) <= 120 else name[:117] + "..."


# Python's JSON parser messages (json.decoder), each with its catalog text.
JSON_PROBLEMS = {
    "Expecting value": "expecting_value",
    "Expecting property name enclosed in double quotes": "expecting_property_name",
    "Expecting ':' delimiter": "expecting_colon", "Expecting ',' delimiter": "expecting_comma",
    "Extra data": "extra_data", "Unterminated string starting at": "unterminated_string",
    "Invalid control character at": "invalid_control_character",
    "Invalid \\escape": "invalid_escape", "Invalid \\uXXXX escape": "invalid_unicode_escape",
    "Illegal trailing comma before end of object": "trailing_comma_object",
    "Illegal trailing comma before end of array": "trailing_comma_array",
}


def malformed_json(exc: ValueError) -> Text:
    """What is wrong with a body that does not parse, and where (line, column, character)."""
    problem = JSON_PROBLEMS.get(getattr(exc, "msg", None))
    if isinstance(exc, json.JSONDecodeError) and problem:
        return Text("webapp.input.malformed_json", problem=Text(f"webapp.json_problem.{problem}"),
                    line=exc.lineno, column=exc.colno, char=exc.pos)
    return Text("webapp.input.malformed_json_other", detail=str(exc))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with every request body checked (see the module docstring)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, parse_constant=_refuse_constant, **kwargs)
        except RecursionError:
            raise InvalidInput(Text("webapp.input.nested_too_deeply")) from None
        except ValueError as exc:  # includes JSONDecodeError and over-long integer literals
            raise InvalidInput(malformed_json(exc)) from None
        if has_request_context():  # request bodies only; answers and test clients parse freely
            check_json(value, self._app.extensions["liangwang"]["settings"].max_json_depth)
        return value

    @staticmethod
    def default(o: Any) -> Any:
        """A Text in an answer (a reason, a problem) is written in the reader's language."""
        if isinstance(o, Text):
            return o.render(language())
        return DefaultJSONProvider.default(o)


def _check_request() -> None:
    """Refuse control characters in the path, query string, form fields and file names."""
    files = [(name, upload.filename) for name, upload in request.files.items(multi=True)] \
        if request.files else []
    for where, values in (("path", [("path", request.path)]),
                          ("query", request.args.items(multi=True)),
                          ("form", request.form.items(multi=True) if request.form else ()),
                          ("file", files)):
        for name, value in values:
            name = name or ""  # a multipart part can come without a usable name
            for part in (name, value or ""):
                why = text_problem(part, single_line=True)
                if why:
                    shown = printable(name)
                    raise InvalidInput(Text("webapp.input.request_problem", name=shown, why=why,
                                            where=Text(f"webapp.input.where.{where}")),
                                       {"parameter": shown})


def register(app: Flask) -> None:
    """Call after webapp.auth.register: a request refused at the door is never parsed."""
    app.json = StrictJSONProvider(app)
    app.json.ensure_ascii = False
    app.before_request(_check_request)

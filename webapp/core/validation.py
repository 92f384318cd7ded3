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

from geo.core.text import Text
from geo.core.errors import InvalidInput
from webapp.core.i18n import language

# C0 controls other than tab/newline/return, DEL, C1 controls, lone surrogates, non-characters.
_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# In a single-line value (query parameter, form field, path) tab and newlines are refused too.
_FORBIDDEN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
INT64 = 2 ** 63
MAX_NUMBER = 1e15  # far beyond any coordinate, count or amount the product stores


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """Why a string cannot be stored, or None."""
    found = (_FORBIDDEN_LINE if single_line else _FORBIDDEN_TEXT).search(value)
    if found is None:
        return None
    return f"contains the control character U+{ord(found.group()):04X}"


def printable(value: str, limit: int = 40) -> str:
    """A name safe to echo in an error: control characters spelled out, length bounded."""
    return value[:limit].encode("unicode_escape").decode("ascii")[:limit * 2]


def _refuse_constant(name: str):
    raise InvalidInput(f"{name} is not a number JSON allows; send a finite number")


def check_json(value: Any, max_depth: int) -> None:
    """Walk a parsed JSON value without recursion; raise InvalidInput naming the first problem."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                raise InvalidInput(f"the JSON body is nested more than {max_depth} levels deep",
                                   {"path": path})
            if isinstance(item, dict):
                for key, child in item.items():
                    why = text_problem(key, single_line=True)
                    if why:
                        shown = printable(key)
                        raise InvalidInput(f"the key '{shown}' in {_name(path)} {why}",
                                           {"parameter": shown})
                    stack.append((child, f"{path}.{key}", depth + 1))
            else:
                stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            why = text_problem(item)
            if why:
                raise InvalidInput(f"{_name(path)} {why}; remove it and send again",
                                   {"parameter": _name(path)})
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -INT64 < item < INT64:
                raise InvalidInput(f"{_name(path)} is too large a number",
                                   {"parameter": _name(path)})
        elif isinstance(item, float) and not math.isfinite(item):
            raise InvalidInput(f"{_name(path)} is not a finite number", {"parameter": _name(path)})


def _name(path: str) -> str:
    name = path[2:] if path.startswith("$.") else path
    return name if len(name) <= 120 else name[:117] + "..."


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with every request body checked (see the module docstring)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, parse_constant=_refuse_constant, **kwargs)
        except RecursionError:
            raise InvalidInput("the JSON body is nested too deeply") from None
        except ValueError as exc:  # includes JSONDecodeError and over-long integer literals
            raise InvalidInput(f"the body is malformed JSON: {exc}") from None
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
                    raise InvalidInput(f"{where} parameter '{shown}' {why}", {"parameter": shown})


def register(app: Flask) -> None:
    """Call after webapp.auth.register: a request refused at the door is never parsed."""
    app.json = StrictJSONProvider(app)
    app.json.ensure_ascii = False
    app.before_request(_check_request)

"""Query parameters declared once: parsed (400 naming the parameter) and documented in OpenAPI."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import request

from geo.core.errors import InvalidInput
from geo.core.text import Text
from webapp.core import territory
from webapp.core.body import INT32


@dataclass(frozen=True)
class Param:
    """One query parameter of an API route."""

    name: str
    description: str
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    type: str = "string"  # "string" | "number" | "integer"
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    max_length: int = 200

    def parse(self, raw: str | None) -> Any:
        if raw is None or raw == "":
            if self.required:
                raise InvalidInput(Text("webapp.param.required", name=self.name,
                                        description=self.description),
                                   {"parameter": self.name})
            return self.default
        if len(raw) > self.max_length:
            raise InvalidInput(Text("webapp.param.too_long", name=self.name,
                                    limit=self.max_length), {"parameter": self.name})
        if self.enum and raw not in self.enum:
            raise InvalidInput(Text("webapp.param.one_of", name=self.name,
                                    choices=", ".join(self.enum), value=repr(raw)),
                               {"parameter": self.name})
        if self.pattern and not re.fullmatch(self.pattern, raw):
            raise InvalidInput(Text("webapp.param.malformed", name=self.name,
                                    description=self.description, value=repr(raw)),
                               {"parameter": self.name})
        if self.type in ("number", "integer"):
            try:
                value = float(raw) if self.type == "number" else int(raw)
            except (ValueError, OverflowError):
                kind = Text("webapp.kind.float" if self.type == "number" else "webapp.kind.int")
                raise InvalidInput(Text("webapp.param.wrong_type", name=self.name, kind=kind,
                                        value=repr(raw)), {"parameter": self.name}) from None
            low, high = self.bounds()
            if not math.isfinite(value) or (low is not None and value < low) or \
                    (high is not None and value > high):
                none = Text("webapp.bound.none")
                raise InvalidInput(Text("webapp.param.between", name=self.name,
                                        low=none if low is None else low,
                                        high=none if high is None else high, value=repr(raw)),
                                   {"parameter": self.name})
            return value
        return raw

    def bounds(self) -> tuple[float | None, float | None]:
        """The declared range; an integer's open ends stop where a 32-bit column does."""
        if self.type == "integer":
            return (-INT32 if self.minimum is None else self.minimum,
                    INT32 - 1 if self.maximum is None else self.maximum)
        return self.minimum, self.maximum

    def openapi(self) -> dict:
        schema: dict[str, Any] = {"type": self.type}
        for key in ("enum", "pattern", "default"):
            value = getattr(self, key)
            if value is not None:
                schema[key] = list(value) if key == "enum" else value
        low, high = self.bounds()
        if self.type in ("number", "integer"):
            schema.update({k: v for k, v in (("minimum", low), ("maximum", high)) if v is not None})
        elif not self.enum:
            schema["maxLength"] = self.max_length
        return {"name": self.name, "in": "query", "required": self.required,
                "description": self.description, "schema": schema}


ADCODE = r"[0-9]{6}"


def query(*params: Param) -> Callable:
    """Parse these query parameters into keyword arguments of the view."""
    def deco(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            for p in params:
                raw = request.args.get(p.name)
                kwargs[p.name] = p.parse(raw)
                if p.name in territory.QUERY_PARAMS:  # area, county, grid: the user's territory
                    given = kwargs[p.name] if raw not in (None, "") else None
                    kwargs[p.name] = territory.scoped_param(p.name, given, p.default) \
                        or kwargs[p.name]
            return fn(*args, **kwargs)
        wrapper.query_params = params
        return wrapper
    return deco

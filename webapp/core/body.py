"""JSON request bodies: a clear 400 for anything that is not the expected object."""
from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import request

from geo.core.errors import InvalidInput
from geo.core.text import Joined, Text
from webapp.core.context import settings

_MISSING = object()
INT32 = 2 ** 31  # an `integer` column; ids and counts beyond it cannot exist


def json_object() -> dict:
    """The request body as a JSON object, or 400 saying what is wrong."""
    if not request.is_json:
        raise InvalidInput(Text("webapp.body.not_json"))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(Text("webapp.body.not_object"))
    return body


def field(body: dict, name: str, kind: type | tuple = str, *, required: bool = True,
          choices: tuple | None = None, default: Any = None, max_length: int | None = None,
          minimum: float | None = None, maximum: float | None = None,
          scope: str | None = None) -> Any:
    """One field of a JSON body, type-checked, with the field named in every error.

    `scope` names what the value (or each item of a list) refers to — "area", "employer",
    "grid", "officer", "team" (officers to send)… — and refuses it (403) outside the user's
    territory (webapp.core.territory).

    Strings are at most `max_length` characters (default: the free-text limit; pass the
    column's length for short columns); integers fit a 32-bit column unless a range is
    given; numbers are finite and within [minimum, maximum] when given.
    """
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise InvalidInput(Text("webapp.field.required", name=name), {"parameter": name})
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        raise InvalidInput(Text("webapp.field.wrong_type", name=name, kinds=_name(kinds)),
                           {"parameter": name})
    if isinstance(value, str):
        limit = max_length if max_length is not None else settings().max_text_length
        if len(value) > limit:
            raise InvalidInput(Text("webapp.field.too_long", name=name, limit=limit),
                               {"parameter": name, "max_length": limit})
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _check_number(name, value, minimum, maximum)
    if choices is not None and value not in choices:
        raise InvalidInput(Text("webapp.field.one_of", name=name,
                                choices=", ".join(map(str, choices))),
                           {"parameter": name})
    if scope is not None:
        from webapp.core import territory
        territory.scope_field(scope, value)
    return value


def _check_number(name: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if isinstance(value, int) and minimum is None and maximum is None:
        minimum, maximum = -INT32, INT32 - 1
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(Text("webapp.field.not_finite", name=name), {"parameter": name})
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise InvalidInput(Text("webapp.field.between", name=name, minimum=_fmt(minimum),
                                maximum=_fmt(maximum)),
                           {"parameter": name, "minimum": minimum, "maximum": maximum})


def _fmt(bound: float | None) -> str | Text:
    if bound is None:
        return Text("webapp.bound.any")
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def column_length(column) -> int:
    """The declared length of a String column (an ORM attribute such as User.username)."""
    return column.property.columns[0].type.length


KIND_NAMES = {str: "str", int: "int", float: "float", bool: "bool", dict: "dict", list: "list"}


def _name(kinds: tuple) -> Joined:
    """Kinds as one phrase: "a string or an integer", 字符串或整数."""
    return Joined((Text(f"webapp.kind.{KIND_NAMES[k]}") if k in KIND_NAMES else k.__name__
                   for k in kinds), "webapp.list.or")


MAX_MONEY = Decimal("1e13")  # yuan; above any contract, fine or fee


def money(body: dict, name: str, required: bool = True) -> Decimal | None:
    """An amount of yuan greater than 0 (number or numeric string), exact as a Decimal."""
    value = field(body, name, (int, float, str), required=required)
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(Text("webapp.field.money", name=name), {"parameter": name}) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_MONEY:
        raise InvalidInput(Text("webapp.field.money", name=name), {"parameter": name})
    return amount



def instant(body: dict, name: str, required: bool = False) -> datetime | None:
    """An ISO 8601 time with its time zone (2026-12-03T10:15:00+08:00)."""
    raw = field(body, name, required=required, max_length=40)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(Text("casework.error.instant_format", name=name),
                           {"parameter": name}) from None
    if value.tzinfo is None:
        raise InvalidInput(Text("casework.error.offset_required", name=name),
                           {"parameter": name})
    return value

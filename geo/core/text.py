"""Text a person reads: a message-catalog key and its values, rendered at the edge.

Services (geo, dispatch) never pick a language: they raise errors and return reasons
as `Text("error.employer_not_found", employer_id=7)`. The web layer renders each Text
in the reader's language when it writes the response (JSON or page); `str(text)` is
English, for logs and for code that needs a plain string.

The catalogs are JSON files under geo/core/messages/<language>/, one file per part of
the product (ui.json for pages, geo.json, dispatch.json, webapp.json for server text),
merged into one flat {key: template} table per language. Templates use str.format
fields (`{employer_id}`); a value that is itself a Text is rendered in the same
language, so a status or a kind inside a sentence is translated too.
"""
from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
MESSAGES = Path(__file__).resolve().parent / "messages"
log = logging.getLogger(__name__)


@cache
def catalog(language: str) -> dict[str, str]:
    """{key: template} of one language (every file of its folder; a key defined twice fails)."""
    merged: dict[str, str] = {}
    for path in sorted((MESSAGES / language).glob("*.json")):
        for key, template in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice ({path.name})")
            merged[key] = template
    return merged


class _Values(dict):
    """Format values: a Text renders in the same language; a missing field stays visible."""

    def __init__(self, values: dict, language: str):
        super().__init__(values)
        self.language = language

    def __getitem__(self, name):
        value = super().__getitem__(name)
        return value.render(self.language) if isinstance(value, Text) else value

    def __missing__(self, name):
        return "{" + name + "}"


class Text:
    """A sentence for a person: catalog key + values; rendered with `render(language)`."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: Any):  # a value may be called `key` too
        self.key = key
        self.values = values

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        template = catalog(language if language in LANGUAGES else DEFAULT_LANGUAGE).get(self.key)
        if template is None:
            log.warning("message key %r has no %s text", self.key, language)
            return self.key
        return template.format_map(_Values(self.values, language))

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Text({self.key!r}, **{self.values!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash(self.key)


class Joined(Text):
    """Several values in one sentence (statuses, roles, kinds), each rendered in the same
    language and joined by the template of the catalog key `separator` (", " / "、")."""

    __slots__ = ("items",)

    def __init__(self, items, separator: str):
        super().__init__(separator)
        self.items = tuple(items)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
        sep = catalog(lang).get(self.key, ", ")
        return sep.join(i.render(lang) if isinstance(i, Text) else str(i) for i in self.items)

    def __repr__(self) -> str:
        return f"Joined({self.items!r}, {self.key!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Joined) and (self.key, self.items) == (other.key, other.items)

    def __hash__(self) -> int:
        return hash((self.key, self.items))


def rendered(value: Any, language: str) -> Any:
    """`value` with every Text inside dicts, lists and tuples rendered in `language`."""
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, dict):
        return {k: rendered(v, language) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rendered(v, language) for v in value]
    return value


def choose_language(requested: str | None, accept_language: str | None = None,
                    default: str = DEFAULT_LANGUAGE) -> str:
    """The language to answer in: an explicit choice, else the best of Accept-Language
    (`zh-CN,zh;q=0.9,en;q=0.8`), else `default`."""
    if requested in LANGUAGES:
        return requested
    best, best_q = None, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best or (default if default in LANGUAGES else DEFAULT_LANGUAGE)


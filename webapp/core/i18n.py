"""The reader's language and the catalog lookups pages use (catalogs: geo/core/text.py).

The language is, in order: `?lang=` (the switch, remembered in a cookie), the cookie,
the best match of Accept-Language, the `language` setting (Chinese by default).
"""
from __future__ import annotations

from flask import Flask, g, has_request_context, request

from geo.core.text import LANGUAGES, Text, catalog, choose_language
from webapp.core.context import settings


def language() -> str:
    if not has_request_context():
        return settings().language if settings().language in LANGUAGES else "zh"
    if "language" not in g:
        g.language = choose_language(
            request.args.get("lang") or request.cookies.get("lang"),
            request.headers.get("Accept-Language"), settings().language)
    return g.language


def t(key: str | Text, **values) -> str:
    """The reader's text for a catalog key (or a Text)."""
    text = key if isinstance(key, Text) else Text(key, **values)
    return text.render(language())


def strings(prefix: str = "") -> dict[str, str]:
    """Every catalog text whose key starts with `prefix`, in the reader's language (for JS)."""
    return {k: v for k, v in catalog(language()).items() if k.startswith(prefix)}


def register(app: Flask) -> None:
    @app.context_processor
    def inject():
        return {"t": t, "lang": language()}

    @app.after_request
    def remember_language(resp):
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            resp.set_cookie("lang", lang, samesite="Lax", httponly=True)
        resp.vary.add("Accept-Language")
        return resp

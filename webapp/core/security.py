"""Response headers: the browser itself refuses anything from another host.

Inline scripts run only with this response's nonce (`csp_nonce()` in templates), so markup
that reached a page from stored text can never run, even if it escaped its escaping.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlparse

from flask import Flask, g

from webapp.core.context import settings


def csp_nonce() -> str:
    """The nonce of this response's inline scripts (made on first use, new every request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_hex(16)  # hex: never spells "http" in the header
    return g.csp_nonce


def content_security_policy(tile_url: str | None, nonce: str | None = None) -> str:
    img = "'self' data:"
    if tile_url:
        parsed = urlparse(tile_url.replace("{s}", "a"))
        img += f" {parsed.scheme}://{parsed.netloc.split('{')[0] or parsed.netloc}"
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    # Leaflet and folium set style attributes and <style> blocks; styles cannot run code.
    return (f"default-src 'self'; script-src {script}; "
            "style-src 'self' 'unsafe-inline'; font-src 'self'; "
            f"img-src {img}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'; object-src 'none'")


def register(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def headers(resp):
        resp.headers.setdefault("Content-Security-Policy",
                                content_security_policy(settings().tile_url, g.get("csp_nonce")))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

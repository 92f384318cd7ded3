"""Response headers: the browser itself refuses anything from another host."""
from __future__ import annotations

from urllib.parse import urlparse

from flask import Flask

from webapp.context import settings


def content_security_policy(tile_url: str | None) -> str:
    img = "'self' data:"
    if tile_url:
        parsed = urlparse(tile_url.replace("{s}", "a"))
        img += f" {parsed.scheme}://{parsed.netloc.split('{')[0] or parsed.netloc}"
    # folium writes its map set-up as inline script; everything else is same-origin.
    return ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; font-src 'self'; "
            f"img-src {img}; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            "form-action 'self'")


def register(app: Flask) -> None:
    @app.after_request
    def headers(resp):
        resp.headers.setdefault("Content-Security-Policy",
                                content_security_policy(settings().tile_url))
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

"""Rate limits for the public portal (Flask-Limiter): per client address, in each web worker's
memory (so N workers admit up to N × the limit; a shared store needs Redis or memcached).
One limiter per app, so apps made in one process (tests) do not share counts or limits."""
from __future__ import annotations

from flask import Blueprint, Flask
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from geo.core.text import Text
from webapp.core.errors import error_response


def register(app: Flask, blueprints: tuple[Blueprint, ...], per_minute: int) -> Limiter:
    """Limit every route of these blueprints to `per_minute` requests per client address."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://",
                      headers_enabled=True, default_limits=[])
    for bp in blueprints:
        limiter.limit(f"{per_minute}/minute")(bp)
    app.extensions["liangwang"]["limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded):
        # Flask-Limiter adds Retry-After (seconds to the window's end) and X-RateLimit-*.
        return error_response(429, "too_many_requests", Text("public.error.rate_limited"))
    return limiter

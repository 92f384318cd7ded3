"""Domain errors; webapp maps each to an HTTP status in one place.

The message is a `Text` (catalog key and values), rendered in the reader's language
when the web layer answers; `str(error)` is the English text.
"""
from __future__ import annotations

from geo.core.text import Text


class DomainError(Exception):
    """Base: carries a machine code, a human message and optional details."""

    status = 400
    code = "bad_request"

    def __init__(self, message: Text | str, details: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.details = details or {}


class InvalidInput(DomainError):
    status = 400
    code = "invalid_parameter"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"

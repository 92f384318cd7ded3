"""The public portal's pages (政务公开) — blueprint "public_pages" (registered and rate-limited
in webapp/__init__.py)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public_pages", __name__)

"""Run Alembic migrations programmatically."""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from geo.core.config import ROOT


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str) -> None:
    """Bring the schema at `url` to the newest revision."""
    command.upgrade(alembic_config(url), "head")

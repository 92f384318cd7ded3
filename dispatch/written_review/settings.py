"""Written-review settings, each overridable by LIANGWANG_REVIEW_<NAME>: which employers a
campaign takes in by default (a campaign may narrow or widen them)."""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from geo.core.config import EnvSettings


class ReviewSettings(EnvSettings):
    model_config = SettingsConfigDict(env_prefix="LIANGWANG_REVIEW_", frozen=True,
                                      extra="ignore", populate_by_name=True)

    min_employees: int = 10                     # employers of this size and up
    industries: tuple[str, ...] = ()            # GB/T 4754 sections; empty: every industry
    grades: tuple[str, ...] = ()                # A, B, C, unrated; empty: every grade

"""Referral settings, each overridable by LIANGWANG_REFERRAL_<NAME>.

The departments a referral may go to are a setting (codes; each needs its name in the
catalogs as `referral.department.<code>`): by default 住建, 交通, 水利, 教育, 公安, 市场监管,
法院, another jurisdiction (异地) and other departments.
"""
from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from geo.core.config import EnvSettings

DEFAULT_DEPARTMENTS = ("housing", "transport", "water", "education", "public_security",
                       "market", "court", "jurisdiction", "other")


class ReferralSettings(EnvSettings):
    model_config = SettingsConfigDict(env_prefix="LIANGWANG_REFERRAL_", frozen=True,
                                      extra="ignore", populate_by_name=True)

    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS
    receipt_working_days: int = 3      # the receiving side signs for it within this
    feedback_working_days: int = 15    # the default deadline for feedback
    remind_every_working_days: int = 2  # a reminder is due this long after the last

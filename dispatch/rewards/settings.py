"""Tip-reward settings, each overridable by LIANGWANG_REWARD_<NAME>.

Henan's rule (2008): a true tip that leads to a penalty is rewarded with 2–5 % of the fine,
no less than ¥200 and no more than ¥2,000 per case, paid after the case closes. The floor
wins over the rate: a fine of ¥3,000 gives ¥200 although 5 % of it is ¥150.
"""
from __future__ import annotations

from decimal import Decimal

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from geo.core.config import EnvSettings


class RewardSettings(EnvSettings):
    model_config = SettingsConfigDict(env_prefix="LIANGWANG_REWARD_", frozen=True,
                                      extra="ignore", populate_by_name=True)

    min_rate: Decimal = Decimal("0.02")
    max_rate: Decimal = Decimal("0.05")
    floor: Decimal = Decimal("200")     # yuan per case
    cap: Decimal = Decimal("2000")      # yuan per case
    pay_working_days: int = 30          # paid within this many working days of approval

    @model_validator(mode="after")
    def _ordered(self) -> "RewardSettings":
        if not (0 < self.min_rate <= self.max_rate < 1 and 0 < self.floor <= self.cap):
            raise ValueError("reward settings need 0 < min_rate <= max_rate < 1 and "
                             "0 < floor <= cap")
        return self

"""Wage-security settings (local practice), each overridable by LIANGWANG_WAGE_<NAME>.

Deposit (工资保证金): contract value × rate, the rate within [min_rate, max_rate] (1–3 % by
Henan practice). A general contractor with no wage arrears in the last `clean_years` (and a
record at least that long) pays `base_rate × clean_factor`, and is exempt after
`exempt_clean_years` (0: never); one with arrears in the last `arrears_years` pays
`base_rate × arrears_factor`. Every rate is clamped to the range.

Warnings: each rule gives a reason at a level (yellow < orange < red); a project's level is
its highest reason's, raised to red when `escalate_orange` reasons are orange or worse.
"""
from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Literal

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from geo.core.config import EnvSettings

Level = Literal["yellow", "orange", "red"]
RANK = {"yellow": 1, "orange": 2, "red": 3}


class WageSettings(EnvSettings):
    model_config = SettingsConfigDict(env_prefix="LIANGWANG_WAGE_", frozen=True,
                                      extra="ignore", populate_by_name=True)

    min_rate: Decimal = Decimal("0.01")
    max_rate: Decimal = Decimal("0.03")
    base_rate: Decimal = Decimal("0.02")
    clean_years: int = 2              # no arrears for this long: the rate is lowered
    clean_factor: Decimal = Decimal("0.5")
    exempt_clean_years: int = 3       # no arrears for this long: exempt (0 = never)
    arrears_years: int = 2            # arrears within this long: the rate is raised
    arrears_factor: Decimal = Decimal("1.5")
    top_up_working_days: int = 10     # 补足: working days to top up after a draw-down
    payment_grace_days: int = 10      # a month's labour cost is due this many days after it
    complaint_days: int = 90          # complaints about the project or its builders counted
    complaints_red: int = 3           # this many complaints (or one mass incident): red
    report_days: int = 30             # grid-worker reports counted
    past_end_orange_days: int = 90    # building this long past the planned end: orange
    missing_months_red: int = 2       # labour-cost months missing: red from this many
    escalate_orange: int = 4          # this many orange-or-worse reasons make a red
    level_no_wage_account: Level = "orange"
    level_no_roster: Level = "orange"
    level_no_board: Level = "yellow"
    level_items_failed: Level = "yellow"
    level_full_pay_failed: Level = "red"
    level_deposit_outstanding: Level = "orange"
    level_top_up_overdue: Level = "red"
    level_labour_cost_missing: Level = "orange"
    level_complaints: Level = "orange"
    level_contractor_arrears: Level = "yellow"
    level_past_end: Level = "yellow"
    level_grid_report: Level = "orange"
    level_workers_gathering: Level = "red"

    @model_validator(mode="after")
    def _rates(self):
        if not (0 < self.min_rate <= self.base_rate <= self.max_rate < 1):
            raise ValueError("wage deposit rates must satisfy 0 < min_rate <= base_rate <= "
                             f"max_rate < 1; got {self.min_rate}, {self.base_rate}, "
                             f"{self.max_rate}")
        return self

    def levels(self) -> dict[str, str]:
        return {name[len("level_"):]: getattr(self, name) for name in type(self).model_fields
                if name.startswith("level_")}

    def fingerprint(self) -> str:
        return hashlib.md5(self.model_dump_json().encode()).hexdigest()

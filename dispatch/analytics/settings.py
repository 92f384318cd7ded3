"""Risk-model settings: factor weights, caps and warning thresholds (local practice).

Every number is a setting, overridable by LIANGWANG_RISK_<NAME> (e.g.
LIANGWANG_RISK_WEIGHT_COMPLAINTS=25); industry factors as
LIANGWANG_RISK_INDUSTRY_FACTORS="E:1,C:0.6" (GB/T 4754 section: 0–1).
"""
from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from dispatch.inspections.supervision import SupervisionSettings
from geo.core.config import EnvSettings

FACTORS = ("grade", "complaints", "violations", "wage_arrears", "social_insurance", "industry",
           "migrants", "inspection")
LEVELS = ("red", "orange", "yellow")  # early-warning levels, most severe first
# Construction (E) carries wage-arrears risk; labour dispatch (L) and manufacturing (C) follow.
DEFAULT_INDUSTRY = "E:1,L:0.6,C:0.6,H:0.5,A:0.4,G:0.4,O:0.4"


def _industry_factors(raw: str) -> dict[str, float]:
    out = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        code, _, value = part.partition(":")
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        if len(code.strip()) != 1 or not 0 <= number <= 1:
            raise ValueError("LIANGWANG_RISK_INDUSTRY_FACTORS must look like 'E:1,C:0.6' "
                             f"(section letter: factor 0–1); got {raw!r}.")
        out[code.strip().upper()] = number
    return out


class RiskSettings(EnvSettings):
    """Weights are points out of their sum (scaled to 100); factors are 0–1 each."""

    model_config = SettingsConfigDict(env_prefix="LIANGWANG_RISK_", frozen=True, extra="ignore")

    weight_grade: float = 20             # 守法诚信等级: C full, B `grade_b_share`, A none
    weight_complaints: float = 20        # complaints in the lookback window
    weight_violations: float = 15        # closed cases with a penalty or order to correct
    weight_wage_arrears: float = 15      # wage-arrears complaint, or unpaid wage deposit (E)
    weight_social_insurance: float = 10  # social-insurance complaint (arrears)
    weight_industry: float = 5
    weight_migrants: float = 5           # share of migrant workers
    weight_inspection: float = 10        # time since last inspection / grade interval
    grade_b_share: float = 0.5
    complaints_cap: float = 3            # this many complaints give full points
    violations_cap: float = 2
    violation_years: int = 3             # only cases closed this recently count
    lookback_days: int = 365             # complaint window
    red: float = 50                      # thresholds of the early-warning levels (demo: top
    orange: float = 35                   # ~0.05 %, ~0.5 % and ~5 % of employers)
    yellow: float = 25
    uninspected_days: int = 365          # KPI: high-risk (red) and not inspected this long
    industry_default: float = 0.2
    industry_factors: Annotated[dict[str, float], NoDecode] = Field(
        default_factory=lambda: _industry_factors(DEFAULT_INDUSTRY))
    supervision: SupervisionSettings = Field(default_factory=SupervisionSettings)

    @field_validator("industry_factors", mode="before")
    @classmethod
    def _parse_industry(cls, value):
        return _industry_factors(value or DEFAULT_INDUSTRY) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self):
        if sum(self.weights().values()) <= 0 or min(self.weights().values()) < 0:
            raise ValueError("LIANGWANG_RISK_WEIGHT_* must be non-negative with a positive sum")
        if not self.red >= self.orange >= self.yellow:
            raise ValueError("risk thresholds must satisfy red >= orange >= yellow")
        return self

    def weights(self) -> dict[str, float]:
        return {name: float(getattr(self, f"weight_{name}")) for name in FACTORS}

    def max_points(self) -> dict[str, float]:
        """Points each factor contributes at its maximum (they sum to 100)."""
        weights = self.weights()
        total = sum(weights.values())
        return {name: 100.0 * w / total for name, w in weights.items()}

    def level(self, score: float) -> str | None:
        for name in LEVELS:
            if score >= getattr(self, name):
                return name
        return None

    def fingerprint(self) -> str:
        """Changes when any setting changes, so cached scores are recomputed."""
        return hashlib.md5(repr(sorted(self.model_dump().items())).encode()).hexdigest()[:12]

    def sql_params(self) -> dict:
        """Bind parameters of geo.risk's scoring query."""
        codes = sorted(self.industry_factors)
        params = {f"k_{name}": points for name, points in self.max_points().items()}
        params.update(self.supervision.sql_params())
        params.update({
            "grade_b": self.grade_b_share, "complaints_cap": self.complaints_cap,
            "violations_cap": self.violations_cap, "violation_years": self.violation_years,
            "lookback_days": self.lookback_days, "ind_codes": codes,
            "ind_factors": [self.industry_factors[c] for c in codes],
            "ind_default": self.industry_default, "red": self.red, "orange": self.orange,
            "yellow": self.yellow,
        })
        return params

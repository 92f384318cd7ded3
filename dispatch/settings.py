"""Dispatch settings: local practice and unconfirmed numbers, never constants in code."""
from __future__ import annotations

from dataclasses import dataclass

from geo.core.config import numbers_from_env
from dispatch.inspections.supervision import SupervisionSettings

# Grade intervals are shared with geo (risk model, KPIs): one default, one env variable each.
_SUPERVISION = SupervisionSettings()


@dataclass(frozen=True)
class DispatchSettings:
    """Defaults from DOMAIN.md; each one overridable by an environment variable."""

    stale_position_min: float = 30            # positions older than this are not used
    urban_speed_kmh: float = 25               # ETA in districts (区)
    rural_speed_kmh: float = 45               # ETA in counties and county-level cities
    road_factor: float = 1.3                  # road distance / straight-line distance
    min_team_size: int = 2                    # 劳动保障监察条例 Art. 16
    case_limit_working_days: int = 60         # Art. 17
    case_extension_working_days: int = 30     # Art. 17, with approval
    acceptance_working_days: int = 5          # 部令第25号 Art. 18
    limitation_years: int = 2                 # Art. 20
    mass_incident_workers: int = 10           # local threshold for 群体性事件
    random_share: float = 0.05                # 双随机 default ratio
    grade_interval_days_a: int = _SUPERVISION.grade_interval_days_a  # 分类监管: A every 3 years
    grade_interval_days_b: int = _SUPERVISION.grade_interval_days_b  # B yearly
    grade_interval_days_c: int = _SUPERVISION.grade_interval_days_c  # C quarterly
    due_hours_urgent: float = 2
    due_hours_high: float = 24
    due_working_days_normal: int = 5
    deadline_warning_working_days: int = 10   # alert when a case is this close to its limit
    candidates: int = 40                      # nearest inspectors considered by KNN

    @classmethod
    def from_env(cls) -> "DispatchSettings":
        return cls(**numbers_from_env(cls))

    def grade_interval_days(self, grade: str) -> int:
        return self.supervision().interval_days(grade)

    def supervision(self) -> SupervisionSettings:
        """The grade intervals as the geo-level settings object (same env variables)."""
        return SupervisionSettings(self.grade_interval_days_a, self.grade_interval_days_b,
                                   self.grade_interval_days_c)

"""Dispatch settings: local practice and unconfirmed numbers, never constants in code."""
from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from dispatch.inspections.supervision import SupervisionSettings
from geo.core.config import EnvSettings

# Grade intervals are shared with the risk model and KPIs: one default, one env variable each.
_SUPERVISION = SupervisionSettings.model_fields

# Legal floors: a setting may make each stricter, never looser (name, stricter direction, law).
LEGAL_FLOORS = (
    ("min_team_size", "min", 2, "《劳动保障监察条例》第十六条: at least two inspectors"),
    ("case_limit_working_days", "max", 60, "《劳动保障监察条例》第十七条: 60 working days"),
    ("case_extension_working_days", "max", 30,
     "《劳动保障监察条例》第十七条: extension of at most 30 working days"),
    ("acceptance_working_days", "max", 5,
     "《关于实施〈劳动保障监察条例〉若干规定》第十八条: accept or refuse within 5 working days"),
    ("limitation_years", "min", 2,
     "《劳动保障监察条例》第二十条: violations are investigated for 2 years"),
)


class DispatchSettings(EnvSettings):
    """Defaults from DOMAIN.md; each one overridable by LIANGWANG_<NAME>. The legal
    minimums are floors (LEGAL_FLOORS): a looser value stops start-up naming the law."""

    stale_position_min: float = 30            # positions older than this are not used
    urban_speed_kmh: float = 25               # ETA in districts (区)
    rural_speed_kmh: float = 45               # ETA in counties and county-level cities
    road_factor: float = 1.3                  # road distance / straight-line distance
    min_team_size: int = 2                    # 劳动保障监察条例 Art. 16
    case_limit_working_days: int = 60         # Art. 17
    case_extension_working_days: int = 30     # Art. 17, with approval
    acceptance_working_days: int = 5          # 部令第25号 Art. 18
    info_request_working_days: int = 5        # 补正: working days the complainant is given
    limitation_years: int = 2                 # Art. 20
    mass_incident_workers: int = 10           # local threshold for 群体性事件
    min_grid_staff: int = 1                   # grid workers per grid (配齐; practice 1–2)
    random_share: float = 0.05                # 双随机 default ratio
    grade_interval_days_a: int = _SUPERVISION["grade_interval_days_a"].default  # 分类监管: A 3 years
    grade_interval_days_b: int = _SUPERVISION["grade_interval_days_b"].default  # B yearly
    grade_interval_days_c: int = _SUPERVISION["grade_interval_days_c"].default  # C quarterly
    unrated_as: Literal["A", "B", "C"] = _SUPERVISION["unrated_as"].default  # never graded: as B
    due_hours_urgent: float = 2
    due_hours_high: float = 24
    due_working_days_normal: int = 5
    deadline_warning_working_days: int = 10   # alert when a case is this close to its limit
    candidates: int = 40                      # nearest inspectors considered by KNN
    # 年审: days an annual review of the 执法证 stays valid; a certificate whose last review is
    # older than this is not certified for assignment (dispatch.officers.service.certified_sql).
    certificate_review_days: int = 365

    @model_validator(mode="after")
    def _legal_floors(self):
        for name, stricter, law_value, law in LEGAL_FLOORS:
            value = getattr(self, name)
            if (value < law_value) if stricter == "min" else (value > law_value):
                bound = "at least" if stricter == "min" else "at most"
                raise ValueError(f"{name} = {value} is looser than the law allows: it must be "
                                 f"{bound} {law_value} ({law})")
        return self

    def grade_interval_days(self, grade: str) -> int:
        return self.supervision().interval_days(grade)

    def supervision(self) -> SupervisionSettings:
        """The grade intervals as the geo-level settings object (same env variables)."""
        return SupervisionSettings(grade_interval_days_a=self.grade_interval_days_a,
                                   grade_interval_days_b=self.grade_interval_days_b,
                                   grade_interval_days_c=self.grade_interval_days_c,
                                   unrated_as=self.unrated_as)

"""The one settings object: read from the environment once, in create_app, passed down.

`AppSettings` is the territory layer's Settings plus one group per domain that has
numbers of local practice. Views read `settings().dispatch`, `settings().risk`, … and
pass the group to the service they call; no request reads the environment.
"""
from __future__ import annotations

from pydantic import Field

from dispatch.analytics.settings import RiskSettings
from dispatch.inspections.supervision import SupervisionSettings
from dispatch.projects.settings import WageSettings
from dispatch.referrals.settings import ReferralSettings
from dispatch.rewards.settings import RewardSettings
from dispatch.settings import DispatchSettings
from dispatch.written_review.settings import ReviewSettings
from geo.core.config import Settings
from geo.grids.settings import PlanningSettings
from geo.tiles.service import TileSettings


class AppSettings(Settings):
    planning: PlanningSettings = Field(default_factory=PlanningSettings)
    tiles: TileSettings = Field(default_factory=TileSettings)
    dispatch: DispatchSettings = Field(default_factory=DispatchSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    wage: WageSettings = Field(default_factory=WageSettings)
    reward: RewardSettings = Field(default_factory=RewardSettings)
    referral: ReferralSettings = Field(default_factory=ReferralSettings)
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    @property
    def supervision(self) -> SupervisionSettings:
        """Grade intervals (分类监管), the same values the dispatch and risk groups hold."""
        return self.risk.supervision

    @classmethod
    def promote(cls, settings: Settings) -> "AppSettings":
        """`settings` with every domain group added (read from the environment)."""
        if isinstance(settings, cls):
            return settings
        return cls.from_env(**settings.model_dump())

"""The sampling section: which callers are offered a survey."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from connect_survey.config.base import ConfigModel
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy


class SamplingSettings(ConfigModel):
    """Which callers are offered a survey: a sampled share, none surveyed within the cooldown."""

    percent: int = Field(
        default=100, ge=0, le=100, description="the share of callers offered a survey, 0 to 100"
    )
    cooldown_days: int = Field(
        default=0,
        ge=0,
        le=3650,
        description="days after an answer before the caller is asked again, 0 (off) to 3650",
    )
    withheld_numbers: Literal["offer", "skip"] = Field(
        default="offer", description="a caller whose number is withheld: offer or skip"
    )
    on_error: Literal["offer", "skip"] = Field(
        default="offer", description="when eligibility cannot be decided: offer or skip"
    )

    def policy(self) -> SamplingPolicy:
        return SamplingPolicy(
            percent=self.percent,
            cooldown_days=self.cooldown_days,
            withheld_numbers=self.withheld_numbers,
            on_error=self.on_error,
        )

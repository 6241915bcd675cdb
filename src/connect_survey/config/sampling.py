"""The sampling section: which callers are offered a survey."""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal, Self

from pydantic import Field, model_validator

from connect_survey.config.base import ConfigModel
from connect_survey.config.errors import setting_error
from connect_survey.lambda_asset.survey.sampling import WITHHELD_PATTERNS, SamplingPolicy

# Real numbers a withheld pattern must not match: a pattern that does would take callers with
# ordinary numbers for withheld (no callback, and no survey with withheldNumbers skip).
REAL_NUMBERS: Final = ("+15555550100", "+442071838750", "+821012345678")
# The patterns travel in the eligibility function's environment, which Lambda caps at 4 KB in
# all: a bounded list keeps room for the rest.
MAX_WITHHELD_PATTERNS: Final = 20
MAX_PATTERN_CHARACTERS: Final = 100


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
    withheld_patterns: list[Annotated[str, Field(max_length=MAX_PATTERN_CHARACTERS)]] = Field(
        default=list(WITHHELD_PATTERNS),
        max_length=MAX_WITHHELD_PATTERNS,
        description=f"up to {MAX_WITHHELD_PATTERNS} regular expressions (Python, at most "
        f"{MAX_PATTERN_CHARACTERS} characters each), each matched against the whole caller "
        "number, that mark it withheld besides a missing or non-digit one: carriers' "
        'placeholders such as "\\\\+?266696687" (ANONYMOUS on a keypad); left out, the known '
        "placeholders and numbers of fewer than 7 digits",
    )

    @model_validator(mode="after")
    def _patterns_are_regular_expressions(self) -> Self:
        for i, pattern in enumerate(self.withheld_patterns):
            try:
                compiled = re.compile(pattern)
            except re.error as error:
                raise setting_error(
                    f"withheldPatterns[{i}]",
                    f"{pattern!r} is not a regular expression ({error}); write one in Python's "
                    'syntax, e.g. "\\\\+?266696687"',
                ) from None
            real = next((number for number in REAL_NUMBERS if compiled.fullmatch(number)), None)
            if real is not None:
                raise setting_error(
                    f"withheldPatterns[{i}]",
                    f"{pattern!r} matches the real number {real}: callers with ordinary numbers "
                    "would count as withheld; match only the placeholder itself",
                )
        return self

    def policy(self) -> SamplingPolicy:
        return SamplingPolicy(
            percent=self.percent,
            cooldown_days=self.cooldown_days,
            withheld_numbers=self.withheld_numbers,
            on_error=self.on_error,
            withheld_patterns=tuple(self.withheld_patterns),
        )

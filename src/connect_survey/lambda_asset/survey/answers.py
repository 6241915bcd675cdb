"""What counts as a score: the one rule shared by the score handler and the finish fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .contract import (
    REASON_EMPTY,
    REASON_NOT_A_NUMBER,
    REASON_OUT_OF_RANGE,
    REASON_TIMEOUT,
    STORED_TIMEOUT,
)
from .exceptions import InvalidAnswerError

if TYPE_CHECKING:
    from .definition import SurveyDefinition


def parse_score(digits: str | None, survey: SurveyDefinition) -> int:
    """The score the caller keyed ("4", "4#", " 04 "), or InvalidAnswerError with the reason."""
    text = (digits or "").strip().removesuffix("#").strip()
    if not text:
        raise InvalidAnswerError(REASON_EMPTY)
    if text.casefold() == STORED_TIMEOUT.casefold():
        raise InvalidAnswerError(REASON_TIMEOUT)
    if not (text.isascii() and text.isdecimal()):
        raise InvalidAnswerError(REASON_NOT_A_NUMBER)
    # Compare lengths first so a caller holding a key down cannot make us parse a huge number.
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(survey.scale_max)):
        raise InvalidAnswerError(REASON_OUT_OF_RANGE)
    score = int(significant)
    if not survey.scale_min <= score <= survey.scale_max:
        raise InvalidAnswerError(REASON_OUT_OF_RANGE)
    return score

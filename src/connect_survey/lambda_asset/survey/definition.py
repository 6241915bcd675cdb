"""The survey as data: questions, scale, low-score threshold, attempts and input time limit.

Flows are rendered from it and handlers validate answers against it, so both read this one
model. The stack hands it to the handlers as JSON in the environment (`to_env`/`from_env`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping

Metric = Literal["csat", "nps", "ces"]
METRICS: Final[tuple[Metric, ...]] = ("csat", "nps", "ces")
# The metric a question feeds when its definition names none, by the seed's attribute names.
DEFAULT_METRICS: Final[Mapping[str, Metric]] = {
    "EffortScore": "ces",
    "PromoterScore": "nps",
    "SatisfactionScore": "csat",
}

QUESTION_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
ATTRIBUTE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_QUESTIONS = 10
MAX_ATTEMPTS = 5
MAX_INPUT_SECONDS = 30


class DefinitionError(ValueError):
    """Raised when a survey definition is invalid; `setting` names the offending key."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(f"{setting}: {message}")
        self.setting = setting
        self.message = message


@dataclass(frozen=True)
class Question:
    """One statement the caller rates; `attribute` is the contact attribute it fills."""

    key: str
    attribute: str
    prompt: str
    metric: Metric | None = None  # the aggregate (CSAT, NPS, CES) its answers feed, if any


@dataclass(frozen=True)
class MetricBands:
    """Which scores count as satisfied, promoter and detractor on one scale.

    1-5: CSAT and CES count 4-5 as satisfied; NPS promoters are 5, detractors 1-3.
    0-10: the standard NPS bands, promoters 9-10 and detractors 0-6; satisfied is 9-10.
    """

    satisfied_min: int
    promoter_min: int
    detractor_max: int


# The scales reports can compute metrics on: (min, max) -> bands.
METRIC_BANDS: Final[Mapping[tuple[int, int], MetricBands]] = {
    (1, 5): MetricBands(satisfied_min=4, promoter_min=5, detractor_max=3),
    (0, 10): MetricBands(satisfied_min=9, promoter_min=9, detractor_max=6),
}

DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question("effort", "EffortScore", "It was easy to get my issue handled.", "ces"),
    Question("recommend", "PromoterScore", "I would recommend us to a friend or colleague.", "nps"),
    Question(
        "satisfaction",
        "SatisfactionScore",
        "Overall I am very satisfied with the call I just had.",
        "csat",
    ),
)


@dataclass(frozen=True)
class SurveyDefinition:
    """The questions in order and the rules every answer is held to."""

    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    scale_min: int = 1
    scale_max: int = 5
    low_score_threshold: int = 3
    attempts: int = 3
    input_time_limit_seconds: int = 8
    path: str = field(default="survey", compare=False)

    def __post_init__(self) -> None:
        p = self.path
        if not 1 <= len(self.questions) <= MAX_QUESTIONS:
            raise DefinitionError(
                f"{p}.questions", f"list 1 to {MAX_QUESTIONS} questions, got {len(self.questions)}"
            )
        seen_keys: set[str] = set()
        seen_attributes: set[str] = set()
        for i, q in enumerate(self.questions):
            where = f"{p}.questions[{i}]"
            if not QUESTION_KEY_PATTERN.match(q.key):
                raise DefinitionError(
                    f"{where}.key",
                    f"{q.key!r} must be lower-case letters, digits or '-', starting with a "
                    "letter, at most 20 characters (it becomes part of flow action ids)",
                )
            if not ATTRIBUTE_PATTERN.match(q.attribute):
                raise DefinitionError(
                    f"{where}.attribute",
                    f"{q.attribute!r} must be letters, digits or '_', starting with a letter",
                )
            if not q.prompt.strip():
                raise DefinitionError(f"{where}.prompt", "give the statement the caller hears")
            if q.key in seen_keys:
                raise DefinitionError(f"{where}.key", f"{q.key!r} is used twice; keys are unique")
            if q.attribute in seen_attributes:
                raise DefinitionError(
                    f"{where}.attribute", f"{q.attribute!r} is used twice; attributes are unique"
                )
            if q.metric is not None and q.metric not in METRICS:
                raise DefinitionError(
                    f"{where}.metric",
                    f"{q.metric!r} is not a metric; use one of {', '.join(METRICS)} or null",
                )
            seen_keys.add(q.key)
            seen_attributes.add(q.attribute)
        if not 0 <= self.scale_min < self.scale_max <= 99:
            raise DefinitionError(
                f"{p}.scale",
                f"min {self.scale_min} and max {self.scale_max} must satisfy 0 <= min < max <= 99",
            )
        if not self.scale_min < self.low_score_threshold <= self.scale_max:
            raise DefinitionError(
                f"{p}.lowScoreThreshold",
                f"{self.low_score_threshold} must be above the scale minimum {self.scale_min} "
                f"and at most the maximum {self.scale_max} (a score below it is low)",
            )
        if not 1 <= self.attempts <= MAX_ATTEMPTS:
            raise DefinitionError(
                f"{p}.attempts", f"{self.attempts} must be between 1 and {MAX_ATTEMPTS}"
            )
        if not 1 <= self.input_time_limit_seconds <= MAX_INPUT_SECONDS:
            raise DefinitionError(
                f"{p}.inputTimeLimitSeconds",
                f"{self.input_time_limit_seconds} must be between 1 and {MAX_INPUT_SECONDS}",
            )

    @property
    def max_digits(self) -> int:
        """How many keys the longest valid answer takes."""
        return len(str(self.scale_max))

    @property
    def bands(self) -> MetricBands | None:
        """Score bands for CSAT/NPS/CES on this scale, or None if the scale has none."""
        return METRIC_BANDS.get((self.scale_min, self.scale_max))

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def is_low(self, score: int) -> bool:
        return score < self.low_score_threshold

    def to_env(self) -> str:
        """The compact JSON the handlers read from their environment (prompts left out)."""
        return json.dumps(
            {
                "questions": [{"key": q.key, "attribute": q.attribute} for q in self.questions],
                "scale": {"min": self.scale_min, "max": self.scale_max},
                "lowScoreThreshold": self.low_score_threshold,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_env(cls, text: str) -> SurveyDefinition:
        raw = json.loads(text)
        # Prompts stay with the flows (to_env leaves them out); the attribute stands in for one.
        questions = tuple(
            Question(q["key"], q["attribute"], prompt=q["attribute"]) for q in raw["questions"]
        )
        return cls(
            questions=questions,
            scale_min=raw["scale"]["min"],
            scale_max=raw["scale"]["max"],
            low_score_threshold=raw["lowScoreThreshold"],
            path="env",
        )

"""The survey section: the questions, their scale, the low-score threshold, retries."""

from __future__ import annotations

from typing import Final, Self

from pydantic import Field, model_validator

from connect_survey.config.base import ConfigModel
from connect_survey.config.errors import setting_error
from connect_survey.config.prompts import PromptText
from connect_survey.lambda_asset.survey.definition import (
    DEFAULT_METRICS,
    MAX_ATTEMPTS,
    MAX_INPUT_SECONDS,
    MAX_QUESTIONS,
    METRIC_BANDS,
    DefinitionError,
    Metric,
    Question,
    SurveyDefinition,
)

_DEFAULT_SURVEY: Final = SurveyDefinition()


class QuestionSettings(ConfigModel):
    """One statement the caller rates."""

    key: str = Field(
        description="lower-case letters, digits or '-', starting with a letter (≤ 20 characters)"
    )
    attribute: str = Field(description="the contact attribute the score is stored in")
    prompt: PromptText = Field(description="the statement the caller hears")
    metric: Metric | None = Field(
        default=None,
        description='the aggregate its answers feed: "csat", "nps", "ces" or null; left out, '
        "EffortScore feeds ces, PromoterScore nps, SatisfactionScore csat (on a 1-5 or 0-10 "
        "scale)",
    )

    def declared_metric(self, scale: tuple[int, int]) -> Metric | None:
        """The metric as written, or the default for the attribute where the scale has one."""
        if "metric" in self.model_fields_set:
            return self.metric
        return DEFAULT_METRICS.get(self.attribute) if scale in METRIC_BANDS else None


class ScaleSettings(ConfigModel):
    """The range of a valid score."""

    min: int = Field(default=_DEFAULT_SURVEY.scale_min, description="the lowest score")
    max: int = Field(default=_DEFAULT_SURVEY.scale_max, description="the highest score (≤ 99)")


class SurveySettings(ConfigModel):
    """The survey; its rules live in `SurveyDefinition`, which the handlers read too."""

    questions: list[QuestionSettings] = Field(
        default=[
            QuestionSettings(key=q.key, attribute=q.attribute, prompt=q.prompt, metric=q.metric)
            for q in _DEFAULT_SURVEY.questions
        ],
        description=f"1 to {MAX_QUESTIONS} questions with unique keys and attributes",
    )
    scale: ScaleSettings = ScaleSettings()
    low_score_threshold: int = Field(
        default=_DEFAULT_SURVEY.low_score_threshold,
        description="a score below it is low; above the scale minimum, at most its maximum",
    )
    attempts: int = Field(
        default=_DEFAULT_SURVEY.attempts, description=f"tries per question, 1 to {MAX_ATTEMPTS}"
    )
    input_time_limit_seconds: int = Field(
        default=_DEFAULT_SURVEY.input_time_limit_seconds,
        description=f"seconds the caller has to answer, 1 to {MAX_INPUT_SECONDS}",
    )

    @model_validator(mode="after")
    def _holds_to_the_rules(self) -> Self:
        try:
            self.definition()
        except DefinitionError as error:
            raise setting_error(error.setting.removeprefix("survey."), error.message) from None
        scale = (self.scale.min, self.scale.max)
        for i, question in enumerate(self.questions):
            if question.declared_metric(scale) is not None and scale not in METRIC_BANDS:
                raise setting_error(
                    f"questions[{i}].metric",
                    f"{question.metric!r} needs a 1-5 or 0-10 scale (the scale is "
                    f"{scale[0]}-{scale[1]}); set the metric to null",
                )
        return self

    def definition(self) -> SurveyDefinition:
        """The survey the flows are rendered from and the handlers check answers against."""
        return SurveyDefinition(
            questions=tuple(
                Question(
                    q.key,
                    q.attribute,
                    q.prompt,
                    q.declared_metric((self.scale.min, self.scale.max)),
                )
                for q in self.questions
            ),
            scale_min=self.scale.min,
            scale_max=self.scale.max,
            low_score_threshold=self.low_score_threshold,
            attempts=self.attempts,
            input_time_limit_seconds=self.input_time_limit_seconds,
            path="survey",
        )

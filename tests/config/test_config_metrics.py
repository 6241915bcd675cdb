"""Each survey question declares the metric (CSAT, NPS, CES) its answers feed."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage

QUESTIONS = [
    {"key": "effort", "attribute": "EffortScore", "prompt": "Easy?"},
    {"key": "overall", "attribute": "OverallScore", "prompt": "Happy?"},
]


def metrics(stages: dict[str, Any], survey: dict[str, Any]) -> list[str | None]:
    stages["dev"]["survey"] = survey
    stages["dev"].pop("languages", None)  # a listed ko-KR would need these questions translated
    questions = load_stage({"stages": stages}, "dev").offline.inputs.survey.questions
    return [q.metric for q in questions]


def test_default_questions_feed_ces_nps_and_csat(stages: dict[str, Any]) -> None:
    assert metrics(stages, {}) == ["ces", "nps", "csat"]


def test_metric_defaults_by_attribute_and_can_be_named_or_switched_off(
    stages: dict[str, Any],
) -> None:
    named = [QUESTIONS[0] | {"metric": None}, QUESTIONS[1] | {"metric": "csat"}]
    assert metrics(stages, {"questions": QUESTIONS}) == ["ces", None]
    assert metrics(stages, {"questions": named}) == [None, "csat"]


def test_a_0_to_10_scale_keeps_metrics_and_other_scales_have_none(
    stages: dict[str, Any],
) -> None:
    assert metrics(stages, {"questions": QUESTIONS, "scale": {"min": 0, "max": 10}}) == [
        "ces",
        None,
    ]
    assert metrics(stages, {"questions": QUESTIONS, "scale": {"min": 1, "max": 9}}) == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("question", "scale", "message"),
    [
        (
            {"metric": "happiness"},
            {"min": 1, "max": 5},
            "'happiness' is not valid; expected the aggregate its answers feed",
        ),
        ({"metric": "nps"}, {"min": 1, "max": 9}, "needs a 1-5 or 0-10 scale"),
    ],
)
def test_a_wrong_metric_stops_synth_naming_the_question(
    stages: dict[str, Any], question: dict[str, Any], scale: dict[str, int], message: str
) -> None:
    stages["dev"]["survey"] = {"questions": [QUESTIONS[0] | question], "scale": scale}
    with pytest.raises(ConfigError) as error:
        load_stage({"stages": stages}, "dev")
    assert str(error.value).startswith("stages.dev.survey.questions[0].metric: ")
    assert message in str(error.value)

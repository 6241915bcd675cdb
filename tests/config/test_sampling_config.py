"""The `sampling` section of a stage: defaults, the example stages, and mistakes named by path."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy


def load(stages: dict[str, Any]) -> Any:
    return load_stage({"stages": stages}, "dev")


def test_example_stages_sample_everyone_with_a_thirty_day_cooldown(
    context: dict[str, Any],
) -> None:
    for name in context["stages"]:
        policy = load_stage(context, name).offline.inputs.sampling
        assert policy == SamplingPolicy(percent=100, cooldown_days=30)


def test_sampling_left_out_offers_every_caller_without_cooldown(stages: dict[str, Any]) -> None:
    del stages["dev"]["sampling"]
    assert load(stages).offline.inputs.sampling == SamplingPolicy()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("percent", 101, r"stages\.dev\.sampling\.percent: 101 is not valid; expected .* 0 to 100"),
        ("cooldownDays", -1, r"stages\.dev\.sampling\.cooldownDays: -1 is not valid"),
        (
            "withheldNumbers",
            "ask",
            r"stages\.dev\.sampling\.withheldNumbers: 'ask' .* offer or skip",
        ),
        ("onError", "retry", r"stages\.dev\.sampling\.onError: 'retry' .* offer or skip"),
    ],
)
def test_sampling_mistake_names_the_setting_and_the_fix(
    stages: dict[str, Any], setting: str, value: Any, message: str
) -> None:
    stages["dev"]["sampling"][setting] = value
    with pytest.raises(ConfigError, match=message):
        load(stages)

"""The `sampling` section of a stage: defaults, the example stages, and mistakes named by path."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage
from connect_survey.lambda_asset.survey import sampling
from connect_survey.lambda_asset.survey.sampling import WITHHELD_PATTERNS, SamplingPolicy


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


def test_withheld_patterns_left_out_are_the_known_placeholders_and_short_numbers(
    stages: dict[str, Any],
) -> None:
    policy = load(stages).offline.inputs.sampling
    assert policy.withheld_patterns == WITHHELD_PATTERNS
    assert sampling.is_withheld("+266696687", policy.withheld_patterns)
    assert not sampling.is_withheld("+15555550100", policy.withheld_patterns)


def test_withheld_patterns_reach_the_handlers_environment(stages: dict[str, Any]) -> None:
    # GIVEN a stage that names its carrier's placeholder
    stages["dev"]["sampling"]["withheldPatterns"] = [r"\+?999000999", r"\+\d{1,6}"]
    policy = load(stages).offline.inputs.sampling

    # WHEN the stack (or the simulator) builds the handlers' environment from it
    environment = sampling.sampling_environment(policy=policy, cooldown_table="cooldown")

    # THEN the handler reads back the stage's list, and judges with it
    read = SamplingPolicy.from_env(environment[sampling.ENV_SAMPLING])
    assert read.withheld_patterns == (r"\+?999000999", r"\+\d{1,6}")
    assert sampling.is_withheld("+999000999", read.withheld_patterns)
    assert not sampling.is_withheld("+266696687", read.withheld_patterns)


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        (
            [r"\+?266696687", "+(1"],
            r"stages\.dev\.sampling\.withheldPatterns\[1\]: '\+\(1' is not a regular expression "
            r"\(.*\); write one in Python's syntax",
        ),
        (
            [r"\+\d+"],
            r"stages\.dev\.sampling\.withheldPatterns\[0\]: .* matches the real number "
            r"\+15555550100",
        ),
        (["anonymous", 7], r"stages\.dev\.sampling\.withheldPatterns\[1\]: 7 is not valid"),
        ([r"\+?1"] * 21, r"stages\.dev\.sampling\.withheldPatterns: .* up to 20 regular"),
        (["1" * 101], r"stages\.dev\.sampling\.withheldPatterns\[0\]: .* at most 100 characters"),
    ],
    ids=["bad-regex", "matches-real-numbers", "not-text", "too-many", "too-long"],
)
def test_withheld_pattern_mistake_names_the_setting_and_the_fix(
    stages: dict[str, Any], patterns: list[Any], message: str
) -> None:
    stages["dev"]["sampling"]["withheldPatterns"] = patterns
    with pytest.raises(ConfigError, match=message):
        load(stages)

"""liveTests and liveTestSourcePhoneNumber: off unless a stage opts in; a number is E.164."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage


def test_checked_in_examples_run_live_tests_in_dev_and_staging_only(
    context: dict[str, Any],
) -> None:
    live = {name: load_stage(context, name).settings.live_tests for name in context["stages"]}
    assert live == {"dev": True, "staging": True, "prod": False}


def test_a_stage_that_does_not_say_runs_no_live_tests_and_gives_no_caller_number(
    stages: dict[str, Any],
) -> None:
    # GIVEN a stage without either setting
    for setting in ("liveTests", "liveTestSourcePhoneNumber"):
        stages["dev"].pop(setting, None)

    # WHEN loaded / THEN live tests are off: a production copy never places test calls
    settings = load_stage({"stages": stages}, "dev").settings
    assert settings.live_tests is False
    assert settings.live_test_source_phone_number is None


@pytest.mark.parametrize("number", ["5555550100", "+0155555501", "+1 555 555 0100", ""])
def test_a_caller_number_that_is_not_e164_names_the_setting(
    stages: dict[str, Any], number: str
) -> None:
    stages["dev"]["liveTestSourcePhoneNumber"] = number
    with pytest.raises(ConfigError) as error:
        load_stage({"stages": stages}, "dev")
    assert str(error.value).startswith("stages.dev.liveTestSourcePhoneNumber: ")
    assert "E.164" in str(error.value)


def test_live_tests_must_be_true_or_false(stages: dict[str, Any]) -> None:
    stages["dev"]["liveTests"] = "yes"
    with pytest.raises(ConfigError, match=r"^stages\.dev\.liveTests: .*true or false"):
        load_stage({"stages": stages}, "dev")


def test_a_caller_number_is_refused_while_cloudformation_cannot_deploy_it(
    stages: dict[str, Any],
) -> None:
    # GIVEN a well-formed number: AWS's published pattern for it matches none (test_cases.live)
    stages["dev"]["liveTestSourcePhoneNumber"] = "+15555550100"

    # WHEN loaded / THEN it stops synth with the reason, instead of failing the deploy
    with pytest.raises(ConfigError) as error:
        load_stage({"stages": stages}, "dev")
    assert str(error.value) == (
        "stages.dev.liveTestSourcePhoneNumber: CloudFormation cannot deploy a test case's "
        "SourcePhoneNumber yet (AWS publishes its pattern escaped twice, so it rejects every "
        "E.164 number); leave it out (docs/testing.md, Run live)"
    )

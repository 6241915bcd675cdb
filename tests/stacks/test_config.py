"""Configuration errors stop synth with a message naming the setting and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from stacks.config import DEFAULT_STAGE, ConfigError, load_stage

INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/11111111-1111-4111-8111-111111111111"


def load(stages: dict[str, Any], stage: str = "dev") -> Any:
    return load_stage({"stages": stages}, stage)


def test_every_stage_in_cdk_json_loads(context: dict[str, Any]) -> None:
    for name in context["stages"]:
        assert load_stage(context, name).offline.name == name


def test_default_stage_is_dev_with_two_menu_options(context: dict[str, Any]) -> None:
    config = load_stage(context, None)
    assert config.offline.name == DEFAULT_STAGE == "dev"
    assert [o.digit for o in config.offline.inputs.menu] == ["1", "2"]
    assert config.settings.supervisor_queue_arn is None


def test_unknown_stage_names_the_choices(stages: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"stage: unknown stage 'qa'; choose one of dev, prod"):
        load(stages, "qa")


def test_missing_key_is_named(stages: dict[str, Any]) -> None:
    del stages["dev"]["instanceArn"]
    with pytest.raises(ConfigError, match=r"^stages\.dev\.instanceArn: is required$"):
        load(stages)


def test_malformed_instance_arn_says_what_is_expected(stages: dict[str, Any]) -> None:
    stages["dev"]["instanceArn"] = "arn:aws:connect:us-east-1:111122223333:instance/not-an-id"
    with pytest.raises(ConfigError, match=r"stages\.dev\.instanceArn: .* expected arn:aws:connect"):
        load(stages)


def test_region_that_disagrees_with_instance_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["region"] = "eu-west-1"
    with pytest.raises(ConfigError, match=r"stages\.dev\.region: 'eu-west-1' differs from"):
        load(stages)


def test_account_that_disagrees_with_instance_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["account"] = "999999999999"
    with pytest.raises(ConfigError, match=r"stages\.dev\.account: '999999999999' differs from"):
        load(stages)


def test_queue_arn_of_another_instance_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["queues"]["sales"] = stages["staging"]["queues"]["sales"]
    with pytest.raises(ConfigError, match=r"stages\.dev\.queues\.sales: .* queue ARN of the stage"):
        load(stages)


def test_menu_pointing_at_unknown_queue_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["menu"]["3"] = "billing"
    with pytest.raises(ConfigError, match=r"stages\.dev\.menu\.3: 'billing' is not one of"):
        load(stages)


def test_menu_key_must_be_one_digit(stages: dict[str, Any]) -> None:
    stages["dev"]["menu"] = {"10": "sales"}
    with pytest.raises(ConfigError, match=r"stages\.dev\.menu\.10: menu keys are single digits"):
        load(stages)


def test_supervisor_queue_must_belong_to_the_instance(stages: dict[str, Any]) -> None:
    stages["dev"]["supervisorQueueArn"] = "arn:aws:connect:us-east-1:111122223333:queue/x"
    with pytest.raises(ConfigError, match=r"stages\.dev\.supervisorQueueArn: .* leave it out"):
        load(stages)


def test_unknown_stage_setting_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["instanceArm"] = INSTANCE
    with pytest.raises(ConfigError, match=r"stages\.dev\.instanceArm: unknown setting"):
        load(stages)


@pytest.mark.parametrize(
    ("survey", "setting", "message"),
    [
        ({"attempts": 0}, "attempts", "0 must be between 1 and 5"),
        ({"attempts": 9}, "attempts", "9 must be between 1 and 5"),
        ({"lowScoreThreshold": 1}, "lowScoreThreshold", "must be above the scale minimum"),
        ({"lowScoreThreshold": 6}, "lowScoreThreshold", "at most the maximum 5"),
        ({"scale": {"min": 5, "max": 1}}, "scale", "must satisfy 0 <= min < max"),
        ({"inputTimeLimitSeconds": 0}, "inputTimeLimitSeconds", "must be between 1 and 30"),
        ({"questions": []}, "questions", "list 1 to 10 questions, got 0"),
        ({"attemps": 3}, "attemps", "unknown setting"),
        (
            {"questions": [{"key": "Effort!", "attribute": "EffortScore", "prompt": "x"}]},
            "questions[0].key",
            "must be lower-case letters",
        ),
        (
            {
                "questions": [
                    {"key": "a", "attribute": "Score", "prompt": "x"},
                    {"key": "b", "attribute": "Score", "prompt": "y"},
                ]
            },
            "questions[1].attribute",
            "'Score' is used twice",
        ),
    ],
)
def test_out_of_range_survey_setting_is_named(
    stages: dict[str, Any], survey: dict[str, Any], setting: str, message: str
) -> None:
    stages["dev"]["survey"] = survey
    with pytest.raises(ConfigError) as error:
        load(stages)
    assert error.value.setting == f"stages.dev.survey.{setting}"
    assert message in str(error.value)


def test_eleven_questions_are_too_many(stages: dict[str, Any]) -> None:
    stages["dev"]["survey"] = {
        "questions": [{"key": f"q{i}", "attribute": f"Q{i}", "prompt": "p"} for i in range(11)]
    }
    with pytest.raises(ConfigError, match=r"survey\.questions: list 1 to 10 questions, got 11"):
        load(stages)


def test_unknown_prompt_override_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["prompts"] = {"welcom": "Hi"}
    with pytest.raises(ConfigError, match=r"stages\.dev\.prompts\.welcom: unknown prompt"):
        load(stages)


def test_log_retention_must_be_a_cloudwatch_value(stages: dict[str, Any]) -> None:
    stages["dev"]["logRetentionDays"] = 10
    expected = r"logRetentionDays: 10 is not valid; expected a CloudWatch Logs retention"
    with pytest.raises(ConfigError, match=expected):
        load(stages)


def test_alert_email_must_look_like_one(stages: dict[str, Any]) -> None:
    stages["dev"]["alertEmails"] = ["supervisors"]
    expected = r"alertEmails\[0\]: 'supervisors' is not valid; expected e-mail addresses"
    with pytest.raises(ConfigError, match=expected):
        load(stages)


def test_config_retention_values_all_map_to_cdk_retention() -> None:
    from stacks.config import LOG_RETENTION_DAYS
    from stacks.handlers import LOG_RETENTION

    assert set(LOG_RETENTION) == set(LOG_RETENTION_DAYS)

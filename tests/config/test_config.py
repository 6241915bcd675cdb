"""Configuration errors stop synth with a message naming the setting and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import DEFAULT_STAGE, load_stage

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
    from connect_survey.config.base import LOG_RETENTION_DAYS
    from connect_survey.infra.handlers import LOG_RETENTION

    assert set(LOG_RETENTION) == set(LOG_RETENTION_DAYS)


def test_callback_queue_must_belong_to_the_instance(stages: dict[str, Any]) -> None:
    stages["dev"]["callbackQueueArn"] = "arn:aws:connect:us-east-1:111122223333:queue/x"
    with pytest.raises(
        ConfigError, match=r"stages\.dev\.callbackQueueArn: .* leave it out to create a callback"
    ):
        load_stage({"stages": stages}, "dev")


def test_callback_caller_id_must_be_a_phone_number_arn_without_instance(
    stages: dict[str, Any],
) -> None:
    stages["dev"]["callbackCallerIdNumberArn"] = (
        stages["dev"]["instanceArn"] + "/phone-number/12345678-aaaa-4bbb-8ccc-123456789012"
    )
    with pytest.raises(
        ConfigError, match=r"stages\.dev\.callbackCallerIdNumberArn: .*\(without instance/\)"
    ):
        load_stage({"stages": stages}, "dev")


@pytest.mark.parametrize("value", [0, "10", True])
def test_supervisor_max_contacts_is_a_positive_whole_number(
    stages: dict[str, Any], value: Any
) -> None:
    stages["dev"]["supervisorMaxContacts"] = value
    with pytest.raises(ConfigError, match=r"stages\.dev\.supervisorMaxContacts: .* whole number"):
        load_stage({"stages": stages}, "dev")


def test_callback_queue_name_is_reserved_among_the_queues(stages: dict[str, Any]) -> None:
    stages["dev"]["queues"]["supervisor-callbacks"] = stages["dev"]["queues"]["sales"]
    with pytest.raises(ConfigError, match=r"queues\.supervisor-callbacks: is reserved"):
        load_stage({"stages": stages}, "dev")


def test_prompt_longer_than_connect_plays_is_rejected(stages: dict[str, Any]) -> None:
    stages["dev"]["prompts"] = {"welcome": "Hello. " * 500}
    with pytest.raises(
        ConfigError, match=r"stages\.dev\.prompts\.welcome: is 3500 characters; .* at most 3000"
    ):
        load_stage({"stages": stages}, "dev")


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ({"prompts": {"thanks": "Your $.5 voucher is on its way."}}, r"prompts\.thanks"),
        (
            {
                "survey": {
                    "questions": [
                        {"key": "value", "attribute": "ValueScore", "prompt": "Worth $.99?"}
                    ]
                }
            },
            r"survey\.questions\[0\]\.prompt",
        ),
    ],
)
def test_prompt_with_an_attribute_reference_is_a_configuration_error(
    stages: dict[str, Any], setting: dict[str, Any], path: str
) -> None:
    stages["dev"].update(setting)
    with pytest.raises(ConfigError, match=rf"stages\.dev\.{path}: contains '\$\.'"):
        load_stage({"stages": stages}, "dev")


@pytest.mark.parametrize(
    ("prompts", "message"),
    [
        (
            {"voice": "Jonna"},
            r"prompts\.voice: 'Jonna' is not an Amazon Polly voice Connect offers",
        ),
        (
            {"voice": "Nicole", "engine": "neural"},
            r"prompts\.engine: Nicole has no neural voice; it supports standard",
        ),
        ({"engine": "turbo"}, r"prompts\.engine: 'turbo' is not an engine"),
        (
            {"voice": "Daniel", "engine": "standard"},
            r"prompts\.engine: Daniel has no standard voice; it supports neural",
        ),
        (
            {"voice": "Vicki", "engine": "generative"},
            r"prompts\.engine: Vicki has no generative voice; it supports neural, standard",
        ),
    ],
)
def test_wrong_voice_or_engine_stops_synth_naming_the_setting(
    stages: dict[str, Any], prompts: dict[str, str], message: str
) -> None:
    stages["dev"]["prompts"] = prompts
    with pytest.raises(ConfigError, match=rf"stages\.dev\.{message}"):
        load_stage({"stages": stages}, "dev")


@pytest.mark.parametrize(
    ("prompts", "engine"),
    [
        ({}, "Neural"),
        ({"voice": "Nicole"}, "Standard"),
        ({"engine": "generative"}, "Generative"),
        # German: Vicki speaks standard and neural, Daniel neural only, Marlene standard only.
        ({"voice": "Vicki"}, "Neural"),
        ({"voice": "Vicki", "engine": "neural"}, "Neural"),
        ({"voice": "Vicki", "engine": "standard"}, "Standard"),
        ({"voice": "Daniel"}, "Neural"),
        ({"voice": "Marlene"}, "Standard"),
        ({"voice": "Lucia", "engine": "neural"}, "Neural"),
    ],
)
def test_flows_set_the_engine_neural_where_the_voice_has_it(
    stages: dict[str, Any], prompts: dict[str, str], engine: str
) -> None:
    stages["dev"]["prompts"] = prompts
    stage = load_stage({"stages": stages}, "dev").offline
    for key in ("on-demand-inbound", "on-demand-survey"):
        [voice] = [a for a in stage.render(key)["Actions"] if a["Identifier"] == "set-voice"]
        assert voice["Parameters"]["TextToSpeechEngine"] == engine

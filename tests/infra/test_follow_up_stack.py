"""A stage with `followUp` deploys the task flow, lets the alert function start tasks through it
alone, alarms on failed tasks and charts them (issue 19); a stage without deploys none of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from connect_survey.config.stage import StageConfig, load_stage
from connect_survey.lambda_asset.survey.channels.task import FLOW_ARN, SETTINGS, TaskSettings
from tests.infra.conftest import build_stack
from tests.infra.test_stack import actions_on, logical_id, policy_statements, resources

TASK_FLOW = "survey-dev-follow-up-task"
INSTANCE_ARN = (
    "arn:aws:connect:us-east-1:111122223333:instance/11111111-1111-4111-8111-111111111111"
)


@pytest.fixture(scope="module")
def follow_up_config(context: dict[str, Any]) -> StageConfig:
    stages = json.loads(json.dumps(context["stages"]))
    stages["dev"]["followUp"] = {"expiryMinutes": 2880, "scheduleDelayMinutes": 15}
    return load_stage({"stages": stages}, "dev")


@pytest.fixture(scope="module")
def follow_up_template(follow_up_config: StageConfig) -> Template:
    return Template.from_stack(build_stack(follow_up_config))


def task_flow_id(template: Template) -> str:
    return logical_id(template, "AWS::Connect::ContactFlow", Name=TASK_FLOW)


def alert_environment(template: Template) -> dict[str, Any]:
    function_id = logical_id(template, "AWS::Lambda::Function", FunctionName="survey-dev-alert")
    function = resources(template, "AWS::Lambda::Function")[function_id]
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    return variables


def test_task_flow_is_deployed_and_queues_on_the_supervisor_queue(
    follow_up_template: Template,
) -> None:
    # GIVEN the dev stage with followUp (queue left out: the supervisor queue)
    # WHEN it is synthesized
    flow = resources(follow_up_template, "AWS::Connect::ContactFlow")[
        task_flow_id(follow_up_template)
    ]

    # THEN the task flow is an active contact flow whose content names the supervisor queue
    assert flow["Properties"]["State"] == "ACTIVE"
    assert flow["Properties"]["Type"] == "CONTACT_FLOW"
    content = json.dumps(flow["Properties"]["Content"])
    queue_id = logical_id(follow_up_template, "AWS::Connect::Queue", Name="survey-dev-supervisor")
    assert queue_id in content
    assert "TransferContactToQueue" in content


def test_alert_function_may_start_tasks_through_the_task_flow_alone(
    follow_up_template: Template,
) -> None:
    # GIVEN the synthesized stage with followUp
    # WHEN the alert function's policy is read
    actions = actions_on(policy_statements(follow_up_template, "survey-dev-alert"))

    # THEN StartTaskContact is allowed on the task flow and this instance's contacts (the
    # RelatedContactId), nothing wider
    flow_arn = {"Fn::GetAtt": [task_flow_id(follow_up_template), "ContactFlowArn"]}
    assert actions["connect:StartTaskContact"] == [flow_arn, f"{INSTANCE_ARN}/contact/*"]
    assert [a for a in actions if a.startswith("connect:")] == ["connect:StartTaskContact"]


def test_alert_function_is_given_the_task_flow_and_the_task_settings(
    follow_up_template: Template, follow_up_config: StageConfig
) -> None:
    # GIVEN the synthesized stage with followUp
    # WHEN the alert function's environment is read
    variables = alert_environment(follow_up_template)

    # THEN it names the task flow and carries the stage's task settings, in both languages
    assert variables[FLOW_ARN] == {
        "Fn::GetAtt": [task_flow_id(follow_up_template), "ContactFlowArn"]
    }
    settings = TaskSettings.from_env(variables[SETTINGS])
    assert list(settings.texts) == ["en-US", "ko-KR"]
    assert (settings.expiry_minutes, settings.schedule_delay_minutes) == (2880, 15)
    assert len(variables[SETTINGS].encode()) < 2048  # Lambda's 4 KB covers every variable


def test_task_failures_are_alarmed_and_tasks_charted(follow_up_template: Template) -> None:
    # GIVEN the synthesized stage with followUp
    alarms = resources(follow_up_template, "AWS::CloudWatch::Alarm")
    dashboards = resources(follow_up_template, "AWS::CloudWatch::Dashboard")

    # THEN an alarm fires on any failed StartTaskContact, notifying the ops topic
    [task_alarm] = [alarm for alarm in alarms.values() if "FollowUpTaskFailed" in json.dumps(alarm)]
    assert task_alarm["Properties"]["Threshold"] == 0
    assert task_alarm["Properties"]["AlarmActions"]
    # AND the dashboard charts tasks created, possibly duplicated and failed
    [dashboard] = dashboards.values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("FollowUpTaskCreated", "FollowUpTaskPossibleDuplicate", "FollowUpTaskFailed"):
        assert metric in body


def test_supervisor_profile_takes_follow_up_tasks_from_the_supervisor_queue(
    follow_up_template: Template,
) -> None:
    # GIVEN the synthesized stage whose tasks wait in the supervisor queue
    [profile] = resources(follow_up_template, "AWS::Connect::RoutingProfile").values()

    # THEN supervisors take tasks, from that queue
    properties = profile["Properties"]
    assert {"Channel": "TASK", "Concurrency": 10} in properties["MediaConcurrencies"]
    channels = [c["QueueReference"]["Channel"] for c in properties["QueueConfigs"]]
    assert channels.count("TASK") == 1


def test_stage_without_follow_up_deploys_no_task_flow_nor_permission(
    stages: dict[str, Any],
) -> None:
    # GIVEN the dev stage without followUp
    stages["dev"].pop("followUp", None)

    # WHEN it is synthesized
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))

    # THEN there is no task flow, no Connect action for the alert function, no task settings
    flows = resources(template, "AWS::Connect::ContactFlow").values()
    assert TASK_FLOW not in [flow["Properties"]["Name"] for flow in flows]
    actions = actions_on(policy_statements(template, "survey-dev-alert"))
    assert not [a for a in actions if a.startswith("connect:")]
    assert FLOW_ARN not in alert_environment(template)
    assert "FollowUpTaskFailed" not in json.dumps(resources(template, "AWS::CloudWatch::Alarm"))


def test_a_checked_in_stage_deploys_follow_up_so_nag_and_cfn_lint_check_it(
    context: dict[str, Any],
) -> None:
    # test_synth runs cdk-nag (both packs) and cfn-lint over every stage of cdk.json: dev's
    # followUp puts the task flow, its StartTaskContact grant and their suppressions under both
    assert "followUp" in context["stages"]["dev"]


def test_follow_up_queue_may_be_one_of_the_stages_queues(stages: dict[str, Any]) -> None:
    # GIVEN followUp routing tasks to the stage's "support" queue
    stages["dev"]["followUp"] = {"queue": "support"}

    # WHEN it is synthesized
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))

    # THEN the task flow names that queue's ARN, and the supervisor profile takes no tasks
    flow = resources(template, "AWS::Connect::ContactFlow")[task_flow_id(template)]
    assert stages["dev"]["queues"]["support"] in json.dumps(flow["Properties"]["Content"])
    [profile] = resources(template, "AWS::Connect::RoutingProfile").values()
    assert "TASK" not in json.dumps(profile)

"""The stack deploys every piece as one unit, wired together and least-privileged."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk.assertions import Match, Template

from connect_survey.config.stage import StageConfig, load_stage
from connect_survey.flow_language.lint import document as lint_document
from connect_survey.flows.catalog import FLOW_KEYS, FLOWS
from connect_survey.flows.render import RenderError, to_content
from connect_survey.infra.handlers import pinned_powertools_version, powertools_layer_parameter
from connect_survey.infra.outputs import ALERT_TOPIC_OUTPUT, RESULTS_TABLE_OUTPUT, flow_arn_output
from connect_survey.lambda_asset.survey import contract
from connect_survey.lambda_asset.survey.budget import (
    ALERT_FUNCTION_TIMEOUT_SECONDS,
    CALL_PATH,
    CONNECT_FLOW_LIMIT_SECONDS,
)
from connect_survey.lambda_asset.survey.channels import CHANNELS
from tests.infra.conftest import ROOT, build_stack

if TYPE_CHECKING:
    from pathlib import Path


def resources(template: Template, type_: str) -> dict[str, Any]:
    return template.find_resources(type_)


def logical_id(template: Template, type_: str, **properties: Any) -> str:
    found = template.find_resources(type_, {"Properties": properties})
    assert len(found) == 1, f"expected one {type_} with {properties}, found {len(found)}"
    return next(iter(found))


def content_of(template: Template, key: str, config: StageConfig) -> str:
    """A flow's Content with CloudFormation references flattened to `<Ref:...>` markers."""
    flow_id = logical_id(
        template, "AWS::Connect::ContactFlow", Name=config.offline.resource_name(key)
    )
    content = resources(template, "AWS::Connect::ContactFlow")[flow_id]["Properties"]["Content"]
    if isinstance(content, str):
        return content
    parts = content["Fn::Join"][1]
    return "".join(p if isinstance(p, str) else f"<{json.dumps(p, sort_keys=True)}>" for p in parts)


def test_stack_has_six_flows_per_language_the_task_flow_five_functions_and_their_wiring(
    dev_template: Template, dev_config: StageConfig
) -> None:
    languages = dev_config.offline.languages
    assert dev_config.offline.follow_up is not None  # dev starts follow-up tasks
    assert len(dev_config.offline.flow_keys) == 6 * len(languages) + 1
    dev_template.resource_count_is("AWS::Connect::ContactFlow", 6 * len(languages) + 1)
    # score, finish, eligibility, alert, sweeper
    dev_template.resource_count_is("AWS::Lambda::Function", 5)
    dev_template.resource_count_is("AWS::Connect::IntegrationAssociation", 3)
    dev_template.resource_count_is("AWS::Lambda::Permission", 3)
    dev_template.resource_count_is("AWS::DynamoDB::Table", 2)  # results, caller cooldown
    dev_template.resource_count_is("AWS::SNS::Topic", 2)  # alerts, operations alarms


@pytest.mark.parametrize("key", FLOW_KEYS)
def test_flow_is_a_stage_prefixed_contact_flow(
    dev_template: Template, dev_config: StageConfig, key: str
) -> None:
    dev_template.has_resource_properties(
        "AWS::Connect::ContactFlow",
        {
            "Name": f"survey-dev-{key}",
            "Type": "CONTACT_FLOW",
            "InstanceArn": dev_config.offline.instance_arn,
            "State": "ACTIVE",
        },
    )


def test_functions_use_the_configured_powertools_layer_of_their_runtime_and_short_timeouts(
    dev_template: Template, dev_config: StageConfig
) -> None:
    functions = resources(dev_template, "AWS::Lambda::Function").values()
    assert sorted(f["Properties"]["FunctionName"] for f in functions) == [
        "survey-dev-alert",
        "survey-dev-eligibility",
        "survey-dev-finish",
        "survey-dev-score",
        "survey-dev-sweeper",
    ]
    for function in functions:
        props = function["Properties"]
        assert props["Runtime"] == "python3.14"
        # no flow waits for the alert function or the sweeper
        if props["FunctionName"] not in ("survey-dev-alert", "survey-dev-sweeper"):
            assert props["Timeout"] <= CONNECT_FLOW_LIMIT_SECONDS
        assert props["TracingConfig"] == {"Mode": "Active"}
        [layer] = props["Layers"]
        assert set(layer) == {"Ref"}  # the deploy-time parameter (see the next test)
        env = props["Environment"]["Variables"]
        assert set(env) >= {contract.ENV_TABLE, contract.ENV_SURVEY, contract.ENV_RETENTION_DAYS}
        assert json.loads(env[contract.ENV_SURVEY])["lowScoreThreshold"] == 3
        # Only the senders (the alert function, the sweeper) get the settings of every channel
        # the stage sends through (the task channel only with followUp).
        channel_settings = {
            variable
            for channel in CHANNELS
            if not channel.optional
            for variable in channel.variables
        }
        if props["FunctionName"] in ("survey-dev-alert", "survey-dev-sweeper"):
            assert set(env) >= channel_settings
        else:
            assert not set(env) & channel_settings


def test_function_logs_have_retention(dev_template: Template) -> None:
    # five functions, and the Firehose delivery of contact records
    dev_template.resource_count_is("AWS::Logs::LogGroup", 6)
    dev_template.all_resources_properties("AWS::Logs::LogGroup", {"RetentionInDays": 14})


def function_arn(template: Template, key: str) -> dict[str, Any]:
    function_id = logical_id(template, "AWS::Lambda::Function", FunctionName=f"survey-dev-{key}")
    return {"Fn::GetAtt": [function_id, "Arn"]}


@pytest.mark.parametrize("key", ["score", "finish"])
def test_each_function_is_associated_with_the_instance(
    dev_template: Template, dev_config: StageConfig, key: str
) -> None:
    dev_template.has_resource_properties(
        "AWS::Connect::IntegrationAssociation",
        {
            "InstanceId": dev_config.offline.instance_arn,
            "IntegrationType": "LAMBDA_FUNCTION",
            "IntegrationArn": function_arn(dev_template, key),
        },
    )


@pytest.mark.parametrize("key", ["score", "finish"])
def test_invoke_permission_is_scoped_to_the_instance_and_account(
    dev_template: Template, dev_config: StageConfig, key: str
) -> None:
    dev_template.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": function_arn(dev_template, key),
            "Principal": "connect.amazonaws.com",
            "SourceArn": dev_config.offline.instance_arn,
            "SourceAccount": dev_config.offline.account,
        },
    )


def policy_statements(template: Template, function_name: str) -> list[dict[str, Any]]:
    function_id = logical_id(template, "AWS::Lambda::Function", FunctionName=function_name)
    role_ref = resources(template, "AWS::Lambda::Function")[function_id]["Properties"]["Role"]
    role_id = role_ref["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions_on(statements: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            found[action] = statement["Resource"]
    return found


def test_score_function_may_only_write_answers_and_cooldown_records(
    dev_template: Template,
) -> None:
    tables = {results_table_id(dev_template), cooldown_table_id(dev_template)}
    statements = policy_statements(dev_template, "survey-dev-score")
    put_on = [s["Resource"] for s in statements if s["Action"] == "dynamodb:PutItem"]
    assert sorted(r["Fn::GetAtt"][0] for r in put_on) == sorted(tables)
    data_actions = {a for a in actions_on(statements) if not a.startswith(("logs:", "xray:"))}
    assert data_actions == {"dynamodb:PutItem"}


def test_eligibility_function_may_only_read_cooldowns_and_its_secret(
    dev_template: Template,
) -> None:
    secret_id = logical_id(dev_template, "AWS::SecretsManager::Secret")
    actions = actions_on(policy_statements(dev_template, "survey-dev-eligibility"))
    assert actions["dynamodb:GetItem"] == {"Fn::GetAtt": [cooldown_table_id(dev_template), "Arn"]}
    assert actions["secretsmanager:GetSecretValue"] == {"Ref": secret_id}
    data_actions = {a for a in actions if not a.startswith(("logs:", "xray:"))}
    assert data_actions == {"dynamodb:GetItem", "secretsmanager:GetSecretValue",
                            "secretsmanager:DescribeSecret"}  # fmt: skip


def test_cooldown_table_expires_records_and_holds_no_number(dev_template: Template) -> None:
    dev_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "callerKey", "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def results_table_id(template: Template) -> str:
    return logical_id(template, "AWS::DynamoDB::Table", GlobalSecondaryIndexes=Match.any_value())


def cooldown_table_id(template: Template) -> str:
    return logical_id(
        template,
        "AWS::DynamoDB::Table",
        KeySchema=[{"AttributeName": "callerKey", "KeyType": "HASH"}],
    )


def test_finish_function_may_read_answers_and_write_the_summary_only(
    dev_template: Template,
) -> None:
    table_id = results_table_id(dev_template)
    actions = actions_on(policy_statements(dev_template, "survey-dev-finish"))
    assert actions["dynamodb:BatchGetItem"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert actions["dynamodb:UpdateItem"] == {"Fn::GetAtt": [table_id, "Arn"]}
    data_actions = {a for a in actions if not a.startswith(("logs:", "xray:"))}
    # The caller's path never publishes: alerts leave through the outbox.
    assert data_actions == {"dynamodb:BatchGetItem", "dynamodb:UpdateItem"}


def test_alert_function_may_read_the_stream_claim_and_publish_only(
    dev_template: Template,
) -> None:
    table_id = results_table_id(dev_template)
    topic_id = alert_topic_id(dev_template)
    actions = actions_on(policy_statements(dev_template, "survey-dev-alert"))
    for action in ("dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem",
                   "dynamodb:PutItem", "dynamodb:UpdateItem"):  # fmt: skip
        assert actions[action] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert actions["sns:Publish"] == {"Ref": topic_id}
    assert actions["events:PutEvents"] == {"Fn::GetAtt": [alert_bus_id(dev_template), "Arn"]}
    assert actions["dynamodb:GetRecords"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    data_actions = {a for a in actions if not a.startswith(("logs:", "xray:", "sqs:"))}
    assert data_actions == {
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ListStreams",
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "sns:Publish",
        "events:PutEvents",
        "connect:StartTaskContact",  # dev's followUp (scope: tests/infra/test_follow_up_stack.py)
    }


def alert_topic_id(template: Template) -> str:
    return logical_id(template, "AWS::SNS::Topic", DisplayName="Post-call survey low-score alerts")


def alert_bus_id(template: Template) -> str:
    return logical_id(template, "AWS::Events::EventBus", Name="survey-dev-surveys")


def test_alert_events_go_on_the_stages_own_bus_only_the_alert_function_may_put_to(
    dev_template: Template,
) -> None:
    # GIVEN the dev stack's alert bus and the alert function's role
    bus = {"Fn::GetAtt": [alert_bus_id(dev_template), "Arn"]}
    alert_function = resources(dev_template, "AWS::Lambda::Function")[
        logical_id(dev_template, "AWS::Lambda::Function", FunctionName="survey-dev-alert")
    ]
    role = alert_function["Properties"]["Role"]
    sweeper_role = resources(dev_template, "AWS::Lambda::Function")[
        logical_id(dev_template, "AWS::Lambda::Function", FunctionName="survey-dev-sweeper")
    ]["Properties"]["Role"]

    # WHEN the bus's resource policy is read
    statements = [
        policy["Properties"]["Statement"]
        for policy in resources(dev_template, "AWS::Events::EventBusPolicy").values()
    ]

    # THEN the alert function is told that bus, its role may put events on it, and every other
    # principal is denied (an Allow alone would not stop the account's other roles)
    assert alert_function["Properties"]["Environment"]["Variables"]["ALERT_EVENT_BUS_NAME"] == {
        "Ref": alert_bus_id(dev_template)
    }
    assert {
        "Effect": "Allow",
        "Action": "events:PutEvents",
        "Principal": {"AWS": role},
        "Resource": bus,
    } in [{k: v for k, v in s.items() if k != "Sid"} for s in statements]
    [deny] = [s for s in statements if s["Effect"] == "Deny"]
    assert (deny["Action"], deny["Principal"], deny["Resource"]) == (
        "events:PutEvents",
        {"AWS": "*"},
        bus,
    )
    # the sweeper sends the alerts the stream left, with the alert function's code
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [role, sweeper_role]}}
    assert len(statements) == 3


def test_results_table_is_durable_encrypted_and_expires_items(dev_template: Template) -> None:
    dev_template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "SSESpecification": {"SSEEnabled": True},
                    "TimeToLiveSpecification": {
                        "AttributeName": contract.TABLE_TTL_ATTRIBUTE,
                        "Enabled": True,
                    },
                    "KeySchema": [
                        {"AttributeName": contract.TABLE_PARTITION_KEY, "KeyType": "HASH"},
                        {"AttributeName": contract.TABLE_SORT_KEY, "KeyType": "RANGE"},
                    ],
                }
            ),
        },
    )


def test_alert_topic_is_encrypted_and_tls_only(dev_template: Template) -> None:
    topic = resources(dev_template, "AWS::SNS::Topic")[alert_topic_id(dev_template)]
    [key_id] = resources(dev_template, "AWS::KMS::Key")
    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    dev_template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_functions_take_the_layer_of_the_pinned_powertools_from_ssm_at_deploy_time(
    dev_template: Template,
) -> None:
    # GIVEN the Powertools release pinned in pyproject.toml
    version = pinned_powertools_version()
    # THEN the layer ARN is a deploy-time SSM parameter for exactly that release
    parameters = dev_template.to_json()["Parameters"]
    found = {
        name: p["Default"]
        for name, p in parameters.items()
        if p["Type"] == "AWS::SSM::Parameter::Value<String>" and "powertools" in p["Default"]
    }
    assert list(found.values()) == [f"/aws/service/powertools/python/arm64/python3.14/{version}"]
    for function in resources(dev_template, "AWS::Lambda::Function").values():
        assert function["Properties"]["Layers"] == [{"Ref": next(iter(found))}]


def test_pinned_powertools_version_is_read_from_pyproject(tmp_path: Path) -> None:
    # GIVEN a pyproject pinning another release among the optional dependencies
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\ndependencies = ["aws-cdk-lib==2.0.0"]\n'
        '[project.optional-dependencies]\nruntime = ["aws-lambda-powertools==3.1.2"]\n'
    )
    # THEN that release names the parameter
    assert pinned_powertools_version(pyproject) == "3.1.2"
    assert powertools_layer_parameter("3.1.2") == (
        "/aws/service/powertools/python/arm64/python3.14/3.1.2"
    )
    assert pinned_powertools_version() in (ROOT / "pyproject.toml").read_text()


def test_explicit_powertools_layer_version_overrides_the_parameter(
    stages: dict[str, Any],
) -> None:
    stages["dev"]["powertoolsLayerVersion"] = 27
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))
    parameters = template.to_json().get("Parameters", {}).values()
    assert not any("powertools" in str(p.get("Default")) for p in parameters)
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Layers": [
                "arn:aws:lambda:us-east-1:017000801446:layer:"
                "AWSLambdaPowertoolsPythonV3-python314-arm64:27"
            ]
        },
    )


def test_supervisor_queue_is_created_open_all_week_with_a_maximum_of_contacts(
    dev_template: Template,
) -> None:
    dev_template.has_resource_properties(
        "AWS::Connect::Queue", {"Name": "survey-dev-supervisor", "MaxContacts": 10}
    )
    hours = next(iter(resources(dev_template, "AWS::Connect::HoursOfOperation").values()))
    config = hours["Properties"]["Config"]
    assert len(config) == 7
    # Connect writes "open all day" as 00:00 to 00:00.
    midnight = {"Hours": 0, "Minutes": 0}
    assert all(day["StartTime"] == midnight and day["EndTime"] == midnight for day in config)


def test_supervisor_maximum_of_contacts_is_a_setting(stages: dict[str, Any]) -> None:
    stages["dev"]["supervisorMaxContacts"] = 3
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))
    template.has_resource_properties(
        "AWS::Connect::Queue", {"Name": "survey-dev-supervisor", "MaxContacts": 3}
    )


def test_callback_queue_is_created_with_an_outbound_caller_configuration(
    stages: dict[str, Any],
) -> None:
    # GIVEN a caller id number for callbacks
    number = (
        "arn:aws:connect:us-east-1:111122223333:phone-number/12345678-aaaa-4bbb-8ccc-123456789012"
    )
    stages["dev"]["callbackCallerIdNumberArn"] = number
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))
    # THEN the callback queue dials out with it
    template.has_resource_properties(
        "AWS::Connect::Queue",
        {
            "Name": "survey-dev-supervisor-callbacks",
            "OutboundCallerConfig": Match.object_like({"OutboundCallerIdNumberArn": number}),
        },
    )


def test_routing_profile_holds_the_supervisor_and_callback_queues_for_voice_and_tasks(
    dev_template: Template,
) -> None:
    queues = resources(dev_template, "AWS::Connect::Queue")
    supervisor = logical_id(dev_template, "AWS::Connect::Queue", Name="survey-dev-supervisor")
    callbacks = logical_id(
        dev_template, "AWS::Connect::Queue", Name="survey-dev-supervisor-callbacks"
    )
    assert set(queues) == {supervisor, callbacks}
    arn = {name: {"Fn::GetAtt": [name, "QueueArn"]} for name in queues}
    dev_template.has_resource_properties(
        "AWS::Connect::RoutingProfile",
        {
            "Name": "survey-dev-supervisors",
            # dev's followUp sends tasks to the supervisor queue: its agents take them too
            "MediaConcurrencies": [
                {"Channel": "VOICE", "Concurrency": 1},
                {"Channel": "TASK", "Concurrency": 10},
            ],
            "DefaultOutboundQueueArn": arn[callbacks],
            "QueueConfigs": [
                Match.object_like(
                    {"QueueReference": {"Channel": "VOICE", "QueueArn": arn[supervisor]}}
                ),
                Match.object_like(
                    {"QueueReference": {"Channel": "VOICE", "QueueArn": arn[callbacks]}}
                ),
                Match.object_like(
                    {"QueueReference": {"Channel": "TASK", "QueueArn": arn[supervisor]}}
                ),
            ],
        },
    )


def test_given_supervisor_queue_is_used_not_created(context: dict[str, Any]) -> None:
    config = load_stage(context, "staging")
    template = Template.from_stack(build_stack(config))
    # Only the callback queue is created; the routing profile holds the given queue.
    template.resource_count_is("AWS::Connect::Queue", 1)
    template.has_resource_properties(
        "AWS::Connect::Queue", {"Name": "survey-staging-supervisor-callbacks"}
    )
    assert config.settings.supervisor_queue_arn
    assert config.settings.supervisor_queue_arn in content_of(template, "escalation-survey", config)
    template.has_resource_properties(
        "AWS::Connect::RoutingProfile",
        {
            "QueueConfigs": Match.array_with(
                [
                    Match.object_like(
                        {
                            "QueueReference": {
                                "Channel": "VOICE",
                                "QueueArn": config.settings.supervisor_queue_arn,
                            }
                        }
                    )
                ]
            )
        },
    )
    template.resource_count_is("AWS::SNS::Subscription", 1)


def test_given_callback_queue_is_used_and_no_queue_or_hours_are_created(
    stages: dict[str, Any],
) -> None:
    instance = stages["staging"]["instanceArn"]
    stages["staging"]["callbackQueueArn"] = f"{instance}/queue/bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb9"
    config = load_stage({"stages": stages}, "staging")
    template = Template.from_stack(build_stack(config))
    template.resource_count_is("AWS::Connect::Queue", 0)
    template.resource_count_is("AWS::Connect::HoursOfOperation", 0)
    template.resource_count_is("AWS::Connect::RoutingProfile", 1)
    assert stages["staging"]["callbackQueueArn"] in content_of(
        template, "escalation-survey", config
    )


def test_flows_are_created_after_associations_permissions_and_their_survey_flow(
    dev_template: Template, dev_config: StageConfig
) -> None:
    flows = resources(dev_template, "AWS::Connect::ContactFlow")
    wiring = set(resources(dev_template, "AWS::Connect::IntegrationAssociation")) | set(
        resources(dev_template, "AWS::Lambda::Permission")
    )
    for spec in FLOWS:
        flow_id = logical_id(
            dev_template,
            "AWS::Connect::ContactFlow",
            Name=dev_config.offline.resource_name(spec.key),
        )
        depends_on = set(flows[flow_id].get("DependsOn", []))
        assert wiring <= depends_on, spec.key
        if spec.survey_flow:
            survey_id = logical_id(
                dev_template,
                "AWS::Connect::ContactFlow",
                Name=dev_config.offline.resource_name(spec.survey_flow),
            )
            # CloudFormation orders the survey flow first through the GetAtt in the content.
            assert f'"Fn::GetAtt": ["{survey_id}", "ContactFlowArn"]' in content_of(
                dev_template, spec.key, dev_config
            )


@pytest.mark.parametrize("spec", [s for s in FLOWS if s.survey_flow], ids=lambda s: s.key)
def test_inbound_flow_sets_its_own_survey_as_disconnect_flow(
    dev_template: Template, dev_config: StageConfig, spec: Any
) -> None:
    survey_id = logical_id(
        dev_template,
        "AWS::Connect::ContactFlow",
        Name=dev_config.offline.resource_name(spec.survey_flow),
    )
    content = content_of(dev_template, spec.key, dev_config)
    assert (
        f'"CustomerRemaining": "<{{"Fn::GetAtt": ["{survey_id}", "ContactFlowArn"]}}>"' in content
    )
    for queue_arn in dev_config.settings.queues.values():
        assert queue_arn in content


@pytest.mark.parametrize("spec", [s for s in FLOWS if s.is_survey], ids=lambda s: s.key)
def test_survey_flow_calls_the_stack_functions(
    dev_template: Template, dev_config: StageConfig, spec: Any
) -> None:
    content = content_of(dev_template, spec.key, dev_config)
    for key in ("score", "finish"):
        function_id = logical_id(
            dev_template, "AWS::Lambda::Function", FunctionName=f"survey-dev-{key}"
        )
        assert f'"LambdaFunctionARN": "<{{"Fn::GetAtt": ["{function_id}", "Arn"]}}>"' in content
    queue_id = next(iter(resources(dev_template, "AWS::Connect::Queue")))
    assert (queue_id in content) == spec.uses_supervisor_queue


def test_outputs_name_every_flow_the_table_and_the_topic(dev_template: Template) -> None:
    outputs = dev_template.to_json()["Outputs"]
    descriptions = {o.get("Description", "") for o in outputs.values()}
    for key in FLOW_KEYS:
        assert f"ARN of the {key} contact flow" in descriptions
    assert RESULTS_TABLE_OUTPUT in outputs
    assert ALERT_TOPIC_OUTPUT in outputs
    assert {flow_arn_output(key) for key in FLOW_KEYS} <= set(outputs)


def test_a_fourth_question_reaches_flows_and_handlers(stages: dict[str, Any]) -> None:
    stages["dev"].pop("languages", None)  # a listed ko-KR would need the question translated
    stages["dev"]["liveTests"] = False  # the project's cases start at ko-KR flows too
    stages["dev"]["survey"] = {
        "questions": [
            {"key": "effort", "attribute": "EffortScore", "prompt": "Easy."},
            {"key": "recommend", "attribute": "PromoterScore", "prompt": "Recommend."},
            {"key": "satisfaction", "attribute": "SatisfactionScore", "prompt": "Satisfied."},
            {"key": "resolved", "attribute": "ResolvedScore", "prompt": "My issue is solved."},
        ]
    }
    config = load_stage({"stages": stages}, "dev")
    template = Template.from_stack(build_stack(config))
    content = content_of(template, "on-demand-survey", config)
    assert '"ResolvedScore": "$.External.score"' in content
    assert "My issue is solved." in content
    env = json.dumps(template.find_resources("AWS::Lambda::Function"))
    assert "ResolvedScore" in env


@pytest.mark.parametrize(
    "shape", [contract.RESULTS_TABLE, contract.COOLDOWN_TABLE], ids=["results", "cooldown"]
)
def test_tables_have_the_shapes_the_contract_declares(
    dev_template: Template, shape: contract.TableShape
) -> None:
    # GIVEN the table the simulator and tests create from the handler contract
    expected = shape.create_table_arguments("any")

    # WHEN the stack's tables are read
    # THEN one has the contract's keys, attribute types, indexes, stream and TTL
    dev_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": expected["KeySchema"],
            "AttributeDefinitions": Match.array_equals(expected["AttributeDefinitions"]),
            "GlobalSecondaryIndexes": expected.get("GlobalSecondaryIndexes", Match.absent()),
            "StreamSpecification": (
                {"StreamViewType": shape.stream_view_type}
                if shape.stream_view_type
                else Match.absent()
            ),
            "TimeToLiveSpecification": {"AttributeName": shape.ttl_attribute, "Enabled": True},
        },
    )


def test_functions_time_out_inside_the_flow_limit_of_the_time_budget(
    dev_template: Template, dev_config: StageConfig
) -> None:
    # GIVEN the call path's time budget
    budget = CALL_PATH

    # WHEN the functions and the flows' Lambda blocks are read
    functions = resources(dev_template, "AWS::Lambda::Function").values()
    pattern = re.compile(r'"InvocationTimeLimitSeconds": *"(\d+)"')
    contents = [content_of(dev_template, spec.key, dev_config) for spec in FLOWS]
    limits = {limit for content in contents for limit in pattern.findall(content)}

    # THEN both come from the budget
    off_the_call_path = ("survey-dev-alert", "survey-dev-sweeper")
    flow_functions = [
        f for f in functions if f["Properties"]["FunctionName"] not in off_the_call_path
    ]
    assert {f["Properties"]["Timeout"] for f in flow_functions} == {budget.function_timeout_seconds}
    assert limits == {str(budget.flow_limit_seconds)}


def test_results_table_streams_new_images_to_the_alert_function(dev_template: Template) -> None:
    # GIVEN the dev stack
    # WHEN its table and the alert function's event source mapping are read
    # THEN the table streams new images, and the mapping retries a bounded number of times,
    # bisects failing batches, drops records past a maximum age and reports partial failures
    dev_template.has_resource_properties(
        "AWS::DynamoDB::Table", {"StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}
    )
    dead_letters = logical_id(dev_template, "AWS::SQS::Queue")
    dev_template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": logical_id(
                dev_template, "AWS::Lambda::Function", FunctionName="survey-dev-alert"
            )},
            "EventSourceArn": {
                "Fn::GetAtt": [results_table_id(dev_template), "StreamArn"]
            },
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": contract.ALERT_STREAM.batch_size,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": contract.ALERT_STREAM.max_retries,
            "MaximumRecordAgeInSeconds": contract.ALERT_STREAM.max_record_age_seconds,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {
                "OnFailure": {"Destination": {"Fn::GetAtt": [dead_letters, "Arn"]}}
            },
        },
    )  # fmt: skip


def test_alert_dead_letter_queue_is_encrypted_tls_only_and_keeps_records_14_days(
    dev_template: Template,
) -> None:
    dev_template.has_resource_properties(
        "AWS::SQS::Queue", {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 14 * 86400}
    )
    dev_template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": Match.object_like(
                        {"Bool": {"aws:SecureTransport": "false"}})})]
                )
            }
        },
    )  # fmt: skip


def test_topics_deny_every_action_without_tls(dev_template: Template) -> None:
    # GIVEN the alert topic and the operations topic
    policies = resources(dev_template, "AWS::SNS::TopicPolicy").values()

    # WHEN their statements are read
    denials = [
        statement
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
    ]

    # THEN each denies every SNS action, not only Publish, over plain HTTP
    assert len(policies) == 2
    assert len(denials) == 2
    for statement in denials:
        assert statement["Action"] == "sns:*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_alarms_cover_errors_throttles_duration_iterator_age_dead_letters_and_metrics(
    dev_template: Template,
) -> None:
    # GIVEN the dev stack's alarms
    alarms = resources(dev_template, "AWS::CloudWatch::Alarm").values()
    ops_topic = logical_id(
        dev_template, "AWS::SNS::Topic", DisplayName="Post-call survey operations alarms"
    )

    # WHEN what they watch is collected
    watched = {
        (alarm["Properties"].get("Namespace"), alarm["Properties"].get("MetricName"))
        for alarm in alarms
    }
    expressions = " ".join(json.dumps(alarm["Properties"].get("Metrics", [])) for alarm in alarms)

    # THEN every function's errors, throttles and p99 duration, the stream's iterator age, the
    # dead-letter queue's depth and the handlers' error metrics raise an alarm to the ops topic
    for namespace_metric in [
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/Lambda", "Duration"),
        ("AWS/Lambda", "IteratorAge"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    ]:
        assert namespace_metric in watched
    for metric in ("StorageError", "AlertError", "InternalError", "FollowUpTaskFailed"):
        assert f'"MetricName": "{metric}"' in expressions
    # 5 functions; iterator age, dead letters; 5 handler metrics; the reports' two Firehose
    # alarms; the sweeper's two ages of unfinished work; dev's follow-up task failures
    assert len(alarms) == 5 * 3 + 2 + 5 + 2 + 2 + 1
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": ops_topic}]
    durations = [a["Properties"] for a in alarms if a["Properties"].get("MetricName") == "Duration"]
    assert sorted(d["Threshold"] for d in durations) == pytest.approx(
        [
            0.8 * CALL_PATH.function_timeout_seconds * 1000,
            0.8 * CALL_PATH.function_timeout_seconds * 1000,
            0.8 * CALL_PATH.function_timeout_seconds * 1000,
            0.8 * ALERT_FUNCTION_TIMEOUT_SECONDS * 1000,
            0.8 * ALERT_FUNCTION_TIMEOUT_SECONDS * 1000,
        ]
    )


def test_skipped_writes_and_invalid_parameters_raise_alarms_to_the_ops_topic(
    dev_template: Template,
) -> None:
    # GIVEN the dev stack's alarms on the handlers' own metrics
    alarms = resources(dev_template, "AWS::CloudWatch::Alarm").values()
    ops_topic = logical_id(
        dev_template, "AWS::SNS::Topic", DisplayName="Post-call survey operations alarms"
    )

    # WHEN the ones summing SkippedWrite and InvalidParameter are picked out
    for metric in ("SkippedWrite", "InvalidParameter"):
        [alarm] = [
            a["Properties"]
            for a in alarms
            if f'"MetricName": "{metric}"' in json.dumps(a["Properties"].get("Metrics", []))
        ]

        # THEN each sums the metric over every function, fires on the first one, and notifies ops
        services = json.dumps(alarm["Metrics"]).count('"Name": "service"')
        assert services == 5
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert alarm["AlarmActions"] == [{"Ref": ops_topic}]
        assert metric in alarm["AlarmDescription"]


def test_dashboard_shows_answers_alerts_duplicates_errors_and_durations(
    dev_template: Template,
) -> None:
    dashboard = next(iter(resources(dev_template, "AWS::CloudWatch::Dashboard").values()))
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("AnswerRecorded", "InvalidAnswer", "LowScore", "AlertPublished",
                   "AlertPossibleDuplicate", "StorageError", "p50", "p99"):  # fmt: skip
        assert metric in body


def test_ops_emails_subscribe_to_the_ops_topic(stages: dict[str, Any]) -> None:
    # GIVEN a stage with an operations e-mail address
    stages["dev"]["opsEmails"] = ["ops@example.com"]
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))

    # WHEN the subscriptions are read
    # THEN the ops topic has it
    ops_topic = logical_id(
        template, "AWS::SNS::Topic", DisplayName="Post-call survey operations alarms"
    )
    template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": ops_topic}},
    )


@pytest.mark.parametrize(("protect", "expected"), [(None, True), (False, False), (True, True)])
def test_table_deletion_protection_is_on_unless_the_stage_turns_it_off(
    stages: dict[str, Any], protect: bool | None, expected: bool
) -> None:
    # GIVEN the prod stage, with the setting left out or given
    if protect is not None:
        stages["prod"]["tableDeletionProtection"] = protect
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "prod")))

    # WHEN the table is read
    # THEN deletion protection follows the setting, on by default
    template.has_resource_properties(
        "AWS::DynamoDB::Table", {"DeletionProtectionEnabled": expected}
    )


def test_alert_function_gets_the_instance_alias_when_the_stage_sets_it(
    stages: dict[str, Any],
) -> None:
    stages["dev"]["instanceAlias"] = "example-cc"
    template = Template.from_stack(build_stack(load_stage({"stages": stages}, "dev")))
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": "survey-dev-alert",
            "Environment": {
                "Variables": Match.object_like({contract.ENV_INSTANCE_ALIAS: "example-cc"})
            },
        },
    )


def test_content_limit_is_checked_with_deployed_arn_lengths(
    dev_config: StageConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a content limit between the escalation survey's size with CDK tokens (shorter than
    # ARNs) and its size with ARNs as long as the deployed ones
    with_arns = len(to_content(dev_config.offline.render("escalation-survey")))
    monkeypatch.setattr(lint_document, "MAX_CONTENT", with_arns - 1)
    # WHEN the stack is built THEN synth stops, naming the flow and its real size
    with pytest.raises(RenderError, match=rf"escalation-survey.*{with_arns} characters"):
        build_stack(dev_config)


def test_offline_stand_ins_are_as_long_as_the_ids_connect_assigns(
    dev_config: StageConfig,
) -> None:
    stage = dev_config.offline
    real_id = "12345678-1234-4123-8123-123456789012"
    assert len(stage.flow_arn("opt-in-survey")) == len(
        f"{stage.instance_arn}/contact-flow/{real_id}"
    )
    assert len(stage.queues["supervisor"]) == len(f"{stage.instance_arn}/queue/{real_id}")

"""The stack deploys every piece as one unit, wired together and least-privileged."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from flows.catalog import FLOW_KEYS, FLOWS
from lambdas.survey import contract
from lambdas.survey.budget import CALL_PATH
from stacks.config import StageConfig, load_stage
from tests.stacks.conftest import build_stack


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


def test_stack_has_six_flows_three_functions_and_their_wiring(dev_template: Template) -> None:
    dev_template.resource_count_is("AWS::Connect::ContactFlow", 6)
    dev_template.resource_count_is("AWS::Lambda::Function", 3)
    dev_template.resource_count_is("AWS::Connect::IntegrationAssociation", 3)
    dev_template.resource_count_is("AWS::Lambda::Permission", 3)
    dev_template.resource_count_is("AWS::DynamoDB::Table", 2)  # results, caller cooldown
    dev_template.resource_count_is("AWS::SNS::Topic", 1)


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
        "survey-dev-eligibility",
        "survey-dev-finish",
        "survey-dev-score",
    ]
    for function in functions:
        props = function["Properties"]
        assert props["Runtime"] == "python3.14"
        assert props["Timeout"] <= 8
        assert props["TracingConfig"] == {"Mode": "Active"}
        # AWS publishes one layer per Python version and architecture; the version is the
        # stage's powertoolsLayerVersion.
        python = props["Runtime"].replace(".", "")
        [architecture] = props["Architectures"]
        assert props["Layers"] == [
            "arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-"
            f"{python}-{architecture}:{dev_config.settings.powertools_layer_version}"
        ]
        env = props["Environment"]["Variables"]
        assert set(env) >= {
            contract.ENV_TABLE,
            contract.ENV_TOPIC,
            contract.ENV_BUS,
            contract.ENV_SURVEY,
            contract.ENV_RETENTION_DAYS,
        }
        assert json.loads(env[contract.ENV_SURVEY])["lowScoreThreshold"] == 3


def test_function_logs_have_retention(dev_template: Template) -> None:
    dev_template.resource_count_is("AWS::Logs::LogGroup", 3)
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


def test_finish_function_may_read_answers_and_raise_alerts_only(dev_template: Template) -> None:
    table_id = results_table_id(dev_template)
    topic_id = logical_id(dev_template, "AWS::SNS::Topic")
    actions = actions_on(policy_statements(dev_template, "survey-dev-finish"))
    assert actions["dynamodb:BatchGetItem"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert actions["dynamodb:UpdateItem"] == {"Fn::GetAtt": [table_id, "Arn"]}
    assert actions["sns:Publish"] == {"Ref": topic_id}
    assert "event-bus/default" in json.dumps(actions["events:PutEvents"])
    data_actions = {a for a in actions if not a.startswith(("logs:", "xray:"))}
    assert data_actions == {
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
        "sns:Publish",
        "events:PutEvents",
    }


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
    topic = next(iter(resources(dev_template, "AWS::SNS::Topic").values()))
    assert "alias/aws/sns" in json.dumps(topic["Properties"]["KmsMasterKeyId"])
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


def test_supervisor_queue_is_created_open_all_week_when_not_given(dev_template: Template) -> None:
    dev_template.has_resource_properties("AWS::Connect::Queue", {"Name": "survey-dev-supervisor"})
    hours = next(iter(resources(dev_template, "AWS::Connect::HoursOfOperation").values()))
    assert len(hours["Properties"]["Config"]) == 7


def test_given_supervisor_queue_is_used_not_created(context: dict[str, Any]) -> None:
    config = load_stage(context, "staging")
    template = Template.from_stack(build_stack(config))
    template.resource_count_is("AWS::Connect::Queue", 0)
    template.resource_count_is("AWS::Connect::HoursOfOperation", 0)
    assert config.settings.supervisor_queue_arn
    assert config.settings.supervisor_queue_arn in content_of(template, "escalation-survey", config)
    template.resource_count_is("AWS::SNS::Subscription", 1)


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
    assert "ResultsTableName" in outputs
    assert "AlertTopicArn" in outputs


def test_a_fourth_question_reaches_flows_and_handlers(stages: dict[str, Any]) -> None:
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


def test_results_table_has_the_shape_the_handler_contract_creates(dev_template: Template) -> None:
    # GIVEN the table the simulator and tests create from the handler contract
    expected = contract.RESULTS_TABLE.create_table_arguments("any")

    # WHEN the stack's table is read
    # THEN keys, attribute types, index and TTL are the contract's
    dev_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": expected["KeySchema"],
            "AttributeDefinitions": Match.array_equals(expected["AttributeDefinitions"]),
            "GlobalSecondaryIndexes": expected["GlobalSecondaryIndexes"],
            "TimeToLiveSpecification": {
                "AttributeName": contract.RESULTS_TABLE.ttl_attribute,
                "Enabled": True,
            },
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
    assert {f["Properties"]["Timeout"] for f in functions} == {budget.function_timeout_seconds}
    assert limits == {str(budget.flow_limit_seconds)}

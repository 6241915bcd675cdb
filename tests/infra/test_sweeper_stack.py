"""The sweeper as deployed: scheduled every SWEEP_INTERVAL_SECONDS, reading only the sparse index
of the results table, consuming the alert dead letters, and alarmed when work stays unfinished or
no sweep runs (issue 17, D.3)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from connect_survey.lambda_asset.survey.budget import (
    SWEEP_INTERVAL_SECONDS,
    UNFINISHED_ALARM_SECONDS,
)
from connect_survey.lambda_asset.survey.contract import (
    ENV_DEAD_LETTERS,
    PENDING_INDEX,
    PENDING_SINCE,
    PENDING_WORK,
    SWEEPER_ENTRY_POINT,
    Metric,
)
from tests.infra.test_stack import resources


def sweeper_id(template: Template) -> str:
    found = template.find_resources(
        "AWS::Lambda::Function", {"Properties": {"Handler": SWEEPER_ENTRY_POINT}}
    )
    assert len(found) == 1
    return next(iter(found))


def statements_of(template: Template, role_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        roles = policy["Properties"].get("Roles", [])
        if {"Ref": role_id} in roles:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_sweeper_runs_on_a_schedule_of_the_sweep_interval(dev_template: Template) -> None:
    function = sweeper_id(dev_template)
    schedules = resources(dev_template, "AWS::Scheduler::Schedule")
    assert len(schedules) == 1
    schedule = next(iter(schedules.values()))["Properties"]
    assert schedule["ScheduleExpression"] == f"rate({SWEEP_INTERVAL_SECONDS // 60} minutes)"
    assert schedule["State"] == "ENABLED"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] == 0


def test_results_table_has_the_sparse_pending_index_with_keys_only(
    dev_template: Template,
) -> None:
    dev_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "GlobalSecondaryIndexes": Match.array_with(
                [
                    {
                        "IndexName": PENDING_INDEX,
                        "KeySchema": [
                            {"AttributeName": PENDING_WORK, "KeyType": "HASH"},
                            {"AttributeName": PENDING_SINCE, "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "KEYS_ONLY"},
                    }
                ]
            )
        },
    )


def test_sweeper_queries_only_the_pending_index_and_consumes_the_dead_letters(
    dev_template: Template,
) -> None:
    function = resources(dev_template, "AWS::Lambda::Function")[sweeper_id(dev_template)]
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = statements_of(dev_template, role_id)
    queries = [s for s in statements if "dynamodb:Query" in str(s["Action"])]
    assert len(queries) == 1
    assert PENDING_INDEX in str(queries[0]["Resource"])
    assert "index/*" not in str(statements)
    assert any("sqs:DeleteMessage" in str(s["Action"]) for s in statements)
    assert ENV_DEAD_LETTERS in function["Properties"]["Environment"]["Variables"]


def test_unfinished_work_and_missing_sweeps_are_alarmed(dev_template: Template) -> None:
    for metric in (Metric.UNSENT_ALERT_AGE, Metric.UNFINISHED_WRITE_AGE):
        dev_template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": metric.value,
                "Statistic": "Maximum",
                "Threshold": UNFINISHED_ALARM_SECONDS,
                "TreatMissingData": "breaching",
            },
        )

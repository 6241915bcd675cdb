"""The survey handlers: one small asset, Powertools from the AWS-published layer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from flows.catalog import resource_name
from lambdas.survey.budget import CALL_PATH
from lambdas.survey.contract import (
    ELIGIBILITY_FUNCTION,
    ENTRY_POINTS,
    FINISH_FUNCTION,
    SCORE_FUNCTION,
)
from lambdas.survey.environment import handler_environment
from lambdas.survey.sampling import SamplingPolicy, sampling_environment

if TYPE_CHECKING:
    from lambdas.survey.definition import SurveyDefinition

ASSET_DIR = Path(__file__).resolve().parent.parent / "lambdas"
ASSET_EXCLUDE = ["**/__pycache__", "**/*.pyc"]
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
POWERTOOLS_ACCOUNT = "017000801446"
# Below the flows' InvocationTimeLimitSeconds, so Connect hears an answer, not a timeout.
FUNCTION_TIMEOUT = Duration.seconds(CALL_PATH.function_timeout_seconds)
# CloudWatch Logs retention by days (the values stacks.config accepts).
LOG_RETENTION = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
}
DESCRIPTIONS = {
    SCORE_FUNCTION: "Validates and stores one survey answer.",
    FINISH_FUNCTION: "Closes a survey and raises low-score alerts.",
    ELIGIBILITY_FUNCTION: "Decides whether a caller is offered a survey (sampling, cooldown).",
}


def powertools_layer_arn(partition: str, region: str, version: int) -> str:
    """The AWS-published Powertools layer for the region, runtime and architecture."""
    runtime = RUNTIME.name.replace(".", "")  # python3.14 -> python314
    return (
        f"arn:{partition}:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{runtime}-{ARCHITECTURE.name}:{version}"
    )


class SurveyHandlers(Construct):
    """Score, finish and eligibility functions, own log groups, least-privilege roles."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        partition: str,
        survey: SurveyDefinition,
        table: dynamodb.ITable,
        topic: sns.ITopic,
        bus: events.IEventBus,
        log_retention_days: int,
        result_retention_days: int,
        powertools_layer_version: int,
        sampling: SamplingPolicy,
        cooldown_table: dynamodb.ITable,
        caller_key_secret: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Powertools",
            powertools_layer_arn(partition, Stack.of(self).region, powertools_layer_version),
        )
        code = lambda_.Code.from_asset(str(ASSET_DIR), exclude=ASSET_EXCLUDE)
        self.functions: dict[str, lambda_.Function] = {}
        for key, handler in ENTRY_POINTS.items():
            name = resource_name(name_prefix, key)
            log_group = logs.LogGroup(
                self,
                f"{key.title()}Logs",
                log_group_name=f"/aws/lambda/{name}",
                retention=LOG_RETENTION[log_retention_days],
                removal_policy=RemovalPolicy.DESTROY,
            )
            # Our own role instead of the AWSLambdaBasicExecutionRole managed policy, which
            # would let the function write to every log group in the account.
            role = iam.Role(
                self,
                f"{key.title()}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"Runs {name}: writes its own logs and the survey resources it uses.",
            )
            log_group.grant_write(role)
            self.functions[key] = lambda_.Function(
                self,
                f"{key.title()}Function",
                function_name=name,
                description=DESCRIPTIONS[key],
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=handler,
                code=code,
                layers=[layer],
                role=role,
                memory_size=256,
                timeout=FUNCTION_TIMEOUT,
                environment=handler_environment(
                    function_name=name,
                    table_name=table.table_name,
                    topic_arn=topic.topic_arn,
                    bus_name=bus.event_bus_name,
                    survey=survey,
                    retention_days=result_retention_days,
                ),
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
            )
        score, finish = self.functions[SCORE_FUNCTION], self.functions[FINISH_FUNCTION]
        # Statements on the table alone: Table.grant() would add its indexes (index/*), which
        # the handlers never read; reports read the index with their own credentials.
        _allow(score, ["dynamodb:PutItem"], table.table_arn)
        _allow(finish, ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"], table.table_arn)
        topic.grant_publish(finish)
        bus.grant_put_events_to(finish)
        # Eligibility reads the caller's cooldown with the secret; score starts it on an answer.
        eligibility = self.functions[ELIGIBILITY_FUNCTION]
        for function, secret_arn in ((eligibility, caller_key_secret.secret_arn), (score, None)):
            for name, value in sampling_environment(
                policy=sampling, cooldown_table=cooldown_table.table_name, secret_arn=secret_arn
            ).items():
                function.add_environment(name, value)
        caller_key_secret.grant_read(eligibility)
        _allow(eligibility, ["dynamodb:GetItem"], cooldown_table.table_arn)
        _allow(score, ["dynamodb:PutItem"], cooldown_table.table_arn)


def _allow(function: lambda_.Function, actions: list[str], resource: str) -> None:
    function.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[resource]))

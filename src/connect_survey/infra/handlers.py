"""The survey handlers and the alert function: one small asset, Powertools from the AWS layer.

Score and finish answer the flows; the alert function reads the results table's stream (the
outbox) and is the only one that publishes.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from connect_survey import PROJECT_ROOT
from connect_survey.flows.catalog import resource_name
from connect_survey.infra.alert_channels import ChannelBinding, connect_channels
from connect_survey.infra.asset_bundle import asset_code
from connect_survey.lambda_asset.survey.budget import ALERT_FUNCTION_TIMEOUT_SECONDS, CALL_PATH
from connect_survey.lambda_asset.survey.contract import (
    ALERT_ENTRY_POINT,
    ALERT_FUNCTION,
    ALERT_STREAM,
    ELIGIBILITY_FUNCTION,
    ENTRY_POINTS,
    FINISH_FUNCTION,
    SCORE_FUNCTION,
)
from connect_survey.lambda_asset.survey.environment import handler_environment
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy, sampling_environment

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.infra.cooldown_store import CooldownStore
    from connect_survey.infra.results_store import ResultsStore
    from connect_survey.lambda_asset.survey.definition import SurveyDefinition

ASSET_DIR = Path(__file__).resolve().parents[1] / "lambda_asset"
POWERTOOLS_PACKAGE = "aws-lambda-powertools"
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
POWERTOOLS_ACCOUNT = "017000801446"
# Below the flows' InvocationTimeLimitSeconds, so Connect hears an answer, not a timeout.
FUNCTION_TIMEOUT = Duration.seconds(CALL_PATH.function_timeout_seconds)
# CloudWatch Logs retention by days (the values connect_survey.config.stage accepts).
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
    FINISH_FUNCTION: "Closes a survey and says whether to escalate.",
    ALERT_FUNCTION: "Sends low-score alerts from the results table's stream.",
    ELIGIBILITY_FUNCTION: "Decides whether a caller is offered a survey (sampling, cooldown).",
}


def pinned_powertools_version(pyproject: Path = PROJECT_ROOT / "pyproject.toml") -> str:
    """The Powertools release pinned (==) in pyproject.toml: the one source of the version."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    groups = [project.get("dependencies", []), *project.get("optional-dependencies", {}).values()]
    for requirement in (r for group in groups for r in group):
        match = re.fullmatch(rf"{POWERTOOLS_PACKAGE}==([0-9][0-9A-Za-z.]*)", requirement.strip())
        if match:
            return match[1]
    raise LookupError(f"{pyproject}: pin {POWERTOOLS_PACKAGE}==X.Y.Z in the project's dependencies")


def powertools_layer_parameter(version: str) -> str:
    """The public SSM parameter holding the layer ARN of exactly this Powertools release.

    Powertools publishes one per architecture, runtime and release in every region:
    https://docs.powertools.aws.dev/lambda/python/latest/#lambda-layer
    """
    runtime = RUNTIME.name.removeprefix("python")  # python3.14 -> 3.14
    return f"/aws/service/powertools/python/{ARCHITECTURE.name}/python{runtime}/{version}"


def powertools_layer_arn(partition: str, region: str, version: int) -> str:
    """An explicit layer version (the `powertoolsLayerVersion` override)."""
    runtime = RUNTIME.name.replace(".", "")  # python3.14 -> python314
    return (
        f"arn:{partition}:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{runtime}-{ARCHITECTURE.name}:{version}"
    )


class SurveyHandlers(Construct):
    """Score, finish, eligibility and alert functions with their own log groups and
    least-privilege roles.

    `functions` are the ones the flows invoke; `alert` consumes the table's stream, with bounded
    retries, bisection, a maximum record age and an encrypted dead-letter queue (`dead_letters`),
    and sends through every registered alert channel (`alert_channels` bind them to resources).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name_prefix: str,
        partition: str,
        survey: SurveyDefinition,
        results: ResultsStore,
        alert_channels: Sequence[ChannelBinding],
        log_retention_days: int,
        result_retention_days: int,
        powertools_layer_version: int | None,
        sampling: SamplingPolicy,
        cooldown: CooldownStore,
        instance_alias: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if powertools_layer_version is None:
            # Resolved by CloudFormation at deploy time (a parameter of type
            # AWS::SSM::Parameter::Value<String>): synth stays offline, and the layer is the
            # release the code was tested with.
            layer_arn = ssm.StringParameter.value_for_string_parameter(
                self, powertools_layer_parameter(pinned_powertools_version())
            )
        else:
            layer_arn = powertools_layer_arn(
                partition, Stack.of(self).region, powertools_layer_version
            )
        layer = lambda_.LayerVersion.from_layer_version_arn(self, "Powertools", layer_arn)
        code = asset_code(ASSET_DIR, RUNTIME)

        def function(key: str, handler: str, timeout: Duration) -> lambda_.Function:
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
            return lambda_.Function(
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
                timeout=timeout,
                environment=handler_environment(
                    function_name=name,
                    table_name=results.table.table_name,
                    survey=survey,
                    retention_days=result_retention_days,
                    instance_alias=instance_alias,
                ),
                log_group=log_group,
                tracing=lambda_.Tracing.ACTIVE,
            )

        self.functions: dict[str, lambda_.Function] = {
            key: function(key, handler, FUNCTION_TIMEOUT) for key, handler in ENTRY_POINTS.items()
        }
        self.alert = function(
            ALERT_FUNCTION, ALERT_ENTRY_POINT, Duration.seconds(ALERT_FUNCTION_TIMEOUT_SECONDS)
        )
        score, finish = self.functions[SCORE_FUNCTION], self.functions[FINISH_FUNCTION]
        results.grant_write_answers(score)
        results.grant_read_contacts(finish)
        results.grant_write_summaries(finish)
        results.grant_read_contacts(self.alert)
        results.grant_outbox(self.alert)
        # Every registered alert channel: its resource's construct grants the send and gives
        # the channel's settings.
        connect_channels(self.alert, alert_channels)

        # Records the alert function gave up on land here for 14 days (alarmed at depth > 0).
        self.dead_letters = sqs.Queue(
            self,
            "AlertDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # A mapping with an id of our own: DynamoEventSource names it after the table's path,
        # so the same stack deployed directly and through the pipeline would differ.
        self.alert.add_event_source_mapping(
            "ResultsStream",
            event_source_arn=results.table.table_stream_arn,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=ALERT_STREAM.batch_size,
            bisect_batch_on_error=ALERT_STREAM.bisect_on_error,
            retry_attempts=ALERT_STREAM.max_retries,
            max_record_age=Duration.seconds(ALERT_STREAM.max_record_age_seconds),
            report_batch_item_failures=ALERT_STREAM.report_batch_item_failures,
            on_failure=event_sources.SqsDlq(self.dead_letters),
        )
        # Eligibility reads the caller's cooldown with the secret; score starts it on an answer.
        eligibility = self.functions[ELIGIBILITY_FUNCTION]
        for fn, secret_arn in ((eligibility, cooldown.secret.secret_arn), (score, None)):
            for name, value in sampling_environment(
                policy=sampling, cooldown_table=cooldown.table.table_name, secret_arn=secret_arn
            ).items():
                fn.add_environment(name, value)
        cooldown.grant_check(eligibility)
        cooldown.grant_start(score)

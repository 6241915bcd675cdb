"""`connect-survey verify --stage NAME`: does the deployed stage work? Run after every deploy.

Read-only calls plus one harmless invocation per function (a verification event, which the
handlers answer without storing or sending anything). One line per check; exit 1 on any failure,
which stops a promotion. Needs credentials for the stage's account (or `--role-arn` to assume).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from connect_survey.flows.catalog import HANDLERS, FlowSpec
from connect_survey.infra.outputs import ALERT_TOPIC_OUTPUT, RESULTS_TABLE_OUTPUT, stack_name
from connect_survey.lambda_asset.survey.budget import CONNECT_FLOW_LIMIT_SECONDS
from connect_survey.lambda_asset.survey.contract import (
    ELIGIBILITY_FUNCTION,
    ESCALATE,
    FALSE,
    FINISH_FUNCTION,
    MODE_ON_DEMAND,
    PARAM_DIGITS,
    PARAM_MODE,
    PARAM_QUESTION,
    PARAM_VERIFICATION,
    REASON,
    REASON_VERIFICATION,
    SCORE_FUNCTION,
    STORED,
    TRUE,
    VALID,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from connect_survey.config.stage import StageConfig

# Every call is bounded: a hung endpoint fails the check instead of stalling the pipeline.
READ_CALLS: Final = Config(
    connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 3, "mode": "standard"}
)
# The invocation must answer within the flow's limit (at most Connect's); one attempt, so a slow
# function is reported, not retried into a pass.
INVOKE_CALLS: Final = Config(
    connect_timeout=5,
    read_timeout=CONNECT_FLOW_LIMIT_SECONDS + 2,
    retries={"total_max_attempts": 1},
)
FLOW_ACTIVE: Final = "ACTIVE"
FLOW_PUBLISHED: Final = "PUBLISHED"
INVOKE_ACTION: Final = "InvokeLambdaFunction"


@dataclass(frozen=True)
class Check:
    """One verified fact about the stage, and what was found."""

    name: str
    passed: bool
    detail: str

    def __str__(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.detail}"


@dataclass(frozen=True)
class Clients:
    """The AWS clients verify uses; tests pass stubbed ones."""

    connect: Any
    lambda_: Any
    cloudformation: Any
    dynamodb: Any
    sns: Any
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def for_stage(cls, config: StageConfig, role_arn: str | None = None) -> Clients:
        """Bounded clients in the stage's region, as the caller or as the assumed role."""
        session = boto3.Session(region_name=config.offline.region)
        if role_arn:
            credentials = session.client("sts", config=READ_CALLS).assume_role(
                RoleArn=role_arn, RoleSessionName=f"connect-survey-verify-{config.offline.name}"
            )["Credentials"]
            session = boto3.Session(
                region_name=config.offline.region,
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return cls(
            connect=session.client("connect", config=READ_CALLS),
            lambda_=session.client("lambda", config=INVOKE_CALLS),
            cloudformation=session.client("cloudformation", config=READ_CALLS),
            dynamodb=session.client("dynamodb", config=READ_CALLS),
            sns=session.client("sns", config=READ_CALLS),
        )


@dataclass
class Deployed:
    """What the checks found so far, for the checks that build on it."""

    functions: dict[str, str] = field(default_factory=dict)  # key -> function ARN
    flows: dict[str, str] = field(default_factory=dict)  # name -> flow ARN (the listing)
    limits: dict[str, int] = field(default_factory=dict)  # function ARN -> flow's limit (s)


def verify_stage(config: StageConfig, clients: Clients) -> list[Check]:
    """Every check, in a fixed order; a failed one never stops the others."""
    deployed = Deployed()
    return [
        *_functions(config, clients, deployed),
        *_flows(config, clients, deployed),
        *_associations(config, clients, deployed),
        *_invocations(config, clients, deployed),
        *_storage(config, clients),
    ]


def _functions(config: StageConfig, clients: Clients, deployed: Deployed) -> Iterator[Check]:
    for key in HANDLERS:
        name = config.offline.resource_name(key)
        try:
            found = clients.lambda_.get_function_configuration(FunctionName=name)
        except (BotoCoreError, ClientError) as error:
            yield Check(f"function {name}", False, describe_error(error))
            continue
        deployed.functions[key] = found["FunctionArn"]
        state = found.get("State", "Active")
        yield Check(f"function {name}", state == "Active", f"state {state}")


def _flows(config: StageConfig, clients: Clients, deployed: Deployed) -> Iterator[Check]:
    instance = config.offline.instance_arn
    try:
        pages = clients.connect.get_paginator("list_contact_flows").paginate(
            InstanceId=instance, ContactFlowTypes=["CONTACT_FLOW"]
        )
        for page in pages:
            for summary in page.get("ContactFlowSummaryList", []):
                deployed.flows[summary["Name"]] = summary["Arn"]
    except (BotoCoreError, ClientError) as error:
        yield Check("flows", False, f"cannot list the instance's flows: {describe_error(error)}")
        return
    specs = config.offline.flows  # every mode in every language the stage lists
    stage_flow_arns = {deployed.flows.get(config.offline.resource_name(spec.key)) for spec in specs}
    for spec in specs:
        name = config.offline.resource_name(spec.key)
        arn = deployed.flows.get(name)
        if arn is None:
            yield Check(f"flow {name}", False, "no flow of this name on the instance")
            continue
        try:
            flow = clients.connect.describe_contact_flow(InstanceId=instance, ContactFlowId=arn)
        except (BotoCoreError, ClientError) as error:
            yield Check(f"flow {name}", False, describe_error(error))
            continue
        problems = _flow_problems(spec, flow["ContactFlow"], config, deployed, stage_flow_arns)
        detail = "; ".join(problems) or "published, active, references this stage's resources"
        yield Check(f"flow {name}", not problems, detail)


def _flow_problems(
    spec: FlowSpec,
    flow: Mapping[str, Any],
    config: StageConfig,
    deployed: Deployed,
    stage_flow_arns: set[str | None],
) -> list[str]:
    problems = []
    if flow.get("State") != FLOW_ACTIVE:
        problems.append(f"state {flow.get('State')}, expected {FLOW_ACTIVE}")
    if flow.get("Status") != FLOW_PUBLISHED:
        problems.append(f"status {flow.get('Status')}, expected {FLOW_PUBLISHED}")
    try:
        content = json.loads(flow.get("Content") or "")
    except ValueError:
        return [*problems, "content is not JSON"]
    texts = set(_strings(content))
    stage_functions = set(deployed.functions.values())
    for key in spec.functions:
        arn = deployed.functions.get(key)
        if arn is not None and arn not in texts:
            problems.append(f"does not call {config.offline.resource_name(key)}")
    foreign = sorted(t for t in texts if ":lambda:" in t and t not in stage_functions)
    if foreign and len(stage_functions) == len(HANDLERS):
        problems.append(f"calls a function of another stage: {foreign[0]}")
    if spec.survey_flow is not None:
        survey_arn = deployed.flows.get(config.offline.resource_name(spec.survey_flow))
        if survey_arn is not None and survey_arn not in texts:
            problems.append(f"does not set {config.offline.resource_name(spec.survey_flow)}")
    for _, language_flow in spec.language_flows:
        language_arn = deployed.flows.get(config.offline.resource_name(language_flow))
        if language_arn is not None and language_arn not in texts:
            problems.append(
                f"does not hand callers to {config.offline.resource_name(language_flow)}"
            )
    other_flows = sorted(t for t in texts if "/contact-flow/" in t and t not in stage_flow_arns)
    if other_flows:
        problems.append(f"names a flow that is not one of this stage's: {other_flows[0]}")
    for action in content.get("Actions", []) if isinstance(content, dict) else []:
        if isinstance(action, dict) and action.get("Type") == INVOKE_ACTION:
            parameters = action.get("Parameters", {})
            arn = parameters.get("LambdaFunctionARN")
            limit = parameters.get("InvocationTimeLimitSeconds")
            if isinstance(arn, str) and str(limit).isdecimal():
                deployed.limits[arn] = min(int(limit), deployed.limits.get(arn, int(limit)))
    return problems


def _associations(config: StageConfig, clients: Clients, deployed: Deployed) -> Iterator[Check]:
    try:
        pages = clients.connect.get_paginator("list_integration_associations").paginate(
            InstanceId=config.offline.instance_arn, IntegrationType="LAMBDA_FUNCTION"
        )
        associated = {
            summary.get("IntegrationArn")
            for page in pages
            for summary in page.get("IntegrationAssociationSummaryList", [])
        }
    except (BotoCoreError, ClientError) as error:
        yield Check("integrations", False, f"cannot list associations: {describe_error(error)}")
        return
    for key, arn in deployed.functions.items():
        name = config.offline.resource_name(key)
        yield Check(
            f"integration {name}",
            arn in associated,
            "associated with the instance"
            if arn in associated
            else "not associated: Connect cannot call it",
        )


def _invocations(config: StageConfig, clients: Clients, deployed: Deployed) -> Iterator[Check]:
    expected = expected_answers()
    for key, arn in deployed.functions.items():
        name = f"invoke {config.offline.resource_name(key)}"
        limit = deployed.limits.get(arn, CONNECT_FLOW_LIMIT_SECONDS)
        event = verification_event(config, parameters=_verification_parameters(config, key))
        started = clients.clock()
        try:
            response = clients.lambda_.invoke(
                FunctionName=arn, InvocationType="RequestResponse", Payload=json.dumps(event)
            )
            payload = response["Payload"].read()
        except (BotoCoreError, ClientError) as error:
            yield Check(name, False, describe_error(error))
            continue
        elapsed = clients.clock() - started
        if response.get("FunctionError"):
            yield Check(name, False, f"the function failed: {payload[:200]!r}")
            continue
        try:
            answer = json.loads(payload)
        except ValueError:
            answer = None
        wanted = expected[key]
        if not isinstance(answer, dict) or any(answer.get(k) != v for k, v in wanted.items()):
            yield Check(name, False, f"answered {answer!r}, expected {wanted!r}")
        elif elapsed > limit:
            yield Check(name, False, f"answered in {elapsed:.1f} s, over the flow's {limit} s")
        else:
            yield Check(
                name, True, f"answered in {elapsed:.1f} s (limit {limit} s), stored nothing"
            )


def _storage(config: StageConfig, clients: Clients) -> Iterator[Check]:
    stack = stack_name(config)
    try:
        [found] = clients.cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except (BotoCoreError, ClientError, ValueError) as error:
        yield Check(f"stack {stack}", False, describe_error(error))
        return
    outputs = {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}
    table, topic = outputs.get(RESULTS_TABLE_OUTPUT), outputs.get(ALERT_TOPIC_OUTPUT)
    if table is None:
        yield Check("table", False, f"stack {stack} has no output {RESULTS_TABLE_OUTPUT}")
    else:
        try:
            status = clients.dynamodb.describe_table(TableName=table)["Table"]["TableStatus"]
            yield Check(f"table {table}", status == "ACTIVE", f"status {status}")
        except (BotoCoreError, ClientError) as error:
            yield Check(f"table {table}", False, describe_error(error))
    if topic is None:
        yield Check("alert topic", False, f"stack {stack} has no output {ALERT_TOPIC_OUTPUT}")
    else:
        try:
            clients.sns.get_topic_attributes(TopicArn=topic)
            yield Check(f"alert topic {topic}", True, "exists")
        except (BotoCoreError, ClientError) as error:
            yield Check(f"alert topic {topic}", False, describe_error(error))


def verification_event(config: StageConfig, *, parameters: Mapping[str, str]) -> dict[str, Any]:
    """A Connect contact flow event that the handlers recognise and store nothing for."""
    contact_id = str(uuid.uuid4())
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": {},
                "Channel": "VOICE",
                "ContactId": contact_id,
                "InitialContactId": contact_id,
                "InitiationMethod": "API",
                "InstanceARN": config.offline.instance_arn,
            },
            "Parameters": {**parameters, PARAM_VERIFICATION: TRUE},
        },
    }


def _verification_parameters(config: StageConfig, key: str) -> dict[str, str]:
    if key == SCORE_FUNCTION:
        question = config.offline.inputs.survey.questions[0].key
        return {PARAM_QUESTION: question, PARAM_DIGITS: str(config.offline.inputs.survey.scale_max)}
    return {PARAM_MODE: MODE_ON_DEMAND}


def expected_answers() -> dict[str, dict[str, str | None]]:
    """What each function must answer a verification event with (other keys may differ): each
    says "verification", having stored, sent and (eligibility) read nothing."""
    return {
        SCORE_FUNCTION: {VALID: TRUE, STORED: FALSE, REASON: REASON_VERIFICATION},
        FINISH_FUNCTION: {ESCALATE: FALSE, REASON: REASON_VERIFICATION},
        ELIGIBILITY_FUNCTION: {REASON: REASON_VERIFICATION},
    }


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def describe_error(error: Exception) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    return str(error) or type(error).__name__

"""The embedded AWS the simulator runs the project's handlers against (moto, in process).

It creates what the stack defines for the handlers — the results table (the contract's shape,
with its stream), the alert topic, the stage's alert bus — and runs the outbox: after every
handler call the table's new stream records go to the real alert function, as the event source
mapping delivers them in AWS. Every alert published successfully (SNS Publish, EventBridge
PutEvents, seen on the SDK's own event hooks) is recorded, so a call's stored answers and alerts
can be read back afterwards.

The alert function gets no Lambda context here, so it never waits out a claim another sender
left (it has no deadline to measure a wait against): such a contact is retried by the stream and
can end in the dead letters where, in AWS, the invocation would have waited. Lost replies,
crashes and outcome writes DynamoDB refused leave such claims; of these, only the last can be
injected here (`--fail-service dynamodb`).
"""

from __future__ import annotations

import json
import os
import secrets
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Metrics

from connect_survey.flows.catalog import FOLLOW_UP_TASK, HANDLERS
from connect_survey.lambda_asset.survey import aws, contract, sampling, telemetry
from connect_survey.lambda_asset.survey.channels.events import BUS_NAME
from connect_survey.lambda_asset.survey.channels.sns import TOPIC_ARN
from connect_survey.lambda_asset.survey.channels.task import FLOW_ARN as TASK_FLOW_ARN
from connect_survey.lambda_asset.survey.channels.task import SETTINGS as TASK_SETTINGS
from connect_survey.lambda_asset.survey.channels.task import flow_ids
from connect_survey.lambda_asset.survey.environment import handler_environment
from connect_survey.lambda_asset.survey.items import (
    Answer,
    CooldownRecord,
    Summary,
    result_item,
    serialize,
)
from connect_survey.simulator.connect_tasks import EmbeddedTasks, Task
from connect_survey.simulator.stream import EmbeddedTableStream

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage

REQUEST_KEY = "connect_survey_request"
TABLE_NAME = "survey-results"
TOPIC_NAME = "survey-alerts"
COOLDOWN_TABLE_NAME = "survey-caller-cooldown"
CALLER_SECRET_NAME = "survey-caller-key"
SANDBOX_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "simulator",
    "AWS_SECRET_ACCESS_KEY": "simulator",
    "AWS_SESSION_TOKEN": "simulator",
    "AWS_EC2_METADATA_DISABLED": "true",
    # The handlers' metric and log lines would drown the transcript (and break --json): the
    # outbox's retries log errors by design, and the report shows what they led to.
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
}

NO_METRICS_WARNING = "No application metrics to publish"
Handler = Callable[[dict[str, Any], Any], Any]
# Services a simulated outage can hit (--fail-service), by the name botocore's events use.
FAILABLE_SERVICES = {
    "sns": "sns",
    "events": "eventbridge",
    "dynamodb": "dynamodb",
    "connect": "connect",  # StartTaskContact, the follow-up task channel's call
}
# Eligibility decides with the sampling policy; score starts the cooldown on an answer.
SAMPLING_FUNCTIONS = (contract.ELIGIBILITY_FUNCTION, contract.SCORE_FUNCTION)
_running = False


class Sandbox:
    """The project's handlers, each called with the environment the stack gives it."""

    def __init__(self, stage: OfflineStage, region: str) -> None:
        self.stage = stage
        self.region = region
        self._session: Any = None
        self._clients: dict[str, Any] = {}  # the sandbox's own reads, one client per service
        self._callers_remembered = False  # whether a cooldown record may exist
        self._alerts: list[dict[str, Any]] = []
        self._failures: dict[str, int] = {}
        # moto has no StartTaskContact: the embedded Connect answers it and keeps the tasks.
        self.tasks: EmbeddedTasks | None = None
        if stage.follow_up is not None:
            self.tasks = EmbeddedTasks(flow_ids={self._task_flow_id})
        self.running = False

    @property
    def _task_flow_id(self) -> str:
        return flow_ids(self.stage.flow_arn(FOLLOW_UP_TASK))[1]

    def start(self) -> None:
        import boto3

        session = boto3.session.Session(region_name=self.region)
        self._session = session
        dynamodb = session.client("dynamodb")
        contract.RESULTS_TABLE.create(dynamodb, TABLE_NAME)
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        self.stream = EmbeddedTableStream(
            client=None, stream_arn=stream_arn, shard=_stream_shard(stream_arn)
        )
        self.topic_arn = session.client("sns").create_topic(Name=TOPIC_NAME)["TopicArn"]
        # moto does not enforce the bus's resource policy (only the alert function may put
        # events on it); the stack's tests check that policy.
        self.bus_name = self.stage.resource_name(contract.ALERT_EVENT_BUS)
        session.client("events").create_event_bus(Name=self.bus_name)
        self._create_cooldown_store(session)
        # Handlers build their clients from boto3's default session: watch what they publish.
        boto3.setup_default_session(region_name=self.region)
        hooks = boto3.DEFAULT_SESSION.events
        for channel, operation in (
            ("sns", "sns.Publish"),
            ("sns", "sns.PublishBatch"),
            ("eventbridge", "events.PutEvents"),
        ):
            hooks.register(f"provide-client-params.{operation}", _remember_request)
            hooks.register(f"after-call.{operation}", self._recorder(channel))
        hooks.register("before-call", self._injected_failure)
        if self.tasks is not None:  # after the injected failures, which answer first
            self.tasks.attach(hooks)
        hooks.register("provide-client-params.dynamodb.PutItem", self._note_cooldown)
        aws.reset_clients()  # handler clients are built inside the mock from here on
        self.running = True

    def fail_next(self, service: str, calls: int) -> None:
        """Make the handlers' next `calls` calls to `service` (sns, events, dynamodb, connect)
        fail (500)."""
        self._failures[FAILABLE_SERVICES[service]] = calls

    def _injected_failure(self, event_name: str, **_: Any) -> Any:
        service = event_name.split(".")[1]
        if self._failures.get(service, 0) <= 0:
            return None
        self._failures[service] -= 1
        error = {"Code": "InternalFailure", "Message": "simulated outage (--fail-service)"}
        return _FailedResponse(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 500}}

    def drain(self) -> None:
        """Deliver the stream until nothing is left to retry (or only dead letters remain)."""
        os.environ.update(self._environment(contract.ALERT_FUNCTION))
        self.stream.drain(_entry_point(contract.ALERT_ENTRY_POINT))
        Metrics().clear_metrics()

    def _create_cooldown_store(self, session: Any) -> None:
        """The cooldown table and the caller-key secret, as the stack creates them."""
        contract.COOLDOWN_TABLE.create(session.client("dynamodb"), COOLDOWN_TABLE_NAME)
        self.caller_secret = secrets.token_hex(32)
        self.caller_secret_arn = session.client("secretsmanager").create_secret(
            Name=CALLER_SECRET_NAME, SecretString=self.caller_secret
        )["ARN"]
        sampling.caller_secrets.clear()

    def remember_caller(self, number: str, *, days_ago: int) -> None:
        """Preload a past survey of the caller, keyed as the stack keys it."""
        at = datetime.now(UTC) - timedelta(days=days_ago)
        key = sampling.caller_key(number, self.caller_secret.encode("utf-8"))
        self._callers_remembered = True
        record = CooldownRecord.started(key, at, self.stage.inputs.sampling.cooldown_days)
        self.client("dynamodb").put_item(TableName=COOLDOWN_TABLE_NAME, Item=record.to_item())

    def _note_cooldown(self, params: Mapping[str, Any], **_: Any) -> None:
        if params.get("TableName") == COOLDOWN_TABLE_NAME:
            self._callers_remembered = True

    def forget_callers(self) -> None:
        """Drop every cooldown record, so calls that follow do not depend on those before."""
        if not self._callers_remembered:
            return
        self._callers_remembered = False
        client = self.client("dynamodb")
        key = contract.COOLDOWN_TABLE.partition_key
        for item in client.scan(TableName=COOLDOWN_TABLE_NAME, ProjectionExpression=key)["Items"]:
            client.delete_item(TableName=COOLDOWN_TABLE_NAME, Key={key: item[key]})

    def client(self, service: str) -> Any:
        """A client of the embedded AWS, to read or change what the handlers see."""
        # Outside moto a client would reach real AWS: refuse rather than call out.
        if not self.running:
            raise RuntimeError("the embedded AWS has stopped; read results inside the simulation")
        if service not in self._clients:  # building a client costs more than most calls
            self._clients[service] = self._session.client(service)
        return self._clients[service]

    def functions(self) -> dict[str, Handler]:
        """The project's Lambda ARNs mapped to its handlers."""
        return {
            self.stage.function_arn(key): self._handler(key, path) for key, path in HANDLERS.items()
        }

    def _handler(self, key: str, path: str) -> Handler:
        target = _entry_point(path)
        environment = self._environment(key)
        alert_handler = _entry_point(contract.ALERT_ENTRY_POINT)
        alert_environment = self._environment(contract.ALERT_FUNCTION)

        def call(event: dict[str, Any], context: Any) -> Any:
            os.environ.update(environment)
            try:
                return target(event, context)
            finally:
                # The outbox: what the call stored reaches the alert function at once.
                os.environ.update(alert_environment)
                self.stream.deliver(alert_handler)
                # With metrics disabled Powertools never empties its shared buffer, and at 100
                # values it prints a metrics line to stdout, into the simulator's own output.
                Metrics().clear_metrics()

        return call

    def _environment(self, key: str) -> dict[str, str]:
        environment = handler_environment(
            function_name=self.stage.resource_name(key),
            table_name=TABLE_NAME,
            survey=self.stage.inputs.survey,
            retention_days=self.stage.retention_days,
        )
        if key == contract.ALERT_FUNCTION:  # its channels' settings, as their constructs give
            environment.update({TOPIC_ARN: self.topic_arn, BUS_NAME: self.bus_name})
            if self.stage.follow_up is not None:
                environment.update({
                    TASK_FLOW_ARN: self.stage.flow_arn(FOLLOW_UP_TASK),
                    TASK_SETTINGS: self.stage.follow_up.settings.to_env(),
                })  # fmt: skip
        if key in SAMPLING_FUNCTIONS:
            environment.update(
                sampling.sampling_environment(
                    policy=self.stage.inputs.sampling,
                    cooldown_table=COOLDOWN_TABLE_NAME,
                    secret_arn=(
                        self.caller_secret_arn if key == contract.ELIGIBILITY_FUNCTION else None
                    ),
                )
            )
        return environment

    def answers(self, contact_id: str) -> list[Answer]:
        """The answers stored for one contact, in question order."""
        order = [q.key for q in self.stage.inputs.survey.questions]
        response = self.client("dynamodb").query(
            TableName=TABLE_NAME,
            KeyConditionExpression="#pk = :id",
            ExpressionAttributeNames={"#pk": contract.TABLE_PARTITION_KEY},
            ExpressionAttributeValues={":id": serialize(contact_id)},
            ConsistentRead=True,
        )
        stored = (result_item(item) for item in response["Items"])
        answers = [item for item in stored if isinstance(item, Answer) and item.question in order]
        return sorted(answers, key=lambda answer: order.index(answer.question))

    def results(self, contact_id: str) -> list[dict[str, str]]:
        """The answers stored for one contact, in question order, as the report shows them."""
        return [
            {"attribute": answer.attribute or "", "score": str(answer.score)}
            for answer in self.answers(contact_id)
        ]

    def survey_status(self, contact_id: str) -> str | None:
        """The status on the contact's summary item, or None when no summary was stored."""
        item = (
            self.client("dynamodb")
            .get_item(TableName=TABLE_NAME, Key=Summary.key(contact_id), ConsistentRead=True)
            .get("Item")
        )
        return Summary.from_item(item).status if item else None

    def _recorder(self, channel: str) -> Callable[..., None]:
        def record(http_response: Any, parsed: Mapping[str, Any], context: Any, **_: Any) -> None:
            request = context.get(REQUEST_KEY)
            if http_response.status_code >= 300 or request is None:
                return
            if channel == "sns":
                # Publish sends one message; PublishBatch those its reply lists as successful.
                sent = {entry.get("Id") for entry in parsed.get("Successful", [])}
                entries = request.get("PublishBatchRequestEntries", [request])
                for entry in entries:
                    if entry is request or entry.get("Id") in sent:
                        self._alerts.append(
                            {"channel": channel, "subject": entry.get("Subject", ""),
                             "message": entry.get("Message", "")}
                        )  # fmt: skip
                return
            for entry, result in zip(
                request.get("Entries", []), parsed.get("Entries", []), strict=False
            ):
                if "EventId" in result:
                    self._alerts.append(
                        {"channel": channel, "detail-type": entry.get("DetailType", ""),
                         "source": entry.get("Source", ""),
                         "detail": _json_or_text(entry.get("Detail", ""))}
                    )  # fmt: skip

        return record

    def alerts(self, contact_id: str) -> list[dict[str, Any]]:
        """The alerts published for one contact: SNS messages and EventBridge events in order,
        then its follow-up tasks."""
        published = [alert for alert in self._alerts if contact_id in json.dumps(alert)]
        tasks = self.tasks.for_contact(contact_id) if self.tasks else []
        return [*published, *(_task_alert(task) for task in tasks)]


class _FailedResponse:
    """The HTTP side of an injected 500: botocore reads only the status code here."""

    status_code = 500
    headers: dict[str, str] = {}  # noqa: RUF012 (read-only)
    content = b""


def _task_alert(task: Task) -> dict[str, Any]:
    """A follow-up task as the simulator reports it."""
    request = task.request
    references = request.get("References", {})
    return {
        "channel": "task",
        "name": request.get("Name", ""),
        "description": request.get("Description", ""),
        "queue": task.routing.get("queue"),
        "routing": task.routing.get("outcome"),
        "references": {name: ref.get("Value") for name, ref in references.items()},
        "relatedContactId": task.related_contact_id,
        "attributes": task.attributes,
        "taskContactId": task.contact_id,
        "clientToken": request.get("ClientToken"),
        "scheduledTime": request.get("ScheduledTime"),
        "expiryMinutes": request.get("SegmentAttributes", {})
        .get("connect:ContactExpiry", {})
        .get("ValueMap", {})
        .get("ExpiryDuration", {})
        .get("ValueInteger"),
    }


def _stream_shard(stream_arn: str) -> Any:
    """moto's record of the table's stream (arn:aws:dynamodb:region:account:table/name/...)."""
    from moto.dynamodb.models import dynamodb_backends

    _, _, _, region, account, resource = stream_arn.split(":", 5)
    table = resource.split("/")[1]
    return dynamodb_backends[account][region].get_table(table).stream_shard


def _entry_point(path: str) -> Handler:
    module_name, _, function_name = path.rpartition(".")
    handler: Handler = getattr(
        import_module(f"connect_survey.lambda_asset.{module_name}"), function_name
    )
    return handler


def _remember_request(params: Mapping[str, Any], context: Any, **_: Any) -> None:
    context[REQUEST_KEY] = dict(params)


@contextmanager
def embedded_aws(stage: OfflineStage) -> Iterator[Sandbox]:
    """A started sandbox inside moto, with fake credentials; the environment is restored after."""
    import boto3
    from moto import mock_aws

    global _running
    if _running:
        # moto shares one state between nested mocks, and handler clients are process-wide.
        raise RuntimeError("an embedded AWS is already running in this process; use that one")
    _running = True
    saved = dict(os.environ)
    os.environ.update({**SANDBOX_ENVIRONMENT, "AWS_DEFAULT_REGION": stage.region})
    # The handlers' logger reads its level when first imported, maybe before this environment.
    saved_level = telemetry.logger.log_level
    telemetry.logger.setLevel(SANDBOX_ENVIRONMENT["POWERTOOLS_LOG_LEVEL"])
    try:
        with mock_aws(), warnings.catch_warnings():
            # A handler answering without a metric (a malformed or mocked-away call) makes
            # Powertools warn on stderr: Lambda's own noise, not the simulator user's.
            warnings.filterwarnings("ignore", NO_METRICS_WARNING, UserWarning)
            sandbox = Sandbox(stage, stage.region)
            sandbox.start()
            try:
                yield sandbox
            finally:
                sandbox.running = False
                boto3.DEFAULT_SESSION = None  # drop the session carrying this sandbox's hooks
    finally:
        _running = False
        telemetry.logger.setLevel(saved_level)
        os.environ.clear()
        os.environ.update(saved)
        aws.reset_clients()


def _json_or_text(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body

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

What the outbox went through is kept in order in `faults`: each injected failure (with the
function that met it), each time the stream delivers records again, each dead letter.

The sandbox reads what a call stored (answers, the survey status) straight from moto's table:
consistent, like the handlers' reads, without a request. Requests go out unsigned (moto checks no
signature) and take moto's shorter paths (`fast_paths`).

A batch the stream gives up on goes to the dead-letter queue (SQS, as the mapping's on-failure
destination), and the real sweeper runs as its schedule would (`sweep`): every
SWEEP_INTERVAL_SECONDS of virtual time, the outbox's clock moved that far ahead.
"""

from __future__ import annotations

import json
import os
import secrets
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import TYPE_CHECKING, Any

import botocore
from aws_lambda_powertools import Metrics

from connect_survey.flows.catalog import FOLLOW_UP_TASK, HANDLERS
from connect_survey.lambda_asset.survey import alert, aws, contract, sampling, telemetry
from connect_survey.lambda_asset.survey.budget import CALL_PATH, SWEEP_INTERVAL_SECONDS
from connect_survey.lambda_asset.survey.channels.events import BUS_NAME
from connect_survey.lambda_asset.survey.channels.sns import TOPIC_ARN
from connect_survey.lambda_asset.survey.channels.task import FLOW_ARN as TASK_FLOW_ARN
from connect_survey.lambda_asset.survey.channels.task import SETTINGS as TASK_SETTINGS
from connect_survey.lambda_asset.survey.channels.task import flow_ids
from connect_survey.lambda_asset.survey.environment import handler_environment
from connect_survey.lambda_asset.survey.items import (
    Answer,
    CooldownRecord,
    ResultItem,
    Summary,
    result_item,
    result_key,
)
from connect_survey.simulator.connect_tasks import EmbeddedTasks, Task
from connect_survey.simulator.fast_paths import fast_paths
from connect_survey.simulator.stream import EmbeddedTableStream

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage

REQUEST_KEY = "connect_survey_request"
TABLE_NAME = "survey-results"
TOPIC_NAME = "survey-alerts"
COOLDOWN_TABLE_NAME = "survey-caller-cooldown"
DEAD_LETTERS_NAME = "survey-alert-dead-letters"
# Sweeps after a call whose stream gave up, at most (an hour of the schedule), until none is left.
MAX_SWEEPS = 30
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
    # The sweeper reads the stream by its ARN, which botocore would send to an account endpoint
    # the embedded AWS does not serve.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}

NO_METRICS_WARNING = "No application metrics to publish"
INJECTED_FAILURE = "simulated outage (--fail-service)"
# What `faults` records: an injected failure, records the stream delivers again, a dead letter.
FAULT_FAILURE = "failure"
FAULT_REDELIVERY = "redelivery"
FAULT_DEAD_LETTER = "dead letter"
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
        self._environments: dict[str, dict[str, str]] = {}
        self.faults: list[dict[str, Any]] = []  # injected failures, redeliveries, dead letters
        self._deliveries: dict[str, int] = {}  # stream sequence number → times delivered
        self._dead_letters_seen = 0
        self._function: str | None = None  # the project's function running now
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
        self._create_resources(session)
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
        for events in (hooks, session.events):  # moto checks no signature: signing is wasted
            events.register("choose-signer", _unsigned)
        aws.reset_clients()  # handler clients are built inside the mock from here on
        self.running = True

    def reset(self) -> None:
        """Empty the embedded AWS and create the stage's resources again: the next call runs as
        on a fresh one (`simulate --calls`) without starting another, keeping the clients and
        the service models they loaded."""
        from moto.core.base_backend import BackendDict

        BackendDict.reset()  # what mock_aws does when it starts
        self._callers_remembered = False
        self._alerts.clear()
        self._failures.clear()
        self._environments.clear()  # the caller-key secret gets a new ARN
        self.faults.clear()
        self._deliveries.clear()
        self._dead_letters_seen = 0
        if self.tasks is not None:
            self.tasks.forget()
        self._create_resources(self._session)

    def _create_resources(self, session: Any) -> None:
        """The stage's table (with its stream), topic, bus and cooldown store, as the stack has."""
        dynamodb = session.client("dynamodb")
        contract.RESULTS_TABLE.create(dynamodb, TABLE_NAME)
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        sqs = session.client("sqs")
        self.dead_letters_url = sqs.create_queue(QueueName=DEAD_LETTERS_NAME)["QueueUrl"]
        self.stream = EmbeddedTableStream(
            client=None,
            stream_arn=stream_arn,
            shard=_stream_shard(stream_arn),
            on_failure=lambda record: sqs.send_message(
                QueueUrl=self.dead_letters_url, MessageBody=json.dumps(record)
            ),
        )
        self.topic_arn = session.client("sns").create_topic(Name=TOPIC_NAME)["TopicArn"]
        # moto does not enforce the bus's resource policy (only the alert function may put
        # events on it); the stack's tests check that policy.
        self.bus_name = self.stage.resource_name(contract.ALERT_EVENT_BUS)
        session.client("events").create_event_bus(Name=self.bus_name)
        self._create_cooldown_store(session)

    def fail_next(self, service: str, calls: int) -> None:
        """Make the handlers' next `calls` calls to `service` (sns, events, dynamodb, connect)
        fail (500)."""
        self._failures[FAILABLE_SERVICES[service]] = calls

    def _injected_failure(self, event_name: str, **_: Any) -> Any:
        service, operation = event_name.split(".")[1:3]
        if self._failures.get(service, 0) <= 0:
            return None
        self._failures[service] -= 1
        error = {"Code": "InternalFailure", "Message": INJECTED_FAILURE}
        self.faults.append(
            {"event": FAULT_FAILURE, "function": self._function, "service": service,
             "operation": operation, "error": error["Code"]}
        )  # fmt: skip
        return _FailedResponse(), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 500}}

    def drain(self) -> None:
        """Deliver the stream until nothing is left to retry (or only dead letters remain)."""
        os.environ.update(self._environment_of(contract.ALERT_FUNCTION))
        self.stream.drain(self._alert_function())
        self._note_dead_letters()
        Metrics().clear_metrics()

    def _alert_function(self) -> Handler:
        """The alert function as the stream invokes it, noting each redelivery in `faults`."""
        handler = _entry_point(contract.ALERT_ENTRY_POINT)
        name = self.stage.resource_name(contract.ALERT_FUNCTION)

        def invoke(event: dict[str, Any], context: Any) -> Any:
            numbers = [str(record["dynamodb"]["SequenceNumber"]) for record in event["Records"]]
            delivery = 1 + max((self._deliveries.get(n, 0) for n in numbers), default=0)
            for number in numbers:
                self._deliveries[number] = self._deliveries.get(number, 0) + 1
            if delivery > 1:
                self.faults.append(
                    {"event": FAULT_REDELIVERY, "function": name, "records": numbers,
                     "delivery": delivery}
                )  # fmt: skip
            self._function = name
            try:
                return handler(event, context)
            finally:
                self._function = None

        return invoke

    def _note_dead_letters(self) -> None:
        """Each batch the stream discarded since the last look, in `faults`."""
        for letter in self.stream.dead_letters[self._dead_letters_seen :]:
            self.faults.append(
                {"event": FAULT_DEAD_LETTER,
                 "function": self.stage.resource_name(contract.ALERT_FUNCTION),
                 "records": letter.sequence_numbers,
                 "attempts": letter.invocation["requestContext"]["approximateInvokeCount"]}
            )  # fmt: skip
        self._dead_letters_seen = len(self.stream.dead_letters)

    def sweep(self, after_seconds: float) -> dict[str, Any]:
        """Run the sweeper `after_seconds` from now (the outbox's clock moved that far ahead);
        its answer, and the alerts it sent."""
        os.environ.update(self._environment_of(contract.SWEEPER_FUNCTION))
        # Sweeps come further apart than the sweeper hides a message it keeps.
        _visible_again(self.dead_letters_url, self.region)
        sent_before = len(self._alerts)
        real_now = alert._now
        alert._now = lambda: real_now() + timedelta(seconds=after_seconds)
        try:
            answer = _entry_point(contract.SWEEPER_ENTRY_POINT)({}, None)
        finally:
            alert._now = real_now
            Metrics().clear_metrics()
        return {"after_seconds": after_seconds, **answer, "alerts": self._alerts[sent_before:]}

    def sweep_until_done(self) -> list[dict[str, Any]]:
        """Sweep as the schedule would, until a sweep leaves no alert unsent and no dead letter
        (at most MAX_SWEEPS); what each did."""
        sweeps = []
        for number in range(1, MAX_SWEEPS + 1):
            sweeps.append(self.sweep(number * SWEEP_INTERVAL_SECONDS))
            found = sweeps[-1].get(contract.PendingWork.ALERT, {})
            letters = sweeps[-1].get("deadLetters", {})
            if found.get("found") == found.get("finished") and letters.get(
                "received"
            ) == letters.get("redriven"):
                break
        return sweeps

    def stream_failed_since(self, invocation: int) -> bool:
        """Whether an alert invocation from the `invocation`-th on failed any record."""
        return any(
            answer.get("error") or (answer.get("response") or {}).get("batchItemFailures")
            for answer in self.stream.invocations[invocation:]
        )

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
        alert_handler = self._alert_function()
        name = self.stage.resource_name(key)

        def call(event: dict[str, Any], context: Any) -> Any:
            os.environ.update(self._environment_of(key))
            self._function = name
            try:
                return target(event, SimulatedClock.of(context))
            finally:
                self._function = None
                # The outbox: what the call stored reaches the alert function at once.
                os.environ.update(self._environment_of(contract.ALERT_FUNCTION))
                self.stream.deliver(alert_handler)
                self._note_dead_letters()
                # With metrics disabled Powertools never empties its shared buffer, and at 100
                # values it prints a metrics line to stdout, into the simulator's own output.
                Metrics().clear_metrics()

        return call

    def _environment_of(self, key: str) -> dict[str, str]:
        """The function's environment, built once per set of resources."""
        if key not in self._environments:
            self._environments[key] = self._environment(key)
        return self._environments[key]

    def _environment(self, key: str) -> dict[str, str]:
        environment = handler_environment(
            function_name=self.stage.resource_name(key),
            table_name=TABLE_NAME,
            survey=self.stage.inputs.survey,
            retention_days=self.stage.retention_days,
        )
        if key in (contract.ALERT_FUNCTION, contract.SWEEPER_FUNCTION):
            # its channels' settings, as their constructs give
            environment.update({TOPIC_ARN: self.topic_arn, BUS_NAME: self.bus_name})
            if self.stage.follow_up is not None:
                environment.update({
                    TASK_FLOW_ARN: self.stage.flow_arn(FOLLOW_UP_TASK),
                    TASK_SETTINGS: self.stage.follow_up.settings.to_env(),
                })  # fmt: skip
        if key == contract.SWEEPER_FUNCTION:
            environment[contract.ENV_DEAD_LETTERS] = self.dead_letters_url
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
        questions = [q.key for q in self.stage.inputs.survey.questions]
        stored = (self._stored(contact_id, question) for question in questions)
        return [item for item in stored if isinstance(item, Answer)]

    def _stored(self, contact_id: str, sort_key: str) -> ResultItem | None:
        """One item of the results table, read from moto's own state (a consistent read)."""
        if not self.running:
            raise RuntimeError("the embedded AWS has stopped; read results inside the simulation")
        from moto.dynamodb.models.dynamo_type import DynamoType

        key = result_key(contact_id, sort_key)
        item = _table(self.stream.stream_arn).get_item(
            DynamoType(key[contract.TABLE_PARTITION_KEY]), DynamoType(key[contract.TABLE_SORT_KEY])
        )
        return None if item is None else result_item(item.to_json()["Attributes"])

    def results(self, contact_id: str) -> list[dict[str, str]]:
        """The answers stored for one contact, in question order, as the report shows them."""
        return [
            {"attribute": answer.attribute or "", "score": str(answer.score)}
            for answer in self.answers(contact_id)
        ]

    def survey_status(self, contact_id: str) -> str | None:
        """The status on the contact's summary item, or None when no summary was stored."""
        item = self._stored(contact_id, contract.SUMMARY_SORT_KEY)
        return item.status if isinstance(item, Summary) else None

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
    """moto's record of the table's stream."""
    return _table(stream_arn).stream_shard


def _table(arn: str) -> Any:
    """moto's table of an ARN (arn:aws:dynamodb:region:account:table/name/...)."""
    from moto.dynamodb.models import dynamodb_backends

    _, _, _, region, account, resource = arn.split(":", 5)
    return dynamodb_backends[account][region].get_table(resource.split("/")[1])


def _unsigned(**_: Any) -> Any:
    return botocore.UNSIGNED


def _visible_again(queue_url: str, region: str) -> None:
    """Every message of the queue visible again (moto counts visibility timeouts in real time)."""
    from moto.sqs.models import sqs_backends

    account, name = queue_url.rstrip("/").split("/")[-2:]
    for message in sqs_backends[account][region].get_queue(name)._messages:
        message.visible_at = 0.0


def _entry_point(path: str) -> Handler:
    module_name, _, function_name = path.rpartition(".")
    handler: Handler = getattr(
        import_module(f"connect_survey.lambda_asset.{module_name}"), function_name
    )
    return handler


@dataclass(frozen=True)
class SimulatedClock:
    """The engine's Lambda context on the simulator's clock. The embedded AWS answers at once, so
    no simulated time passes inside a handler: the time left stays what it was when the flow
    invoked it (at most the function timeout), and however slow the machine running the
    simulation, no handler abandons a call at its deadline. (The engine's own time limits are
    off too: `enforce_time_limits=False`.)"""

    context: Any
    remaining_ms: int

    @classmethod
    def of(cls, context: Any) -> Any:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if not callable(remaining):
            return context
        # Read a moment after the flow set it: round back to the flow's whole-second limit.
        limit_ms = round(float(remaining()) / 1000) * 1000
        return cls(context, min(limit_ms, CALL_PATH.function_timeout_seconds * 1000))

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms

    def __getattr__(self, name: str) -> Any:
        return getattr(self.context, name)


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
        with mock_aws(), fast_paths(), warnings.catch_warnings():
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

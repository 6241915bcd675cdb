"""Handler fixtures: the stack's environment, moto-backed AWS, and ways to read what was sent."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto import mock_aws

from connect_survey.config.follow_up import FollowUpSettings
from connect_survey.lambda_asset.survey import alert, aws, finish, score
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.channels.events import BUS_NAME
from connect_survey.lambda_asset.survey.channels.sns import TOPIC_ARN as TOPIC_ARN_VARIABLE
from connect_survey.lambda_asset.survey.channels.task import FLOW_ARN as TASK_FLOW_ARN_VARIABLE
from connect_survey.lambda_asset.survey.channels.task import SETTINGS as TASK_SETTINGS_VARIABLE
from connect_survey.lambda_asset.survey.contract import (
    ENV_RETENTION_DAYS,
    ENV_SURVEY,
    ENV_TABLE,
    EVENT_SOURCE,
    METRICS_NAMESPACE,
    RESULTS_TABLE,
)
from connect_survey.lambda_asset.survey.definition import SurveyDefinition
from connect_survey.lambda_asset.survey.outbox import (
    CLAIM_SECONDS,
    ChannelState,
    ClaimResult,
    channel_state,
    claim_channels,
    mark_channels_sent,
    read_outbox,
)
from connect_survey.lambda_asset.survey.telemetry import logger
from connect_survey.simulator.connect_tasks import EmbeddedTasks
from connect_survey.simulator.stream import TableStream

REGION = "us-east-1"
ACCOUNT = "123456789012"
TABLE = "survey-results-test"
TOPIC = "survey-alerts-test"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"

Handler = Callable[..., dict[str, str]]


# One channel at a time, for tests of the outbox protocol (the alert function works in batches).
def claim_channel(
    table: str, contact_id: str, channel: str, *, token: str, now: datetime, retention_days: int
) -> ClaimResult:
    """Claim `channel` for the invocation holding `token`, unless it is sent or claimed live."""
    return claim_channels(
        table, contact_id, [channel], token=token, now=now, retention_days=retention_days
    )[channel]


def mark_channel_sent(
    table: str, contact_id: str, channel: str, *, token: str, now: datetime
) -> None:
    """Record that `channel` was sent and drop our claim (someone who took it over keeps theirs)."""
    mark_channels_sent(table, contact_id, [channel], token=token, now=now)


def read_state(table: str, contact_id: str, channel: str) -> ChannelState:
    return channel_state(read_outbox(table, contact_id), channel)


def assert_flat_string_map(answer: object) -> dict[str, str]:
    """What Connect's STRING_MAP response accepts: string keys and values, nothing nested."""
    assert isinstance(answer, dict), answer
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()), answer
    return answer


@dataclass
class FakeContext:
    """The part of the Lambda context the handlers read."""

    remaining_ms: int = 8000
    aws_request_id: str = "test-request-id"
    function_name: str = "survey-test"

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class CountdownContext:
    """The Lambda context of an invocation started now: its time left runs down in real time from
    the call path's function timeout."""

    started: float = field(default_factory=time.monotonic)
    aws_request_id: str = "budget-test"
    seconds: float = CALL_PATH.function_timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.started + self.seconds - time.monotonic()) * 1000)


def warm_clients() -> None:
    """Create the handlers' clients before a timed invocation, as a warm function has them: the
    timing tests measure what the network does, not how long a loaded test machine takes to
    build a client (CPU the deadline cannot give back)."""
    for service in ("dynamodb", "secretsmanager"):
        aws.client(service)


def metric_names(output: str) -> list[str]:
    """The metrics in the EMF lines of `output`, in order."""
    blobs = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return [
        metric["Name"]
        for blob in blobs
        for directive in blob["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]
    ]


@pytest.fixture
def lambda_context() -> Callable[..., FakeContext]:
    """Build a context with `remaining_ms` left in the invocation."""
    return FakeContext


@pytest.fixture(autouse=True)
def handler_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the stack sets on both functions."""
    monkeypatch.setenv(ENV_TABLE, TABLE)
    monkeypatch.setenv(TOPIC_ARN_VARIABLE, TOPIC_ARN)
    monkeypatch.setenv(BUS_NAME, "default")
    monkeypatch.setenv(ENV_SURVEY, SurveyDefinition().to_env())
    monkeypatch.setenv(ENV_RETENTION_DAYS, "365")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "connect-survey-test")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)


@pytest.fixture(autouse=True)
def mocked_aws() -> Iterator[None]:
    """Every test runs against its own empty moto account, with fresh handler clients."""
    with mock_aws():
        aws.reset_clients()
        yield
    aws.reset_clients()


@pytest.fixture
def results_table() -> Any:
    """The results table as the stack defines it (its shape from the contract)."""
    RESULTS_TABLE.create(boto3.client("dynamodb", region_name=REGION), TABLE)
    return boto3.resource("dynamodb", region_name=REGION).Table(TABLE)


class Inbox:
    """An SQS queue that receives what SNS or EventBridge delivered."""

    def __init__(self, name: str) -> None:
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def bodies(self) -> list[dict[str, Any]]:
        """All messages delivered so far (drains the queue)."""
        found: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return found


@pytest.fixture
def alert_topic() -> Inbox:
    """The alert topic with a subscribed queue; bodies() are SNS envelopes (Subject, Message)."""
    sns = boto3.client("sns", region_name=REGION)
    sns.create_topic(Name=TOPIC)
    inbox = Inbox("alert-topic-inbox")
    sns.subscribe(TopicArn=TOPIC_ARN, Protocol="sqs", Endpoint=inbox.arn)
    return inbox


@pytest.fixture
def alert_bus() -> Inbox:
    """A rule on the default bus for our events; bodies() are EventBridge events."""
    events = boto3.client("events", region_name=REGION)
    inbox = Inbox("alert-bus-inbox")
    events.put_rule(Name="survey-alerts", EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
    events.put_targets(Rule="survey-alerts", Targets=[{"Id": "inbox", "Arn": inbox.arn}])
    return inbox


@pytest.fixture
def score_handler() -> Handler:
    """The score handler, checked to answer a flat string map on every call."""

    def invoke(event: object, context: object = None) -> dict[str, str]:
        return assert_flat_string_map(score.handler(event, context))

    return invoke


@pytest.fixture
def finish_handler() -> Handler:
    """The finish handler, checked to answer a flat string map on every call."""

    def invoke(event: object, context: object = None) -> dict[str, str]:
        return assert_flat_string_map(finish.handler(event, context))

    return invoke


@pytest.fixture
def captured_output(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    """Everything the handlers write: log lines formatted exactly as in Lambda, and EMF metrics.

    Powertools' own handler keeps the stdout of import time, which capsys cannot see, so a second
    handler with the same formatter writes the log lines to a buffer for the test.
    """
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield lambda: buffer.getvalue() + capsys.readouterr().out
    logging.getLogger(logger.service).removeHandler(handler)


class Outbox:
    """The results table's stream delivered to the real alert function, as the mapping does."""

    def __init__(self) -> None:
        # Calls naming a stream ARN resolve to an account endpoint moto does not serve.
        client = boto3.client(
            "dynamodbstreams",
            region_name=REGION,
            endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
        )
        arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=TABLE)
        self.stream = TableStream(client=client, stream_arn=arn["Table"]["LatestStreamArn"])

    def deliver(self, context: object = None) -> int:
        """Deliver what is new (and what is due again); the number of records left to retry."""
        return self.stream.deliver(alert.handler, context)


@pytest.fixture
def outbox(results_table: Any) -> Outbox:
    return Outbox()


class Faults:
    """Faults on the handler's clients: the next `times` calls of one operation fail."""

    def __init__(self) -> None:
        self.remaining: dict[str, int] = {}

    def _due(self, key: str) -> bool:
        if self.remaining.get(key, 0) <= 0:
            return False
        self.remaining[key] -= 1
        return True

    def error_reply(self, client: Any, operation: str, status: int = 500, times: int = 1) -> None:
        """The service answers with an error; the request never reached the embedded AWS."""
        key = f"error:{operation}"
        self.remaining[key] = times

        def reply(**_: Any) -> Any:
            if not self._due(key):
                return None
            http = AWSResponse("https://fault", status, {}, None)
            error = {"Code": "InternalFailure", "Message": "injected"}
            return http, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}

        client.meta.events.register(f"before-call.*.{operation}", reply)

    def raise_before(
        self, client: Any, operation: str, error: BaseException, times: int = 1
    ) -> None:
        """The call fails before reaching the embedded AWS (refused, unparsable, killed)."""
        key = f"before:{operation}"
        self.remaining[key] = times

        def fail(**_: Any) -> None:
            if self._due(key):
                raise error

        client.meta.events.register(f"before-call.*.{operation}", fail)

    def lose_reply(self, client: Any, operation: str, times: int = 1) -> None:
        """The embedded AWS processed the request; its reply never arrives (a read timeout)."""
        key = f"lost:{operation}"
        self.remaining[key] = times

        def lose(request: Any, **_: Any) -> None:
            target = request.headers.get("X-Amz-Target", b"")
            body = request.body or b""
            named = operation in str(target) or f"Action={operation}".encode() in _bytes(body)
            if named and self._due(key):
                raise ReadTimeoutError(endpoint_url=request.url)

        # moto answers on the generic before-send: registered last there, this runs after moto
        # has processed the call (a handler on a more specific event name would run before it).
        client.meta.events.register_last("before-send", lose)


def _bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else str(body).encode()


@pytest.fixture
def faults() -> Faults:
    return Faults()


class Clock:
    """The alert function's clock, moved only by its own sleeps (and `after_sleep` hooks)."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)
        self.slept: list[float] = []
        self.after_sleep: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)
        self.slept.append(seconds)
        for hook in self.after_sleep:
            hook()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The alert function sleeps in virtual time: a wait costs the test nothing."""
    virtual = Clock()
    monkeypatch.setattr(alert, "_now", virtual.now)
    monkeypatch.setattr(alert, "_sleep", virtual.sleep)
    return virtual


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Move the alert function's clock past every claim's expiry."""

    def advance() -> None:
        shifted = datetime.now(UTC) + timedelta(seconds=CLAIM_SECONDS + 1)
        monkeypatch.setattr(alert, "_now", lambda: shifted)

    return advance


# The follow-up task channel: on as a stage with `followUp` has it, Connect answered in process.
TASK_INSTANCE_ID = "11111111-2222-4333-8444-555555555555"
TASK_FLOW_ID = "0f0e0d0c-0b0a-4908-8706-050403020100"
TASK_FLOW_ARN = (
    f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{TASK_INSTANCE_ID}/contact-flow/{TASK_FLOW_ID}"
)


@pytest.fixture
def follow_up_tasks(monkeypatch: pytest.MonkeyPatch) -> EmbeddedTasks:
    """The task channel configured with the built-in texts in English and Korean; the tasks
    Connect started are in `.tasks` (StartTaskContact answered in process, ClientToken honoured)."""
    settings = FollowUpSettings().task_settings(["en-US", "ko-KR"])
    monkeypatch.setenv(TASK_FLOW_ARN_VARIABLE, TASK_FLOW_ARN)
    monkeypatch.setenv(TASK_SETTINGS_VARIABLE, settings.to_env())
    tasks = EmbeddedTasks(flow_ids={TASK_FLOW_ID})
    tasks.attach(aws.publisher("connect").meta.events)
    return tasks

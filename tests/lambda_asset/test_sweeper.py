"""The sweeper delivers every alert the stream's retries gave up on, exactly once, once the channel
is back (issue 17, D.3): it finds unsent outbox items through the sparse index, sends them with
the alert function's own claim-and-send code, and redrives the dead letters through it.

The stream retries at once, back to back (Lambda documents no pause), into invocations too short
to wait out a claim, so every retry is spent while the fault lasts; the clock is virtual.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from connect_survey.lambda_asset.survey import aws, sweeper
from connect_survey.lambda_asset.survey.budget import (
    ALERT_FUNCTION_TIMEOUT_SECONDS,
    SWEEP_AFTER_SECONDS,
    SWEEP_INTERVAL_SECONDS,
)
from connect_survey.lambda_asset.survey.contract import (
    ENV_DEAD_LETTERS,
    PENDING_INDEX,
    PENDING_WORK,
    PendingWork,
)
from tests.lambda_asset.conftest import REGION, TABLE
from tests.lambda_asset.test_alert_fast_retries import Crash, drain, metric_total

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
# Too short to wait out a 20 s claim and deliver after it: each retry gives the record back.
SHORT_MS = 25_000
OUTAGE = timedelta(seconds=60)


@pytest.fixture
def answer(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    def store(contact_id: str = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5", **digits: str) -> None:
        for question, value in digits.items():
            parameters = {"question": question, "digits": value, "mode": "escalation"}
            event = load_event(ALL, parameters=parameters)
            event["Details"]["ContactData"]["ContactId"] = contact_id
            assert score_handler(event)["stored"] == "true"

    return store


@pytest.fixture
def dead_letters(outbox: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """The mapping's on-failure destination: an SQS queue the sweeper is told of."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="alert-dead-letters")["QueueUrl"]
    outbox.stream.on_failure = lambda record: sqs.send_message(
        QueueUrl=url, MessageBody=json.dumps(record)
    )
    monkeypatch.setenv(ENV_DEAD_LETTERS, url)
    # The sweeper reads the stream by its ARN: no account endpoint in the embedded AWS.
    monkeypatch.setenv("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")
    aws.reset_clients()
    return url


def queued(url: str) -> int:
    attributes = boto3.client("sqs", region_name=REGION).get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def marked(work: PendingWork) -> int:
    items = boto3.client("dynamodb", region_name=REGION).scan(
        TableName=TABLE, IndexName=PENDING_INDEX
    )["Items"]
    return sum(1 for item in items if item[PENDING_WORK]["S"] == work)


def sweep(clock: Any, lambda_context: Any) -> dict[str, dict[str, int]]:
    """One scheduled sweep, an interval after the last one."""
    clock.moment += timedelta(seconds=SWEEP_INTERVAL_SECONDS)
    return sweeper.handler({}, lambda_context(remaining_ms=ALERT_FUNCTION_TIMEOUT_SECONDS * 1000))


def test_sweeper_delivers_once_after_a_crash_between_claim_and_send(
    answer: Any,
    outbox: Any,
    dead_letters: str,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    clock: Any,
    lambda_context: Any,
    captured_output: Any,
) -> None:
    # GIVEN two low answers whose sender died after claiming, before sending, and retries that
    # all came while its claims lived (too little time to wait them out): dead-lettered
    answer(contact_id="contact-a", effort="1")
    answer(contact_id="contact-b", effort="2")
    faults.raise_before(aws.publisher("sns"), "PublishBatch", Crash())
    with pytest.raises(Crash):
        outbox.deliver(lambda_context(remaining_ms=ALERT_FUNCTION_TIMEOUT_SECONDS * 1000))
    drain(outbox, lambda_context(remaining_ms=SHORT_MS))
    assert len(outbox.stream.dead_letters) == 1
    assert queued(dead_letters) == 1
    assert (alert_topic.bodies(), alert_bus.bodies()) == ([], [])
    assert marked(PendingWork.ALERT) == 2

    # WHEN the schedule runs the sweeper, twice
    first = sweep(clock, lambda_context)
    second = sweep(clock, lambda_context)

    # THEN the first sweep sent each alert once on each channel and redrove the dead letter;
    # nothing is left marked or queued, and the second sweep found nothing to do
    assert first[PendingWork.ALERT] == {"found": 2, "finished": 2}
    assert first["deadLetters"] == {"received": 1, "redriven": 1}
    assert second[PendingWork.ALERT] == {"found": 0, "finished": 0}
    assert second["deadLetters"] == {"received": 0, "redriven": 0}
    assert len(alert_topic.bodies()) == 2
    assert len(alert_bus.bodies()) == 2
    assert marked(PendingWork.ALERT) == 0
    assert queued(dead_letters) == 0
    assert metric_total(captured_output(), "UnsentAlertAge") == 0


def test_sweeper_delivers_once_after_sns_was_down_for_a_minute_and_retries_ran_out(
    answer: Any,
    outbox: Any,
    dead_letters: str,
    alert_topic: Any,
    alert_bus: Any,
    clock: Any,
    lambda_context: Any,
) -> None:
    # GIVEN SNS refusing every publish for 60 s, and a low answer whose stream retries all
    # came in that minute: the event went out, the e-mail did not, the record is dead-lettered
    back_at = clock.now() + OUTAGE

    def refuse(**_: Any) -> Any:
        if clock.now() >= back_at:
            return None
        error = {"Code": "InternalFailure", "Message": "SNS down"}
        return AWSResponse("https://sns", 500, {}, None), {
            "Error": error,
            "ResponseMetadata": {"HTTPStatusCode": 500},
        }

    aws.publisher("sns").meta.events.register("before-call.sns.PublishBatch", refuse)
    answer(effort="1")
    drain(outbox, lambda_context(remaining_ms=SHORT_MS))
    assert len(outbox.stream.dead_letters) == 1
    assert (len(alert_topic.bodies()), len(alert_bus.bodies())) == (0, 1)

    # WHEN the sweeps run on schedule, past the outage
    sweeps = [sweep(clock, lambda_context) for _ in range(3)]

    # THEN the sweep after SNS came back sent the e-mail, once; the event was not sent again,
    # and the dead letter was redriven and deleted
    assert clock.now() >= back_at
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 0
    assert sum(s[PendingWork.ALERT]["finished"] for s in sweeps) == 1
    assert marked(PendingWork.ALERT) == 0
    assert queued(dead_letters) == 0


def test_sweeper_leaves_a_young_alert_to_the_stream(
    answer: Any,
    outbox: Any,
    dead_letters: str,
    alert_topic: Any,
    faults: Any,
    clock: Any,
    lambda_context: Any,
) -> None:
    # GIVEN a sender that died after claiming, a moment ago
    answer(effort="1")
    faults.raise_before(aws.publisher("sns"), "PublishBatch", Crash())
    with pytest.raises(Crash):
        outbox.deliver(lambda_context(remaining_ms=ALERT_FUNCTION_TIMEOUT_SECONDS * 1000))

    # WHEN a sweep runs before SWEEP_AFTER_SECONDS have passed
    answer_ = sweeper.handler({}, lambda_context(remaining_ms=60_000))

    # THEN it does not touch it (a stream invocation may still hold it); a later one sends it
    assert answer_[PendingWork.ALERT] == {"found": 0, "finished": 0}
    assert alert_topic.bodies() == []
    clock.moment += timedelta(seconds=SWEEP_AFTER_SECONDS + 1)
    assert sweeper.handler({}, lambda_context(remaining_ms=60_000))[PendingWork.ALERT] == {
        "found": 1,
        "finished": 1,
    }
    assert len(alert_topic.bodies()) == 1


def test_sweeper_keeps_a_dead_letter_whose_channel_is_still_down_and_reports_its_age(
    answer: Any,
    outbox: Any,
    dead_letters: str,
    alert_topic: Any,
    faults: Any,
    clock: Any,
    lambda_context: Any,
    captured_output: Any,
) -> None:
    # GIVEN a dead-lettered alert, and SNS still refusing
    answer(effort="1")
    faults.error_reply(aws.publisher("sns"), "PublishBatch", times=1000)
    drain(outbox, lambda_context(remaining_ms=SHORT_MS))
    assert queued(dead_letters) == 1

    # WHEN a sweep runs
    answer_ = sweep(clock, lambda_context)

    # THEN nothing was lost: the item stays marked, the dead letter stays queued, and the
    # age of the oldest unsent alert is reported for its alarm
    assert answer_[PendingWork.ALERT] == {"found": 1, "finished": 0}
    assert answer_["deadLetters"] == {"received": 1, "redriven": 0}
    assert marked(PendingWork.ALERT) == 1
    assert alert_topic.bodies() == []
    assert metric_total(captured_output(), "UnsentAlertAge") >= SWEEP_INTERVAL_SECONDS


def test_sweeper_never_raises_without_its_queue(
    monkeypatch: pytest.MonkeyPatch, results_table: Any, lambda_context: Any
) -> None:
    # GIVEN a sweeper whose dead-letter queue setting is missing
    monkeypatch.delenv(ENV_DEAD_LETTERS, raising=False)

    # WHEN it runs
    answer_ = sweeper.handler({}, lambda_context(remaining_ms=60_000))

    # THEN the marked work was still swept, and it answered instead of raising
    assert answer_[PendingWork.ALERT] == {"found": 0, "finished": 0}

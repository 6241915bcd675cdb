"""The dead-letter queue and AlertPossibleDuplicate mean what their alarms say, however fast the
stream retries (issue 17, D.4).

Lambda does not document the pause between stream retries; here they come at once, back to back,
as the simulator's TableStream delivers them. The alert function runs with a Lambda context
(60 s left, as its timeout gives) and a virtual clock, so the waits it decides on cost nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.budget import ALERT_FUNCTION_TIMEOUT_SECONDS
from connect_survey.lambda_asset.survey.outbox import CLAIM_SECONDS
from tests.lambda_asset.conftest import TABLE, read_state
from tests.lambda_asset.test_alert_delivery import foreign_claim

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"


class Crash(BaseException):
    """The function killed mid-invocation: nothing in it runs on."""


@pytest.fixture
def answer(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    def store(**digits: str) -> None:
        for question, value in digits.items():
            parameters = {"question": question, "digits": value, "mode": "escalation"}
            assert score_handler(load_event(ALL, parameters=parameters))["stored"] == "true"

    return store


@pytest.fixture
def invocation(lambda_context: Any) -> Any:
    """A context with the alert function's whole timeout left."""
    return lambda_context(remaining_ms=ALERT_FUNCTION_TIMEOUT_SECONDS * 1000)


def metric_total(output: str, name: str) -> float:
    blobs = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return sum(sum(blob.get(name, [])) for blob in blobs)


def drain(outbox: Any, context: Any) -> int:
    """Deliver until nothing waits for a retry; the number of deliveries that left some."""
    retried = 0
    while outbox.deliver(context):
        retried += 1
    return retried


def test_alert_lost_reply_is_resent_once_counted_and_never_dead_lettered(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    clock: Any,
    invocation: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer, and SNS taking the message but losing its reply
    answer(effort="1")
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")

    # WHEN the stream delivers, and retries at once while the claim lives
    retried = drain(outbox, invocation)

    # THEN the one retry waited the claim out and sent again, counted once; nothing was given up
    assert retried == 1
    assert outbox.stream.dead_letters == []
    assert len(clock.slept) == 1 and 0 < clock.slept[0] <= CLAIM_SECONDS + 1
    assert len(alert_topic.bodies()) == 2  # the lost reply's message, and the counted resend
    assert len(alert_bus.bodies()) == 1
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 1


def test_alert_written_again_when_dynamodb_returns_within_the_invocation_counts_no_duplicate(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    clock: Any,
    invocation: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer; EventBridge rejecting its entry once (certainly not sent) while SNS
    # takes its message; and DynamoDB refusing every call from then until the function's
    # first pause
    answer(effort="1")
    rejected = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]}
    outage = {"down": False, "refused": 0}

    def reject_once_then_go_down(**_: Any) -> Any:
        if outage["down"] or outage["refused"]:
            return None
        outage["down"] = True
        return AWSResponse("https://fault", 200, {}, None), rejected

    def refuse(**_: Any) -> None:
        if outage["down"]:
            outage["refused"] += 1
            raise EndpointConnectionError(endpoint_url="https://dynamodb")

    aws.publisher("events").meta.events.register(
        "before-call.*.PutEvents", reject_once_then_go_down
    )
    aws.client("dynamodb").meta.events.register("before-call.dynamodb.*", refuse)
    clock.after_sleep.append(lambda: outage.update(down=False))

    # WHEN the stream delivers until nothing waits
    retried = drain(outbox, invocation)

    # THEN the outcomes were written once DynamoDB was back (SNS sent, the EventBridge claim
    # given back), so the retry sent the event alone, as a first send: no duplicate, none counted
    assert outage["refused"] > 0 and clock.slept[0] == 1.0
    assert retried == 1
    assert outbox.stream.dead_letters == []
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 0
    for channel in ("sns", "events"):
        assert read_state(TABLE, CONTACT_ID, channel).sent_at is not None


def test_alert_sent_but_not_recorded_is_never_dead_lettered(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, clock: Any, invocation: Any
) -> None:
    # GIVEN a low answer, and DynamoDB down for good once both alerts were sent
    answer(effort="1")
    down = {"now": False}

    def refuse(**_: Any) -> None:
        if down["now"]:
            raise EndpointConnectionError(endpoint_url="https://dynamodb")

    aws.client("dynamodb").meta.events.register("before-call.dynamodb.*", refuse)
    aws.publisher("events").meta.events.register(
        "after-call.events.PutEvents", lambda **_: down.update(now=True)
    )

    # WHEN the stream delivers
    retried = drain(outbox, invocation)

    # THEN the record is done at once (both alerts arrived), after the writes were tried again
    assert retried == 0
    assert outbox.stream.dead_letters == []
    assert clock.slept == [1.0, 2.0, 4.0]
    assert (len(alert_topic.bodies()), len(alert_bus.bodies())) == (1, 1)


def test_alert_claim_of_a_crashed_sender_is_waited_out_and_its_resend_counted(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    clock: Any,
    invocation: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer, and the function killed after claiming, before sending
    answer(effort="1")
    faults.raise_before(aws.publisher("sns"), "PublishBatch", Crash())
    with pytest.raises(Crash):
        outbox.deliver(invocation)

    # WHEN the stream retries at once, while the dead sender's claims live
    retried = drain(outbox, invocation)

    # THEN the retry waited them out and sent: each send counted, as the dead sender's outcome
    # is unknown to anyone
    assert retried == 0
    assert outbox.stream.dead_letters == []
    assert len(clock.slept) == 1
    assert (len(alert_topic.bodies()), len(alert_bus.bodies())) == (1, 1)
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 2


def test_alert_claim_is_not_waited_out_without_the_time_to_deliver_after(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    faults: Any,
    clock: Any,
    lambda_context: Any,
) -> None:
    # GIVEN a low answer whose SNS reply was lost, and a retry with 25 s left: too little to
    # wait out a 20 s claim and then claim, send and record
    answer(effort="1")
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")
    outbox.deliver(lambda_context(remaining_ms=60_000))

    # WHEN the stream retries into the short invocation
    left = outbox.deliver(lambda_context(remaining_ms=25_000))

    # THEN it did not wait: the record goes back to the stream, nothing was sent again
    assert left > 0
    assert clock.slept == []
    assert len(alert_topic.bodies()) == 1


def test_alert_wait_never_resends_what_this_invocation_may_have_sent_uncounted(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    clock: Any,
    invocation: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer whose EventBridge channel another invocation claimed and left, and an
    # SNS whose reply is lost (the message may have left)
    answer(effort="1")
    foreign_claim(CONTACT_ID, "events", expires_in_seconds=CLAIM_SECONDS)
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")

    # WHEN the stream delivers, and retries at once
    first = outbox.deliver(invocation)
    waits_in_first = len(clock.slept)
    retried = drain(outbox, invocation)

    # THEN the first invocation did not wait (the SNS message it may have sent must not be sent
    # again uncounted); the retry waited both claims out and took them over, and each of its
    # two sends is counted
    assert first > 0 and retried == 0
    assert waits_in_first == 0 and len(clock.slept) == 1
    assert (len(alert_topic.bodies()), len(alert_bus.bodies())) == (2, 1)
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 2

"""The alert function: the outbox on the table's stream, under every fault of issue 9.

Faults are injected on the handler's own boto3 clients (botocore event hooks): an error reply
before the request reaches the embedded AWS, or a lost reply after the embedded AWS processed it.
Each test then lets the stream deliver again, as the event source mapping does, and counts what
arrived.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError
from botocore.parsers import ResponseParserError

from connect_survey.lambda_asset.survey import alert, aws
from connect_survey.lambda_asset.survey.alerts import ALERT_NAMESPACE
from connect_survey.lambda_asset.survey.contract import (
    ENV_INSTANCE_ALIAS,
    EVENT_DETAIL_TYPE,
    EVENT_SOURCE,
    OUTBOX_VERSION,
)
from connect_survey.lambda_asset.survey.items import serialize
from connect_survey.lambda_asset.survey.outbox import CLAIM_SECONDS, outbox_key
from tests.lambda_asset.conftest import REGION, TABLE, read_state

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"
PHONE_NUMBER = "+1234567890"


class Crash(BaseException):
    """The function killed mid-invocation (timeout, out of memory): nothing in it runs on."""


@pytest.fixture
def answer(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    """Store answers through the score handler, as the flow does."""

    def store(mode: str = "escalation", **digits: str) -> None:
        for question, value in digits.items():
            parameters = {"question": question, "digits": value, "mode": mode}
            assert score_handler(load_event(ALL, parameters=parameters))["stored"] == "true"

    return store


def emf(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if '"_aws"' in line]


def metric_total(output: str, name: str) -> float:
    return sum(sum(blob.get(name, [])) for blob in emf(output))


def test_alert_handler_sends_one_alert_on_the_first_low_answer(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a stage with an instance alias, and a caller whose second answer is low
    monkeypatch.setenv(ENV_INSTANCE_ALIAS, "example-cc")
    answer(effort="4", recommend="2")

    # WHEN the stream delivers the answers
    left = outbox.deliver()

    # THEN one message and one event carry the alert id, mode, queue, answers and threshold
    assert left == 0
    [message] = alert_topic.bodies()
    alert_id = str(uuid.uuid5(ALERT_NAMESPACE, CONTACT_ID))
    assert message["Subject"] == f"Low survey score 2 for contact {CONTACT_ID}"
    assert message["MessageAttributes"]["alertId"]["Value"] == alert_id
    for text in (alert_id, "escalation", "EffortScore = 4", "PromoterScore = 2", "Queue: "):
        assert text in message["Message"]
    [event] = alert_bus.bodies()
    assert (event["source"], event["detail-type"]) == (EVENT_SOURCE, EVENT_DETAIL_TYPE)
    detail = event["detail"]
    assert detail["alertId"] == alert_id
    assert (detail["contactId"], detail["mode"], detail["threshold"]) == (
        CONTACT_ID,
        "escalation",
        3,
    )
    assert detail["scores"] == {"EffortScore": 4, "PromoterScore": 2}
    assert detail["consoleUrl"] == (
        f"https://example-cc.my.connect.aws/contact-trace-records/details/{CONTACT_ID}"
    )
    assert PHONE_NUMBER not in json.dumps([message, event])


def test_alert_handler_sends_no_second_alert_for_later_low_answers(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN an alert already sent for a low first answer
    answer(effort="1")
    outbox.deliver()

    # WHEN the caller gives two more low answers and the stream delivers them
    answer(recommend="2", satisfaction="1")
    outbox.deliver()

    # THEN still one alert per channel
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1


def test_alert_handler_ignores_high_answers_and_summaries(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN only high answers
    answer(effort="5", recommend="3")

    # WHEN the stream delivers them
    left = outbox.deliver()

    # THEN nothing is sent and nothing retried
    assert left == 0
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


def test_alert_handler_reaches_a_supervisor_when_the_caller_hangs_up_after_a_low_score(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a caller who gives a low score, then hangs up: finish never runs
    answer(effort="1")

    # WHEN the stream delivers the answer
    outbox.deliver()

    # THEN the alert goes out anyway
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1


@pytest.mark.parametrize(
    ("service", "operation"), [("sns", "PublishBatch"), ("events", "PutEvents")]
)
def test_alert_handler_delivers_after_a_500_once_the_stream_retries(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    service: str,
    operation: str,
) -> None:
    # GIVEN a low answer and a service that answers 500 once
    answer(effort="1")
    faults.error_reply(aws.publisher(service), operation)

    # WHEN the stream delivers, and delivers again what failed
    first = outbox.deliver()
    second = outbox.deliver()

    # THEN the first delivery is retried (its claim released), and each alert arrives once
    assert (first, second) == (1, 0)
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1


def test_alert_handler_treats_a_rejected_event_entry_as_a_failure_and_retries(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a low answer and an event bus that rejects the entry once
    answer(effort="1")
    events = aws.publisher("events")
    rejected = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}]}
    calls = {"n": 0}

    def reject_once(**_: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            return AWSResponse("https://fault", 200, {}, None), rejected
        return None

    events.meta.events.register("before-call.*.PutEvents", reject_once)

    # WHEN the stream delivers twice
    assert outbox.deliver() == 1
    assert outbox.deliver() == 0

    # THEN the event arrives once
    assert len(alert_bus.bodies()) == 1
    assert len(alert_topic.bodies()) == 1


def test_alert_handler_counts_the_one_allowed_duplicate_after_a_lost_publish_reply(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    later: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low answer and an SNS that takes the message but whose reply is lost
    answer(effort="1")
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")

    # WHEN the stream delivers; retries before the claim expires; retries after it
    first = outbox.deliver()
    captured_output()
    early = outbox.deliver()
    early_output = captured_output()
    later()
    last = outbox.deliver()

    # THEN the SDK did not retry by itself; the early retry waits for the claim; then the alert
    # is sent again: the only duplicate, and it is counted
    assert first > 0 and early > 0 and last == 0  # records still to retry after each delivery
    assert len(alert_topic.bodies()) == 2
    assert len(alert_bus.bodies()) == 1
    assert metric_total(early_output, "AlertPublished") == 0
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 1


@pytest.mark.parametrize(
    "operation",
    [
        "PutItem",  # the claim
        "BatchWriteItem",  # sentAt, recorded for the contacts the claims make ours alone
    ],
)
def test_alert_handler_recognises_its_own_write_when_its_reply_is_lost(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    captured_output: Any,
    operation: str,
) -> None:
    # GIVEN a low answer, and the function's first claim or sentAt write processed but its reply
    # lost (the SDK retries it)
    answer(effort="1")
    faults.lose_reply(aws.client("dynamodb"), operation)

    # WHEN the stream delivers once, and once more
    left = outbox.deliver()
    again = outbox.deliver()

    # THEN the retried write is recognised as ours: both alerts go out at once, once
    assert (left, again) == (0, 0)
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 0


def test_alert_handler_resends_after_a_crash_between_claim_and_send(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, faults: Any, later: Any
) -> None:
    # GIVEN a low answer and a function killed after claiming, before sending
    answer(effort="1")
    faults.raise_before(aws.publisher("sns"), "PublishBatch", Crash())
    with pytest.raises(Crash):
        outbox.deliver()

    # WHEN the stream retries the unacknowledged batch after the crashed claim expired
    later()
    left = outbox.deliver()

    # THEN the alert is sent: claims do not keep an alert forever
    assert left == 0
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1


def test_alert_handler_treats_an_unparsable_503_as_a_failure_and_delivers_later(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, faults: Any, later: Any
) -> None:
    # GIVEN a low answer and SNS answering once with a body botocore cannot parse
    answer(effort="1")
    faults.raise_before(aws.publisher("sns"), "PublishBatch", ResponseParserError("503 <html>"))

    # WHEN the stream delivers, and again after the claim expired
    first = outbox.deliver()
    later()
    second = outbox.deliver()

    # THEN nothing escaped, EventBridge was not skipped, and SNS was sent on the retry
    assert (first, second) == (1, 0)
    assert len(alert_bus.bodies()) == 1
    assert len(alert_topic.bodies()) == 1


def test_alert_handler_delivers_once_a_dynamodb_outage_clears(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any, faults: Any
) -> None:
    # GIVEN a low answer stored, then DynamoDB unreachable for the next three calls
    answer(effort="1")
    refused = EndpointConnectionError(endpoint_url="https://dynamodb")
    faults.raise_before(aws.client("dynamodb"), "BatchGetItem", refused, times=3)

    # WHEN the stream delivers while it is down, then after
    during = [outbox.deliver() for _ in range(3)]
    after = outbox.deliver()

    # THEN nothing is sent or lost while it is down; once it is back the alert arrives once
    assert during == [1, 1, 1]
    assert after == 0
    assert len(alert_topic.bodies()) == 1
    assert len(alert_bus.bodies()) == 1


def test_alert_handler_retries_what_it_has_no_time_for(
    answer: Any, outbox: Any, alert_topic: Any, lambda_context: Any
) -> None:
    # GIVEN a low answer and an invocation with almost no time left
    answer(effort="1")

    # WHEN the stream delivers into it, then into one with time
    short = outbox.deliver(lambda_context(remaining_ms=1000))
    normal = outbox.deliver()

    # THEN the record is handed back, then sent
    assert (short, normal) == (1, 0)
    assert len(alert_topic.bodies()) == 1


def test_alert_handler_skips_malformed_records(outbox: Any) -> None:
    # GIVEN records of every wrong shape
    event = {"Records": [None, {}, {"dynamodb": {"NewImage": {"question": {"S": "effort"}}}}]}

    # WHEN the function gets them
    # THEN it reports nothing to retry and raises nothing
    assert alert.handler(event, None) == {"batchItemFailures": []}
    assert alert.handler("junk", None) == {"batchItemFailures": []}


def test_alert_handler_alerts_on_a_low_score_only_the_finish_summary_knows(
    load_event: Any, finish_handler: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a low score the flow kept only as a contact attribute (its write had failed)
    event = load_event(ALL, parameters={"mode": "opt-in"}, attributes={"EffortScore": "1"})
    assert finish_handler(event)["escalate"] == "true"

    # WHEN the stream delivers the finish handler's summary
    outbox.deliver()

    # THEN the alert goes out with the score from the summary
    [message] = alert_topic.bodies()
    assert "EffortScore = 1" in message["Message"]
    assert "opt-in" in message["Message"]
    assert len(alert_bus.bodies()) == 1


class Calls:
    """The DynamoDB operations the alert function's client makes, by name."""

    def __init__(self) -> None:
        self.names: list[str] = []
        aws.client("dynamodb").meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)


def test_alert_handler_claims_both_channels_in_one_write_and_records_them_in_one(
    answer: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a low answer
    answer(effort="1")
    calls = Calls()

    # WHEN the stream delivers it
    outbox.deliver()

    # THEN one read, one claim for both channels, one write recording both sent
    assert calls.names == ["BatchGetItem", "PutItem", "BatchWriteItem"]
    assert len(alert_topic.bodies()) == 1 and len(alert_bus.bodies()) == 1


def test_alert_handler_reads_nothing_when_the_batch_shows_every_channel_sent(
    answer: Any, outbox: Any, alert_topic: Any
) -> None:
    # GIVEN a low answer whose alert was sent (the claim and sentAt writes of its outbox item are
    # on the stream, the last one recording both channels sent), then a second low answer
    answer(effort="1")
    outbox.deliver()
    answer(recommend="2")
    calls = Calls()

    # WHEN the stream delivers those outbox records with the second answer
    left = outbox.deliver()

    # THEN nothing is read or written, and nothing sent again
    assert left == 0
    assert calls.names == []
    assert len(alert_topic.bodies()) == 1


def test_alert_handler_skips_a_ttl_removal_quietly_and_retries_a_malformed_answer_alone(
    outbox: Any, captured_output: Any
) -> None:
    # GIVEN a TTL removal of an answer item (REMOVE: keys, no new image), and an INSERT whose
    # new image is not an answer item
    keys = {"contactId": {"S": CONTACT_ID}, "question": {"S": "effort"}}
    removal = {
        "eventName": "REMOVE",
        "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
        "dynamodb": {"Keys": keys, "SequenceNumber": "100"},
    }
    malformed = {
        "eventName": "INSERT",
        "dynamodb": {"Keys": keys, "NewImage": {"contactId": {"S": CONTACT_ID}},
                     "SequenceNumber": "101"},
    }  # fmt: skip

    # WHEN the function gets the removal alone, then the malformed record with it
    removal_answer = alert.handler({"Records": [removal]}, None)
    removal_output = captured_output()
    malformed_answer = alert.handler({"Records": [removal, malformed]}, None)
    malformed_output = captured_output()

    # THEN the removal is done without a warning; the malformed record is named alone, warned
    # of and counted (it can never be read, so its retries end in the dead-letter queue)
    assert removal_answer == {"batchItemFailures": []}
    assert malformed_answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert '"level":"WARNING"' not in removal_output
    assert "Stream record" not in removal_output
    assert '"level":"WARNING"' in malformed_output
    assert "Stream record unreadable" in malformed_output
    assert metric_total(malformed_output, "MalformedEvent") == 1


class Outage:
    """DynamoDB unreachable for the alert function's client from `begin()` until `end()`."""

    def __init__(self) -> None:
        self.down = False
        self.failed: list[str] = []
        aws.client("dynamodb").meta.events.register("before-call.dynamodb.*", self._refuse)

    def begin(self, **_: Any) -> None:
        self.down = True

    def end(self) -> None:
        self.down = False

    def _refuse(self, model: Any, **_: Any) -> None:
        if self.down:
            self.failed.append(model.name)
            raise EndpointConnectionError(endpoint_url="https://dynamodb")


def _outbox_changed_after_read(**_: Any) -> None:
    """Another writer raises the outbox item's version once the function has read it."""
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=TABLE,
        Key=outbox_key(CONTACT_ID),
        UpdateExpression="ADD #version :one",
        ExpressionAttributeNames={"#version": OUTBOX_VERSION},
        ExpressionAttributeValues={":one": serialize(1)},
    )


@pytest.mark.parametrize(
    ("changed_since_read", "writes_failed"),
    [
        # claimed as read: the batch write, then the conditional PutItem of the item as claimed
        (False, ["BatchWriteItem", "PutItem"]),
        # claimed from what is stored (the item changed since read): the conditional UpdateItem
        (True, ["UpdateItem"]),
    ],
)
def test_alert_handler_is_done_when_sent_at_cannot_be_recorded_and_counts_the_later_resend(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    later: Any,
    captured_output: Any,
    changed_since_read: bool,
    writes_failed: list[str],
) -> None:
    # GIVEN a low answer, and DynamoDB going down once both channels were sent, before sentAt is
    # written (whichever write records it), for the rest of the invocation
    answer(effort="1")
    if changed_since_read:
        dynamodb = aws.client("dynamodb")
        dynamodb.meta.events.register_first(
            "after-call.dynamodb.BatchGetItem", _outbox_changed_after_read
        )
    outage = Outage()
    aws.publisher("events").meta.events.register("after-call.events.PutEvents", outage.begin)

    # WHEN the stream delivers; the outage clears; a second low answer of the contact comes
    # while the claims left behind live, and is retried once after they expired
    during = outbox.deliver()
    outage.end()
    if changed_since_read:
        dynamodb.meta.events.unregister(
            "after-call.dynamodb.BatchGetItem", _outbox_changed_after_read
        )
    aws.publisher("events").meta.events.unregister("after-call.events.PutEvents", outage.begin)
    during_output = captured_output()
    answer(recommend="2")
    early = outbox.deliver()
    sent_before = len(alert_topic.bodies()), len(alert_bus.bodies())
    later()
    last = outbox.deliver()

    # THEN the first record was done (both alerts arrived: retrying it could only send them
    # again, and would end in the dead-letter queue if DynamoDB stayed down), the failed write
    # was counted; nothing went out again while the claims lived; after, exactly one more
    # message per channel, each counted as a possible duplicate, and both are recorded as sent
    assert outage.failed == writes_failed
    assert during == 0
    assert metric_total(during_output, "StorageError") == 1
    assert early > 0 and last == 0  # records still to retry after each
    assert sent_before == (1, 1)
    assert (len(alert_topic.bodies()), len(alert_bus.bodies())) == (1, 1)
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 2
    for channel in ("sns", "events"):
        assert read_state(TABLE, CONTACT_ID, channel).sent_at is not None


def test_alert_handler_counts_the_resend_after_a_failed_takeover_of_a_maybe_sent_alert(
    answer: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    monkeypatch: pytest.MonkeyPatch,
    captured_output: Any,
) -> None:
    # GIVEN a low answer whose SNS message left but whose reply was lost (maybe sent: claim kept)
    answer(effort="1")
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")
    outbox.deliver()

    # WHEN the retry after the claim expired takes it over and SNS answers 500 (certainly not
    # sent this time); then the stream retries once more, after that claim expired too
    faults.error_reply(aws.publisher("sns"), "PublishBatch")
    for step in (1, 2):
        shifted = datetime.now(UTC) + timedelta(seconds=step * (CLAIM_SECONDS + 1))
        monkeypatch.setattr(alert, "_now", lambda moment=shifted: moment)
        left = outbox.deliver()

    # THEN the message arrived twice (the lost reply's, and the last retry's), and the second is
    # counted: the failed takeover kept the mark that the alert may have left
    assert left == 0
    assert len(alert_topic.bodies()) == 2
    assert len(alert_bus.bodies()) == 1
    assert metric_total(captured_output(), "AlertPossibleDuplicate") == 1

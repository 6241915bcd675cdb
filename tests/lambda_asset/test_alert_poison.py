"""One poison stream record costs only itself (issue 17, D.2).

Twenty contacts' low answers reach the alert function in one batch through the simulator's
TableStream (Lambda's partial-batch semantics), one of them spoiled into a record no table could
hold. The other nineteen alerts go out once each; the poison record alone is named in every
answer, retried, and discarded to the dead letters when its retries run out.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.lambda_asset.survey import alert
from connect_survey.lambda_asset.survey.contract import ALERT_STREAM
from connect_survey.simulator.stream import RETRIES_EXHAUSTED

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
CONTACTS = tuple(f"contact-{number:02}" for number in range(20))
POISON_AT = 10  # in the middle of the batch: records after it are re-delivered with it


def _huge_score(image: dict[str, Any]) -> None:
    image["score"] = {"N": "1e400"}  # beyond a float, and beyond DynamoDB's number range


def _numeric_contact_id(image: dict[str, Any]) -> None:
    image["contactId"] = {"N": "42"}


def _contact_id_not_a_string(image: dict[str, Any]) -> None:
    image["contactId"] = {"S": 42}


def _no_score(image: dict[str, Any]) -> None:
    del image["score"]


POISONS = {
    "score 1e400": _huge_score,
    "contactId a number": _numeric_contact_id,
    "contactId not a string": _contact_id_not_a_string,
    "score missing": _no_score,
}


@pytest.fixture
def low_answers(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    def store(*contacts: str) -> None:
        for contact_id in contacts:
            event = load_event(ALL, parameters={"question": "effort", "digits": "1"})
            event["Details"]["ContactData"]["ContactId"] = contact_id
            assert score_handler(event)["stored"] == "true"

    return store


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_alert_handler_names_a_record_it_cannot_read_alone(poison: str) -> None:
    # GIVEN a batch of a high answer, a spoiled answer and a removal
    def record(number: str, score: str) -> dict[str, Any]:
        image = {"contactId": {"S": f"c-{number}"}, "question": {"S": "effort"},
                 "score": {"N": score}}  # fmt: skip
        return {"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": number}}

    spoiled = record("2", "1")
    POISONS[poison](spoiled["dynamodb"]["NewImage"])
    removal = {"eventName": "REMOVE", "dynamodb": {"Keys": {}, "SequenceNumber": "3"}}

    # WHEN the function gets them
    answer = alert.handler({"Records": [record("1", "5"), spoiled, removal]}, None)

    # THEN it names the spoiled record, and it alone
    assert answer == {"batchItemFailures": [{"itemIdentifier": "2"}]}


def test_alert_poison_record_is_retried_and_dead_lettered_alone(
    low_answers: Any, outbox: Any, alert_topic: Any, alert_bus: Any, captured_output: Any
) -> None:
    # GIVEN twenty contacts' low answers on the stream, the eleventh spoiled on its way
    low_answers(*CONTACTS)
    stream = outbox.stream
    stream.poll()
    assert len(stream.pending) == len(CONTACTS)
    record = stream.pending[POISON_AT]
    _huge_score(record["dynamodb"]["NewImage"])
    poison_number = record["dynamodb"]["SequenceNumber"]

    # WHEN the stream delivers until nothing waits for a retry
    deliveries = 0
    while outbox.deliver():
        deliveries += 1

    # THEN the other nineteen contacts' alerts went out once on each channel
    sns = Counter(
        m["Message"].split("Contact id: ")[1].splitlines()[0] for m in alert_topic.bodies()
    )
    events = Counter(event["detail"]["contactId"] for event in alert_bus.bodies())
    assert sns == events == Counter(c for i, c in enumerate(CONTACTS) if i != POISON_AT)
    # AND every answer named the poison record alone, which was retried up to the limit
    failures = [
        invocation["response"]["batchItemFailures"]
        for invocation in stream.invocations
        if invocation["response"]["batchItemFailures"]
    ]
    assert failures == [[{"itemIdentifier": poison_number}]] * (ALERT_STREAM.max_retries + 1)
    assert deliveries == ALERT_STREAM.max_retries
    # AND the dead letters hold one discarded batch starting at it: Lambda re-delivers the
    # records after the lowest failed one with it, and discards them together, but their alerts
    # had gone out at the first delivery and were not sent again
    [dead] = stream.dead_letters
    info = dead.invocation["DDBStreamBatchInfo"]
    assert dead.invocation["requestContext"]["condition"] == RETRIES_EXHAUSTED
    assert info["startSequenceNumber"] == poison_number
    assert info["batchSize"] == len(CONTACTS) - POISON_AT
    # AND it was warned of and counted every time
    output = captured_output()
    blobs = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    assert sum(sum(blob.get("MalformedEvent", [])) for blob in blobs) == len(failures)
    assert output.count("Stream record unreadable") == len(failures)

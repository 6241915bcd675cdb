"""The alert function's batched paths: many contacts claimed, sent and recorded together.

Each test stores low answers of several contacts, lets the stream deliver them in one batch, and
injects a fault that hits one contact or one batch call; then the stream delivers again and the
test counts what arrived per contact.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from connect_survey.lambda_asset.survey import alert, aws
from connect_survey.lambda_asset.survey.contract import OUTBOX_VERSION
from connect_survey.lambda_asset.survey.items import Claim, contact_of, serialize
from connect_survey.lambda_asset.survey.outbox import (
    CLAIM_SECONDS,
    LEASE_SPARE_SECONDS,
    claim_attribute,
    outbox_key,
)
from tests.lambda_asset.conftest import REGION, TABLE, read_state

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
CONTACTS = ("contact-a", "contact-b", "contact-c")
STRANGER = "another-invocation"


@pytest.fixture
def low_answers(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    """Store a low first answer for each contact through the score handler."""

    def store(*contacts: str) -> None:
        for contact_id in contacts:
            event = load_event(ALL, parameters={"question": "effort", "digits": "1"})
            event["Details"]["ContactData"]["ContactId"] = contact_id
            assert score_handler(event)["stored"] == "true"

    return store


def per_contact_sns(inbox: Any) -> Counter[str]:
    """How many SNS messages each contact got (read from the message's "Contact id:" line)."""
    return Counter(
        message["Message"].split("Contact id: ")[1].splitlines()[0] for message in inbox.bodies()
    )


def per_contact_events(inbox: Any) -> Counter[str]:
    return Counter(event["detail"]["contactId"] for event in inbox.bodies())


def emf_total(output: str, name: str) -> float:
    blobs = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    return sum(sum(blob.get(name, [])) for blob in blobs)


def foreign_claim(contact_id: str, channel: str, *, expires_in_seconds: int) -> None:
    """Another invocation claims `channel` of the contact (a write the function did not make)."""
    expires = int((datetime.now(UTC) + timedelta(seconds=expires_in_seconds)).timestamp() * 1000)
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=TABLE,
        Key=outbox_key(contact_id),
        UpdateExpression="SET #claim = :claim ADD #version :one",
        ExpressionAttributeNames={"#claim": claim_attribute(channel),
                                  "#version": OUTBOX_VERSION},
        ExpressionAttributeValues={
            ":claim": Claim(token=STRANGER, expires_ms=expires).value(),
            ":one": serialize(1),
        },
    )  # fmt: skip


def failed_contacts(outbox: Any) -> set[str]:
    """Hand everything on the stream to the alert function once; the contacts it asks to retry.

    The records stay pending, so the next `outbox.deliver()` hands them over again: contacts
    already sent must not be sent again.
    """
    outbox.stream.poll()
    records = list(outbox.stream.pending)
    answer = alert.handler({"Records": records}, None)
    contacts = {
        r["dynamodb"]["SequenceNumber"]: contact_of(r["dynamodb"]["NewImage"]) for r in records
    }
    return {contacts[failure["itemIdentifier"]] for failure in answer["batchItemFailures"]}


def after_read(action: Callable[[], None]) -> None:
    """Run `action` once, right after the alert function has read the batch's contacts."""
    done = []

    def hook(**_: Any) -> None:
        if not done:
            done.append(True)
            action()

    aws.client("dynamodb").meta.events.register("after-call.dynamodb.BatchGetItem", hook)


def test_alert_delivery_sends_the_others_once_when_one_contact_changed_since_it_was_read(
    low_answers: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    later: Any,
    captured_output: Any,
) -> None:
    # GIVEN three low contacts, and another invocation claiming B's SNS channel after the
    # function read them (its one-write claim of B fails)
    low_answers(*CONTACTS)
    after_read(lambda: foreign_claim("contact-b", "sns", expires_in_seconds=CLAIM_SECONDS))

    # WHEN the function gets the batch; then the stream delivers again after the stranger's
    # claim expired
    failed = failed_contacts(outbox)
    sent_first = per_contact_sns(alert_topic), per_contact_events(alert_bus)
    later()
    left = outbox.deliver()
    output = captured_output()

    # THEN only B was retried; A and C went out at once, B's EventBridge too (claimed from what
    # is stored), and B's SNS after the stranger's claim expired, counted as a possible duplicate
    assert failed == {"contact-b"} and left == 0
    everyone_once = Counter(dict.fromkeys(CONTACTS, 1))
    assert sent_first == (Counter({"contact-a": 1, "contact-c": 1}), everyone_once)
    assert per_contact_sns(alert_topic) == Counter({"contact-b": 1})
    assert per_contact_events(alert_bus) == Counter()
    assert emf_total(output, "AlertPossibleDuplicate") == 1


def _drop_entry_for(contact_id: str, service: str, operation: str) -> None:
    """The service takes every entry of the next call but `contact_id`'s, which it reports as
    failed (an entry-level error: nothing of it was sent)."""
    client = aws.publisher(service)
    dropped: dict[str, Any] = {}

    def drop(params: dict[str, Any], **_: Any) -> None:
        if dropped:
            return
        key = "PublishBatchRequestEntries" if service == "sns" else "Entries"
        for index, entry in enumerate(params[key]):
            if contact_id in json.dumps(entry):
                dropped.update(index=index, entry=entry)
                if service == "sns":
                    params[key].remove(entry)
                else:  # keep its place in the answer: send it where no rule matches
                    entry["Source"] = "not-a-survey"

    def report(parsed: dict[str, Any], **_: Any) -> None:
        if "reported" in dropped or "index" not in dropped:
            return
        dropped["reported"] = True
        if service == "sns":
            parsed.setdefault("Failed", []).append(
                {"Id": dropped["entry"]["Id"], "Code": "InternalError", "SenderFault": False}
            )
        else:
            parsed["Entries"][dropped["index"]] = {"ErrorCode": "InternalFailure"}
            parsed["FailedEntryCount"] = 1

    client.meta.events.register(f"provide-client-params.{service}.{operation}", drop)
    client.meta.events.register(f"after-call.{service}.{operation}", report)


@pytest.mark.parametrize(("service", "operation"), [("sns", "PublishBatch"),
                                                    ("events", "PutEvents")])  # fmt: skip
def test_alert_delivery_retries_only_the_contact_whose_batch_entry_failed(
    low_answers: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    captured_output: Any,
    service: str,
    operation: str,
) -> None:
    # GIVEN three low contacts, and a batch call that fails B's entry alone
    low_answers(*CONTACTS)
    _drop_entry_for("contact-b", service, operation)

    # WHEN the function gets the batch, and the stream delivers it again
    failed = failed_contacts(outbox)
    left = outbox.deliver()

    # THEN only B's record was named for retry (its claim given back), and every contact got
    # each alert once: B's on the retry, the others' not again
    assert failed == {"contact-b"} and left == 0
    assert per_contact_sns(alert_topic) == Counter(dict.fromkeys(CONTACTS, 1))
    assert per_contact_events(alert_bus) == Counter(dict.fromkeys(CONTACTS, 1))
    assert emf_total(captured_output(), "AlertPossibleDuplicate") == 0


def test_alert_delivery_allows_only_the_counted_duplicate_after_a_lost_batch_reply(
    low_answers: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    later: Any,
    captured_output: Any,
) -> None:
    # GIVEN three low contacts, and SNS taking their PublishBatch whose reply is then lost
    low_answers(*CONTACTS)
    faults.lose_reply(aws.publisher("sns"), "PublishBatch")

    # WHEN the function gets the batch; gets it again before the claims expire; and after
    first = failed_contacts(outbox)
    early = failed_contacts(outbox)
    captured_output()
    later()
    left = outbox.deliver()

    # THEN every entry was taken as maybe sent: nothing was sent again while the claims lived;
    # then each contact's SNS alert went out once more, each counted as a possible duplicate
    assert first == early == set(CONTACTS) and left == 0
    assert per_contact_sns(alert_topic) == Counter(dict.fromkeys(CONTACTS, 2))
    assert per_contact_events(alert_bus) == Counter(dict.fromkeys(CONTACTS, 1))
    assert emf_total(captured_output(), "AlertPossibleDuplicate") == 3


def test_alert_delivery_records_with_conditional_writes_once_its_claims_are_too_old_to_rely_on(
    low_answers: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a low contact whose sends end when its claims have less than the spare time left,
    # and another invocation that took the SNS claim over meanwhile
    low_answers("contact-a")
    claimed = datetime.now(UTC)
    late = claimed + timedelta(seconds=CLAIM_SECONDS - LEASE_SPARE_SECONDS + 1)
    clock = iter([claimed])
    monkeypatch.setattr(alert, "_now", lambda: next(clock, late))

    def taken_over(**_: Any) -> None:
        foreign_claim("contact-a", "sns", expires_in_seconds=60)

    aws.publisher("events").meta.events.register("after-call.events.PutEvents", taken_over)
    calls: list[str] = []
    aws.client("dynamodb").meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )

    # WHEN the stream delivers
    outbox.deliver()

    # THEN no unconditional batch write: the conditional one found the item changed, and the
    # stranger's claim is intact while EventBridge is recorded as sent
    assert "BatchWriteItem" not in calls
    assert read_state(TABLE, "contact-a", "sns").claim_token == STRANGER
    assert read_state(TABLE, "contact-a", "events").sent_at is not None


def test_alert_delivery_sends_ten_alerts_per_call_and_records_twenty_per_write(
    low_answers: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN 23 low contacts
    contacts = [f"contact-{i:02}" for i in range(23)]
    low_answers(*contacts)
    calls: Counter[str] = Counter()
    for client in (aws.publisher("sns"), aws.publisher("events"), aws.client("dynamodb")):
        client.meta.events.register("before-call", lambda model, **_: calls.update([model.name]))

    # WHEN the stream delivers them in one batch
    left = outbox.deliver()

    # THEN three PublishBatch and three PutEvents calls carried every alert once; each contact
    # was read in two BatchGetItems (5 keys each, 100 per call) and claimed with its own write,
    # and sentAt was written with one BatchWriteItem for the first twenty and one for the rest
    assert left == 0
    assert calls == Counter(
        {"PublishBatch": 3, "PutEvents": 3, "BatchGetItem": 2, "PutItem": 23, "BatchWriteItem": 2}
    )
    assert per_contact_sns(alert_topic) == Counter(dict.fromkeys(contacts, 1))
    assert per_contact_events(alert_bus) == Counter(dict.fromkeys(contacts, 1))


def test_alert_delivery_counts_the_takeover_its_lost_claim_reply_hid(
    low_answers: Any,
    outbox: Any,
    alert_topic: Any,
    alert_bus: Any,
    faults: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low contact whose SNS channel another invocation claimed, and whose claim expired
    # (that sender may have sent), and the function's claim write taking that claim over with
    # its reply lost: the SDK's retry then fails the version check, and the function claims
    # again from what is stored, where the claim is its own
    low_answers("contact-a")
    foreign_claim("contact-a", "sns", expires_in_seconds=-1)
    faults.lose_reply(aws.client("dynamodb"), "PutItem")

    # WHEN the stream delivers
    left = outbox.deliver()

    # THEN the alert is sent once per channel, and the resend after the takeover is counted
    assert left == 0
    assert per_contact_sns(alert_topic) == Counter({"contact-a": 1})
    assert per_contact_events(alert_bus) == Counter({"contact-a": 1})
    assert emf_total(captured_output(), "AlertPossibleDuplicate") == 1

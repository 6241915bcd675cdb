"""Alert channels are plug-ins: a channel of the test's own is one class and one registration,
and the alert function delivers through it under the outbox's guarantee, inside a budget that
grows with it."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

import boto3
import pytest

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.budget import ALERT_GROUP_CONTACTS, Attempt
from connect_survey.lambda_asset.survey.channels import CHANNELS, Channel, Outcome
from connect_survey.lambda_asset.survey.channels.base import call_failed
from tests.lambda_asset.conftest import REGION, TABLE, read_state

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from connect_survey.lambda_asset.survey.alerts import LowScoreAlert

ALL = "connectContactFlowEventAll"
CONTACTS = ("contact-a", "contact-b", "contact-c")
QUEUE_URL = "ALERT_PAGER_QUEUE_URL"


class PagerChannel(Channel):
    """Pages on-call staff through an SQS queue: SendMessageBatch of ten, an answer per entry."""

    name: ClassVar[str] = "pager"
    batch_entries: ClassVar[int] = 10
    attempt: ClassVar[Attempt] = Attempt(connect_timeout_seconds=0.5, read_timeout_seconds=1.5)
    variables: ClassVar[tuple[str, ...]] = (QUEUE_URL,)

    def send_batch(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        entries = [
            {"Id": str(index), "MessageBody": f"{alert.alert_id} {alert.contact_id}"}
            for index, alert in enumerate(alerts)
        ]
        try:
            response = self.client("sqs").send_message_batch(
                QueueUrl=self.setting(QUEUE_URL), Entries=entries
            )
        except Exception as error:
            return call_failed(self.name, "send_message_batch", error, alerts)
        sent = {entry["Id"] for entry in response.get("Successful", [])}
        return {
            alert.contact_id: Outcome.SENT if str(index) in sent else Outcome.FAILED
            for index, alert in enumerate(alerts)
        }


class SlowPagerChannel(PagerChannel):
    """The same pages, one contact per call: ten calls of 2 s for a group."""

    name: ClassVar[str] = "slowpager"
    batch_entries: ClassVar[int] = 1


class PerContactPagerChannel(SlowPagerChannel):
    """One contact per call, as Amazon Connect's StartTaskContact takes them, ten in flight:
    one 2 s attempt for a group."""

    name: ClassVar[str] = "percontact"
    concurrent_calls: ClassVar[int] = 10


@pytest.fixture
def pager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The pager registered (its one line of registration), its queue, and its setting."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="pager")["QueueUrl"]
    monkeypatch.setenv(QUEUE_URL, url)
    CHANNELS.register(PagerChannel())
    yield lambda: [
        message["Body"].split()[1]
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ]
    CHANNELS.unregister(PagerChannel.name)


@pytest.fixture
def low_answers(load_event: Any, score_handler: Any, results_table: Any) -> Callable[..., None]:
    def store(*contacts: str) -> None:
        for contact_id in contacts:
            event = load_event(ALL, parameters={"question": "effort", "digits": "1"})
            event["Details"]["ContactData"]["ContactId"] = contact_id
            assert score_handler(event)["stored"] == "true"

    return store


def test_alert_budget_grows_by_the_sends_of_a_registered_channel(pager: Any) -> None:
    # GIVEN the budget of the built-in channels, then with the pager registered
    without = CHANNELS.budget()
    CHANNELS.unregister(PagerChannel.name)
    built_in = CHANNELS.budget()
    CHANNELS.register(PagerChannel())
    with_pager = CHANNELS.budget()

    # WHEN their margins are compared
    # THEN the pager adds the one 2 s attempt it takes to page a group of ten, and nothing else
    assert without == with_pager
    assert with_pager.margin_seconds == built_in.margin_seconds + 2.0
    assert with_pager.send_seconds == {**built_in.send_seconds, "pager": 2.0}
    assert PagerChannel().send_seconds(ALERT_GROUP_CONTACTS) == 2.0


def test_alert_registry_refuses_a_channel_whose_sends_outlive_a_claim() -> None:
    # GIVEN a channel that takes one contact per call: twenty seconds for a group of ten
    # WHEN it is registered
    # THEN it is refused, by name, and the registry is unchanged
    with pytest.raises(ValueError, match=r"'slowpager': a claim .* would not outlive"):
        CHANNELS.register(SlowPagerChannel())
    assert CHANNELS.names == ["sns", "events", "task"]


def test_alert_function_delivers_through_a_registered_channel(
    pager: Any, low_answers: Any, outbox: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN three contacts with a low answer, and the pager registered
    low_answers(*CONTACTS)

    # WHEN the stream delivers them
    left = outbox.deliver()

    # THEN every channel, the pager too, got each alert once, and the outbox records it sent
    assert left == 0
    assert sorted(pager()) == sorted(CONTACTS)
    assert len(alert_topic.bodies()) == len(alert_bus.bodies()) == len(CONTACTS)
    for contact_id in CONTACTS:
        assert read_state(TABLE, contact_id, "pager").sent_at is not None


def test_alert_function_retries_only_the_registered_channel_that_failed(
    pager: Any, low_answers: Any, outbox: Any, alert_topic: Any, alert_bus: Any, faults: Any
) -> None:
    # GIVEN three contacts with a low answer, and the pager's queue answering 500 once
    low_answers(*CONTACTS)
    faults.error_reply(aws.publisher("sqs"), "SendMessageBatch")

    # WHEN the stream delivers, and delivers again what failed
    first = outbox.deliver()
    second = outbox.deliver()

    # THEN the retry sent the pages alone: each channel got each alert exactly once
    assert (first, second) == (len(CONTACTS), 0)
    assert Counter(pager()) == Counter(CONTACTS)
    assert len(alert_topic.bodies()) == len(alert_bus.bodies()) == len(CONTACTS)


def test_alert_function_delivers_through_a_per_contact_channel_with_calls_in_flight_together(
    low_answers: Any, outbox: Any, alert_topic: Any, alert_bus: Any, monkeypatch: Any
) -> None:
    # GIVEN a channel taking one contact per call, ten calls at once, registered
    url = boto3.client("sqs", region_name=REGION).create_queue(QueueName="pages")["QueueUrl"]
    monkeypatch.setenv(QUEUE_URL, url)
    built_in = CHANNELS.budget().margin_seconds
    CHANNELS.register(PerContactPagerChannel())
    try:
        # WHEN three contacts' low answers are delivered
        low_answers(*CONTACTS)
        left = outbox.deliver()
        budget = CHANNELS.budget().margin_seconds
    finally:
        CHANNELS.unregister(PerContactPagerChannel.name)

    # THEN its group costs the budget one attempt, and each contact was paged once
    assert budget == built_in + 2.0
    assert left == 0
    messages = boto3.client("sqs", region_name=REGION).receive_message(
        QueueUrl=url, MaxNumberOfMessages=10
    )["Messages"]
    assert sorted(m["Body"].split()[1] for m in messages) == sorted(CONTACTS)

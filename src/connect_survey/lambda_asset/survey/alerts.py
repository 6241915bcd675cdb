"""The low-score alert: one SNS message for people, one EventBridge event for automation.

Neither carries the caller's phone number: the contact id is enough to look the call up. Alerts
leave in batches (SNS PublishBatch, EventBridge PutEvents), each call one SDK attempt; the outcome
of each alert says whether it may have left anyway (a lost reply), because only then can a retry
duplicate it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from . import aws
from .contract import CONSOLE_CONTACT_URL, EVENT_DETAIL_TYPE, EVENT_SOURCE
from .exceptions import AlertError
from .telemetry import logger

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# alertId = UUIDv5(ALERT_NAMESPACE, contact id): the same contact always gets the same id.
ALERT_NAMESPACE: Final = uuid.UUID("5b0f6a9e-2d47-4c1e-9a83-0c6f1e2d3b4a")


@dataclass(frozen=True)
class LowScoreAlert:
    """A contact with at least one stored answer below the threshold."""

    contact_id: str
    initial_contact_id: str | None
    mode: str
    queue: str | None
    scores: Mapping[str, int]  # contact attribute → score, in survey order, answered so far
    threshold: int
    instance_alias: str | None = None
    language: str | None = None  # BCP-47: what the caller was surveyed in, as stored

    @property
    def alert_id(self) -> str:
        """Stable for the contact: consumers dedupe on it."""
        return str(uuid.uuid5(ALERT_NAMESPACE, self.contact_id))

    @property
    def lowest(self) -> int:
        return min(self.scores.values())

    @property
    def console_url(self) -> str | None:
        if not self.instance_alias:
            return None
        return CONSOLE_CONTACT_URL.format(alias=self.instance_alias, contact_id=self.contact_id)

    def subject(self) -> str:
        # SNS subjects: ASCII, one line, under 100 characters.
        return f"Low survey score {self.lowest} for contact {self.contact_id}"[:99]

    def body(self) -> str:
        lines = [
            f"A caller rated the {self.mode} post-call survey below {self.threshold}.",
            "",
            f"Alert id: {self.alert_id}",
            f"Contact id: {self.contact_id}",
            f"Initial contact id: {self.initial_contact_id or '-'}",
            f"Survey mode: {self.mode}",
            f"Language: {self.language or '-'}",
            f"Queue: {self.queue or '-'}",
            *(f"{attribute} = {score}" for attribute, score in self.scores.items()),
            f"Lowest score: {self.lowest}",
        ]
        if self.console_url:
            lines.append(f"Contact in the console: {self.console_url}")
        return "\n".join(lines)

    def detail(self) -> dict[str, Any]:
        return {
            "alertId": self.alert_id,
            "contactId": self.contact_id,
            "initialContactId": self.initial_contact_id,
            "mode": self.mode,
            "language": self.language,
            "queue": self.queue,
            "scores": dict(self.scores),
            "lowest": self.lowest,
            "threshold": self.threshold,
            "consoleUrl": self.console_url,
        }


class Outcome(StrEnum):
    """What became of one alert on one channel."""

    SENT = "sent"  # the service confirmed it
    FAILED = "failed"  # certainly not sent: the service refused it, or was never reached
    MAYBE_SENT = "maybe_sent"  # the reply was lost: it may have left


# Both batch calls take at most 10 entries: SNS PublishBatch (256 KiB in all; an alert is well
# under 2 KiB) and EventBridge PutEvents.
BATCH_ENTRIES: Final = 10


def publish_batch(topic_arn: str, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
    """Publish up to BATCH_ENTRIES readable alerts to the topic in one call; outcome per contact.

    SNS answers per entry (Successful / Failed); an entry in neither list is taken as maybe sent.
    """
    entries = [
        {
            "Id": str(index),
            "Subject": alert.subject(),
            "Message": alert.body(),
            "MessageAttributes": {"alertId": {"DataType": "String", "StringValue": alert.alert_id}},
        }
        for index, alert in enumerate(alerts)
    ]
    try:
        response = aws.publisher("sns").publish_batch(
            TopicArn=topic_arn, PublishBatchRequestEntries=entries
        )
    except Exception as error:
        return _all(alerts, _failure("sns publish_batch", error))
    sent = {str(entry.get("Id")) for entry in response.get("Successful", [])}
    failed = {str(entry.get("Id")) for entry in response.get("Failed", [])}
    return {
        alert.contact_id: _entry_outcome(str(index), sent, failed)
        for index, alert in enumerate(alerts)
    }


def put_events(bus_name: str, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
    """Put up to BATCH_ENTRIES alert events on the bus in one call; outcome per contact.

    EventBridge answers one result per entry, in request order: an EventId, or an ErrorCode.
    """
    entries = [
        {
            "Source": EVENT_SOURCE,
            "DetailType": EVENT_DETAIL_TYPE,
            "Detail": json.dumps(alert.detail(), separators=(",", ":")),
            "EventBusName": bus_name,
        }
        for alert in alerts
    ]
    try:
        response = aws.publisher("events").put_events(Entries=entries)
    except Exception as error:
        return _all(alerts, _failure("events put_events", error))
    results = response.get("Entries", [])
    outcomes = {}
    for index, alert in enumerate(alerts):
        result = results[index] if index < len(results) else {}
        if result.get("EventId"):
            outcomes[alert.contact_id] = Outcome.SENT
        elif result.get("ErrorCode"):
            outcomes[alert.contact_id] = Outcome.FAILED
        else:
            outcomes[alert.contact_id] = Outcome.MAYBE_SENT
    return outcomes


def _entry_outcome(entry_id: str, sent: set[str], failed: set[str]) -> Outcome:
    if entry_id in sent:
        return Outcome.SENT
    return Outcome.FAILED if entry_id in failed else Outcome.MAYBE_SENT


def _all(alerts: Sequence[LowScoreAlert], error: AlertError) -> dict[str, Outcome]:
    """The one outcome of every entry of a call that failed as a whole."""
    logger.error("Alert batch not sent", extra={"error": str(error), "entries": len(alerts)})
    outcome = Outcome.MAYBE_SENT if error.maybe_sent else Outcome.FAILED
    return dict.fromkeys((alert.contact_id for alert in alerts), outcome)


def _failure(what: str, error: Exception) -> AlertError:
    """An AlertError saying whether the message may have left despite the error."""
    if isinstance(error, ClientError):  # the service answered: it did not take the message
        code = error.response.get("Error", {}).get("Code", "Unknown")
        return AlertError(f"{what} failed: {code}", maybe_sent=False)
    # Never connected: nothing was sent. Anything else (a read timeout, a closed connection, a
    # reply botocore cannot parse) may have followed a message the service took.
    refused = isinstance(error, EndpointConnectionError | ConnectTimeoutError)
    return AlertError(f"{what} failed: {type(error).__name__}", maybe_sent=not refused)

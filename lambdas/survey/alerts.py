"""The low-score alert: one SNS message for people, one EventBridge event for automation.

Neither carries the caller's phone number: the contact id is enough to look the call up. Each
send is one SDK attempt; a failure says whether the message may have left anyway (a lost reply),
because only then can a retry duplicate it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from . import aws
from .contract import CONSOLE_CONTACT_URL, EVENT_DETAIL_TYPE, EVENT_SOURCE
from .exceptions import AlertError

if TYPE_CHECKING:
    from collections.abc import Mapping

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


def send_sns(topic_arn: str, alert: LowScoreAlert) -> None:
    """Publish the readable alert to the topic (e-mail and chat subscribers)."""
    try:
        aws.publisher("sns").publish(
            TopicArn=topic_arn,
            Subject=alert.subject(),
            Message=alert.body(),
            MessageAttributes={"alertId": {"DataType": "String", "StringValue": alert.alert_id}},
        )
    except Exception as error:
        raise _failure("sns publish", error) from error


def send_event(bus_name: str, alert: LowScoreAlert) -> None:
    """Put the alert on the event bus; a rejected entry counts as a failure too."""
    entry = {
        "Source": EVENT_SOURCE,
        "DetailType": EVENT_DETAIL_TYPE,
        "Detail": json.dumps(alert.detail(), separators=(",", ":")),
        "EventBusName": bus_name,
    }
    try:
        response = aws.publisher("events").put_events(Entries=[entry])
    except Exception as error:
        raise _failure("events put_events", error) from error
    if response.get("FailedEntryCount", 0):
        failed = response.get("Entries", [{}])[0].get("ErrorCode", "Unknown")
        raise AlertError(f"events put_events rejected the entry: {failed}", maybe_sent=False)


def _failure(what: str, error: Exception) -> AlertError:
    """An AlertError saying whether the message may have left despite the error."""
    if isinstance(error, ClientError):  # the service answered: it did not take the message
        code = error.response.get("Error", {}).get("Code", "Unknown")
        return AlertError(f"{what} failed: {code}", maybe_sent=False)
    # Never connected: nothing was sent. Anything else (a read timeout, a closed connection, a
    # reply botocore cannot parse) may have followed a message the service took.
    refused = isinstance(error, EndpointConnectionError | ConnectTimeoutError)
    return AlertError(f"{what} failed: {type(error).__name__}", maybe_sent=not refused)

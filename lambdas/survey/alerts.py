"""The low-score alert: one SNS message for people, one EventBridge event for automation.

Neither carries the caller's phone number: the contact id is enough to look the call up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .contract import EVENT_DETAIL_TYPE, EVENT_SOURCE
from .exceptions import AlertError

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class LowScoreAlert:
    """A completed survey with at least one score below the threshold."""

    contact_id: str
    initial_contact_id: str | None
    mode: str
    scores: Mapping[str, int]  # contact attribute → score, in survey order
    threshold: int

    @property
    def lowest(self) -> int:
        return min(self.scores.values())

    def subject(self) -> str:
        # SNS subjects: ASCII, one line, under 100 characters.
        return f"Low survey score {self.lowest} for contact {self.contact_id}"[:99]

    def body(self) -> str:
        lines = [
            f"A caller rated the {self.mode} post-call survey below {self.threshold}.",
            "",
            f"Contact id: {self.contact_id}",
            f"Initial contact id: {self.initial_contact_id or '-'}",
            f"Survey mode: {self.mode}",
            *(f"{attribute} = {score}" for attribute, score in self.scores.items()),
            f"Lowest score: {self.lowest}",
        ]
        return "\n".join(lines)

    def detail(self) -> dict[str, Any]:
        return {
            "contactId": self.contact_id,
            "initialContactId": self.initial_contact_id,
            "mode": self.mode,
            "scores": dict(self.scores),
            "lowest": self.lowest,
            "threshold": self.threshold,
        }


def send_sns(topic_arn: str, alert: LowScoreAlert) -> None:
    """Publish the readable alert to the topic (e-mail and chat subscribers)."""
    try:
        aws.client("sns").publish(TopicArn=topic_arn, Subject=alert.subject(), Message=alert.body())
    except (BotoCoreError, ClientError) as error:
        raise AlertError(f"sns publish failed: {_describe(error)}") from error


def send_event(bus_name: str, alert: LowScoreAlert) -> None:
    """Put the alert on the event bus; a rejected entry counts as a failure too."""
    entry = {
        "Source": EVENT_SOURCE,
        "DetailType": EVENT_DETAIL_TYPE,
        "Detail": json.dumps(alert.detail(), separators=(",", ":")),
        "EventBusName": bus_name,
    }
    try:
        response = aws.client("events").put_events(Entries=[entry])
    except (BotoCoreError, ClientError) as error:
        raise AlertError(f"events put_events failed: {_describe(error)}") from error
    if response.get("FailedEntryCount", 0):
        failed = response.get("Entries", [{}])[0].get("ErrorCode", "Unknown")
        raise AlertError(f"events put_events rejected the entry: {failed}")


def _describe(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "Unknown"))
    return type(error).__name__

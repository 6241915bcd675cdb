"""SNS: one readable message per alert for e-mail and chat subscribers (PublishBatch of ten)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final

from .base import Channel, Outcome, call_failed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..alerts import LowScoreAlert

# The alert topic's ARN, set by the stack from the topic's construct.
TOPIC_ARN: Final = "ALERT_TOPIC_ARN"


class SnsChannel(Channel):
    """The alert topic. PublishBatch answers per entry (Successful / Failed; in neither: maybe
    sent); ten messages of under 2 KiB fit its 256 KiB."""

    name: ClassVar[str] = "sns"
    batch_entries: ClassVar[int] = 10  # PublishBatch takes at most ten entries
    variables: ClassVar[tuple[str, ...]] = (TOPIC_ARN,)

    def send_batch(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        topic_arn = self.setting(TOPIC_ARN)
        entries = [
            {
                "Id": str(index),
                "Subject": alert.subject(),
                "Message": alert.body(),
                "MessageAttributes": {
                    "alertId": {"DataType": "String", "StringValue": alert.alert_id}
                },
            }
            for index, alert in enumerate(alerts)
        ]
        try:
            response = self.client("sns").publish_batch(
                TopicArn=topic_arn, PublishBatchRequestEntries=entries
            )
        except Exception as error:
            return call_failed(self.name, "publish_batch", error, alerts)
        sent = {str(entry.get("Id")) for entry in response.get("Successful", [])}
        failed = {str(entry.get("Id")) for entry in response.get("Failed", [])}
        return {
            alert.contact_id: _entry_outcome(str(index), sent, failed)
            for index, alert in enumerate(alerts)
        }


def _entry_outcome(entry_id: str, sent: set[str], failed: set[str]) -> Outcome:
    if entry_id in sent:
        return Outcome.SENT
    return Outcome.FAILED if entry_id in failed else Outcome.MAYBE_SENT

"""EventBridge: one event per alert for automation, on the stage's own bus (PutEvents of ten)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar, Final

from ..contract import EVENT_DETAIL_TYPE, EVENT_SOURCE
from .base import Channel, Outcome, call_failed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..alerts import LowScoreAlert

# The name of the stage's alert bus, set by the stack from the bus's construct.
BUS_NAME: Final = "ALERT_EVENT_BUS_NAME"


class EventsChannel(Channel):
    """The alert bus. PutEvents answers one result per entry, in request order: an EventId, or
    an ErrorCode; an entry with neither is taken as maybe sent."""

    name: ClassVar[str] = "events"
    batch_entries: ClassVar[int] = 10  # PutEvents takes at most ten entries
    variables: ClassVar[tuple[str, ...]] = (BUS_NAME,)

    def send_batch(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        bus_name = self.setting(BUS_NAME)
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
            response = self.client("events").put_events(Entries=entries)
        except Exception as error:
            return call_failed(self.name, "put_events", error, alerts)
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

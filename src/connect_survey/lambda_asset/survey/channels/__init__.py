"""Alert channels as plug-ins: the contract (`base`), one module per channel, and the registry
the alert function sends through, the stack grants and configures, and the budget is computed
from. Registering a channel is one line at the end."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from ..budget import ALERT_GROUP_CONTACTS, AlertBudget
from ..outbox import CLAIM_SECONDS
from .base import Channel, Outcome
from .events import EventsChannel
from .sns import SnsChannel
from .task import TaskChannel

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["CHANNELS", "Channel", "ChannelRegistry", "Outcome"]

# A channel's name ends its outbox attributes (alertClaim_<name>, alertSentAt_<name>).
CHANNEL_NAME: Final = re.compile(r"[a-z][a-z0-9]*")


class ChannelRegistry:
    """The channels in the order they send."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> Channel:
        """Add `channel`; ValueError, naming it, when it breaks the contract or the budget."""
        name = getattr(channel, "name", None)
        if not isinstance(name, str) or not CHANNEL_NAME.fullmatch(name):
            raise ValueError(f"alert channel {channel!r}: name must match {CHANNEL_NAME.pattern}")
        if name in self._channels:
            raise ValueError(f"alert channel {name!r} is registered already")
        if channel.batch_entries < 1:
            raise ValueError(f"alert channel {name!r}: batch_entries must be at least 1")
        budget = _budget([*self._channels.values(), channel])
        if budget.claimed_work_seconds > CLAIM_SECONDS:
            raise ValueError(
                f"alert channel {name!r}: a claim ({CLAIM_SECONDS} s) would not outlive its "
                f"group's claim and sends ({budget.claimed_work_seconds:g} s)"
            )
        if CLAIM_SECONDS + budget.margin_seconds > budget.function_timeout_seconds:
            raise ValueError(
                f"alert channel {name!r}: waiting out a claim, then a group, would not fit "
                f"the {budget.function_timeout_seconds} s timeout"
            )
        self._channels[name] = channel
        return channel

    def unregister(self, name: str) -> None:
        """Remove the channel named `name` (tests that register one of their own)."""
        del self._channels[name]

    def __iter__(self) -> Iterator[Channel]:
        return iter(list(self._channels.values()))

    def __len__(self) -> int:
        return len(self._channels)

    def __getitem__(self, name: str) -> Channel:
        return self._channels[name]

    @property
    def names(self) -> list[str]:
        return list(self._channels)

    def active(self) -> list[Channel]:
        """The channels alerts go out through in this deployment (an optional channel is on
        where the stack configured it), in order."""
        return [channel for channel in self._channels.values() if channel.active]

    def active_names(self) -> list[str]:
        """The names of `active()`: the channels an alert is done with once all have sent it."""
        return [channel.name for channel in self.active()]

    def budget(self) -> AlertBudget:
        """The alert function's time with the channels registered now."""
        return _budget(self._channels.values())


def _budget(channels: Iterable[Channel]) -> AlertBudget:
    return AlertBudget(
        send_seconds={c.name: c.send_seconds(ALERT_GROUP_CONTACTS) for c in channels}
    )


CHANNELS: Final = ChannelRegistry()
CHANNELS.register(SnsChannel())
CHANNELS.register(EventsChannel())
CHANNELS.register(TaskChannel())

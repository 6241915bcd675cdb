"""Alert channels as plug-ins: the contract (`base`), one module per channel, and the registry.

Registering a channel is one line below; see `base` for what a channel must state.
"""

from __future__ import annotations

from typing import Final

from .base import Channel, Outcome
from .events import EventsChannel
from .registry import ChannelRegistry
from .sns import SnsChannel

__all__ = ["CHANNELS", "Channel", "ChannelRegistry", "Outcome"]

CHANNELS: Final = ChannelRegistry()
CHANNELS.register(SnsChannel())
CHANNELS.register(EventsChannel())

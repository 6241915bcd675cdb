"""The registry of action implementations, keyed by the Flow Language `Type`.

One module per category of the AWS reference (participant, contact, flow control,
interactions); every function has the `ActionFunction` signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.engine.actions import contact, flow_control, interactions, participant

if TYPE_CHECKING:
    from flows.engine.run import ActionFunction

ACTIONS: dict[str, ActionFunction] = {
    **participant.ACTIONS,
    **contact.ACTIONS,
    **flow_control.ACTIONS,
    **interactions.ACTIONS,
}

__all__ = ["ACTIONS"]

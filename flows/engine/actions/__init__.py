"""The registry of action implementations, keyed by the Flow Language `Type`.

One module per category of the AWS reference (participant, contact, flow control,
interactions); every function has the `ActionFunction` signature and registers itself with
`@implements("Type")` (see `registry`).
"""

from __future__ import annotations

# Imported for their registrations.
from flows.engine.actions import contact, flow_control, interactions, participant  # noqa: F401
from flows.engine.actions.registry import ACTIONS

__all__ = ["ACTIONS"]

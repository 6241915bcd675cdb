"""The registry of action implementations, keyed by the Flow Language `Type`.

One module per category of the AWS reference (participant, contact, flow control,
interactions); every function has the `ActionFunction` signature and registers itself with
`@implements("Type")` (see `registry`).
"""

from __future__ import annotations

# Imported for their registrations.
from connect_survey.flow_language.engine.actions import (  # noqa: F401
    contact,
    flow_control,
    interactions,
    participant,
)
from connect_survey.flow_language.engine.actions.registry import ACTIONS

__all__ = ["ACTIONS"]

"""A read-only view of the Connect contact flow event: only what the handlers use.

Read from the raw dict rather than Powertools' typed properties: those raise KeyError on channels
and initiation methods they do not know (TASK, DISCONNECT, QUEUE_TRANSFER…) and on null maps.
The caller's number (CustomerEndpoint) is deliberately not part of the view.
See https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .contract import PARAM_VERIFICATION, TRUE
from .exceptions import MalformedEventError


@dataclass(frozen=True)
class Contact:
    """The contact a flow invoked us for; what Connect left null or mistyped is None or empty."""

    contact_id: str
    initial_contact_id: str | None = None
    channel: str | None = None
    initiation_method: str | None = None
    queue_name: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_verification(self) -> bool:
        """A deploy check's event: the handler answers as usual but stores and sends nothing."""
        return self.parameter(PARAM_VERIFICATION) == TRUE

    def parameter(self, name: str) -> str:
        """The flow parameter `name`, stripped; "" when the flow did not send it."""
        return self.parameters.get(name, "").strip()

    @classmethod
    def from_event(cls, event: object) -> Contact:
        """Read the raw event; raise MalformedEventError when there is no ContactId to work on."""
        data = _mapping(_mapping(event, "Details"), "ContactData")
        contact_id = _text(data, "ContactId")
        if contact_id is None:
            raise MalformedEventError("the event has no Details.ContactData.ContactId")
        return cls(
            contact_id=contact_id,
            initial_contact_id=_text(data, "InitialContactId"),
            channel=_text(data, "Channel"),
            initiation_method=_text(data, "InitiationMethod"),
            queue_name=_text(_mapping(data, "Queue"), "Name"),
            attributes=_string_map(data, "Attributes"),
            parameters=flow_parameters(event),
        )


def flow_parameters(event: object) -> dict[str, str]:
    """The parameters the flow sent (Details.Parameters); anything not a string is dropped."""
    return _string_map(_mapping(event, "Details"), "Parameters")


def _mapping(parent: object, key: str) -> Mapping[str, Any]:
    value = parent.get(key) if isinstance(parent, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _text(parent: Mapping[str, Any], key: str) -> str | None:
    value = parent.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _string_map(parent: Mapping[str, Any], key: str) -> dict[str, str]:
    """Connect sends only strings; anything else cannot have come from a flow and is dropped."""
    items = _mapping(parent, key).items()
    return {k: v for k, v in items if isinstance(k, str) and isinstance(v, str)}

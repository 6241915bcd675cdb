"""JSONPath references in parameter values: `$.Attributes.X`, `$.External.X`, system values.

A value that is wholly one reference resolves to the referenced value; a "static or dynamic"
text has every reference inside it replaced. A missing value resolves to the empty string.
https://docs.aws.amazon.com/connect/latest/adminguide/connect-attrib-list.html
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine.errors import UnsupportedReferenceError

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.flow_language.engine.state import CallState

SYSTEM_VALUES: dict[str, Callable[[CallState], str | None]] = {
    "$.ContactId": lambda s: s.contact.contact_id,
    "$.InitialContactId": lambda s: s.contact.initial_contact_id,
    "$.PreviousContactId": lambda s: s.contact.previous_contact_id,
    "$.Channel": lambda s: s.contact.channel,
    "$.InstanceARN": lambda s: s.contact.instance_arn,
    "$.InitiationMethod": lambda s: s.contact.initiation_method,
    "$.LanguageCode": lambda s: s.language_code,
    "$.CustomerEndpoint.Address": lambda s: s.contact.customer_address,
    "$.SystemEndpoint.Address": lambda s: s.contact.system_address,
    "$.Queue.Name": lambda s: s.queue.name if s.queue else None,
    "$.Queue.ARN": lambda s: s.queue.reference if s.queue else None,
    "$.TextToSpeechVoiceId": lambda s: s.voice,
    "$.Name": lambda s: s.contact.name,
    "$.StoredCustomerInput": lambda s: s.stored_input,
}

_KEY = r"(?:\.[A-Za-z0-9_\-]+)+"
_SYSTEM = "|".join(re.escape(path) for path in sorted(SYSTEM_VALUES, key=len, reverse=True))
REFERENCE = re.compile(rf"\$\.(?:Attributes|External){_KEY}|(?:{_SYSTEM})(?![A-Za-z0-9_])")
# Any one JSONPath-looking token: a whole value like this must be a reference we know.
SINGLE_PATH = re.compile(r"\$\.[A-Za-z0-9_.\-\[\]'\"]*[A-Za-z0-9_\]'\"]")


def is_reference(value: str) -> bool:
    """Whether the whole value is one JSONPath (known or not)."""
    return value.startswith("$.")


def resolve(state: CallState, value: str, flow: str, action_id: str) -> str:
    """The value of a "static or single JSONPath" parameter."""
    if not is_reference(value):
        return value
    if not REFERENCE.fullmatch(value):
        raise UnsupportedReferenceError(
            flow, action_id, f"the simulator does not know the reference {value!r}"
        )
    return _lookup(state, value)


def dynamic(state: CallState, text: str, flow: str, action_id: str) -> str:
    """The value of a "static or dynamic" parameter: a reference, or text embedding some."""
    if SINGLE_PATH.fullmatch(text):
        return resolve(state, text, flow, action_id)
    return interpolate(state, text)


def interpolate(state: CallState, text: str) -> str:
    """The text with each known reference inside it replaced by its value."""
    return REFERENCE.sub(lambda match: _lookup(state, match.group(0)), text)


def _lookup(state: CallState, path: str) -> str:
    system = SYSTEM_VALUES.get(path)
    if system is not None:
        return system(state) or ""
    root, *keys = path[2:].split(".")
    value: Any = state.attributes if root == "Attributes" else state.external
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return as_text(value)


def as_text(value: Any) -> str:
    """How a JSON value reads where Connect needs text (`true`, `3`, `{"a":1}`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))

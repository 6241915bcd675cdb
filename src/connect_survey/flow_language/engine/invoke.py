"""Calling a Lambda handler the way Connect does: the event, the context, the time limit, the
response check.

https://docs.aws.amazon.com/connect/latest/adminguide/connect-lambda-functions.html
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.spec import STRING_MAP

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.state import CallState

Handler = Callable[[dict[str, Any], Any], Any]
"""A Lambda handler: `handler(event, context)`, the project's own or a stub."""

MAX_RESPONSE_BYTES = 32 * 1024
NO_AUDIO_STREAM = {"StartFragmentNumber": None, "StartTimestamp": None, "StreamARN": None}


class LambdaTimeout(Exception):
    """Raise from a stub handler to act as a Lambda that ran past the flow's time limit."""


@dataclass
class LambdaContext:
    """The parts of the Lambda context object handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    deadline: float  # time.monotonic() value when Connect stops waiting
    memory_limit_in_mb: int = 128
    function_version: str = "$LATEST"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "simulator"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def function_name(arn: str) -> str:
    """`name` from `arn:aws:lambda:region:account:function:name[:qualifier]`, else the input."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return arn


def contact_flow_event(state: CallState, parameters: Mapping[str, str]) -> dict[str, Any]:
    """The event Connect sends: `{"Name": "ContactFlowEvent", "Details": {...}}`."""
    contact = state.contact
    phone = "TELEPHONE_NUMBER"
    system = {"Address": contact.system_address, "Type": phone} if contact.system_address else None
    queue = state.queue
    return {
        "Name": "ContactFlowEvent",
        "Details": {
            "ContactData": {
                "Attributes": dict(state.attributes),
                "Channel": contact.channel,
                "ContactId": contact.contact_id,
                "CustomerEndpoint": (
                    {"Address": contact.customer_address, "Type": phone}
                    if contact.customer_address
                    else None
                ),
                "InitialContactId": contact.initial_contact_id,
                "InitiationMethod": contact.initiation_method,
                "InstanceARN": contact.instance_arn,
                "LanguageCode": state.language_code,
                "MediaStreams": {"Customer": {"Audio": dict(NO_AUDIO_STREAM)}},
                "PreviousContactId": contact.previous_contact_id,
                "Queue": (
                    {"ARN": queue.reference, "Name": queue.name, "OutboundCallerId": system}
                    if queue
                    else None
                ),
                "SystemEndpoint": system,
            },
            "Parameters": dict(parameters),
        },
    }


def call_handler(
    handler: Handler,
    event: dict[str, Any],
    context: LambdaContext,
    limit_seconds: int,
    *,
    enforce_limit: bool,
) -> tuple[Any, str | None]:
    """Run the handler; `(response, None)`, or `(None, why it failed)` as Connect would see it."""
    started = time.monotonic()
    try:
        response = handler(event, context)
    except LambdaTimeout:
        return None, f"timed out (limit {limit_seconds} s)"
    except Exception as error:  # any failure of the handler is the flow's NoMatchingError
        return None, f"raised {type(error).__name__}: {error}"
    elapsed = time.monotonic() - started
    if enforce_limit and elapsed > limit_seconds:
        return None, f"took {elapsed:.2f} s, over the {limit_seconds} s limit"
    return response, None


def response_problem(response: Any, response_type: str) -> str | None:
    """Why Connect would reject this response, or None when it is acceptable."""
    if not isinstance(response, dict):
        return f"returned {type(response).__name__}, not a JSON object"
    if response_type == STRING_MAP:
        for key, value in response.items():
            if not isinstance(key, str) or not isinstance(value, str):
                return f"{key!r}: {value!r} is not a string to string entry (STRING_MAP)"
    try:
        size = len(json.dumps(response).encode())
    except (TypeError, ValueError) as error:
        return f"returned a response that is not JSON: {error}"
    if response_type == STRING_MAP and size >= MAX_RESPONSE_BYTES:
        return f"returned {size} bytes; a STRING_MAP response must stay under 32 KB"
    return None

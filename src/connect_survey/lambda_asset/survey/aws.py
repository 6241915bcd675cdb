"""boto3 clients built on first use and bounded by the time budget, so handlers answer in time.

Clients are created lazily (tests start moto before the first call) and cached per process;
`reset_clients` drops them so each test gets clients bound to its own mock.
"""

from __future__ import annotations

from typing import Any, Final

import boto3
from botocore.config import Config

from .budget import CALL_PATH, SEND_ATTEMPT, Attempt

# Connect waits at most 8 s for a Lambda: short attempts, never the SDK's default minute.
BOUNDED: Final = Config(
    connect_timeout=CALL_PATH.connect_timeout_seconds,
    read_timeout=CALL_PATH.read_timeout_seconds,
    retries={"total_max_attempts": CALL_PATH.attempts, "mode": "standard"},
)
# Below this, one more bounded call could outlive the invocation: answer with a reason instead.
MIN_REMAINING_MS: Final = CALL_PATH.margin_ms

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    """The process-wide bounded client for `service` ("dynamodb")."""
    if service not in _clients:
        _clients[service] = boto3.client(service, config=BOUNDED)
    return _clients[service]


def publisher(service: str, attempt: Attempt = SEND_ATTEMPT) -> Any:
    """The process-wide client an alert channel sends with: one attempt (an SDK retry of a send
    whose reply was lost would send the alert twice; the stream retries instead)."""
    key = f"publish:{service}"
    if key not in _clients:
        _clients[key] = boto3.client(
            service,
            config=Config(
                connect_timeout=attempt.connect_timeout_seconds,
                read_timeout=attempt.read_timeout_seconds,
                retries={"total_max_attempts": 1, "mode": "standard"},
            ),
        )
    return _clients[key]


def reset_clients() -> None:
    """Forget the cached clients (tests, or after changing region or credentials)."""
    _clients.clear()


def has_time_left(context: object, margin_ms: int = MIN_REMAINING_MS) -> bool:
    """Whether another AWS call (the caller's path by default) fits in the invocation; no context
    (tests, simulator): yes."""
    left = remaining_ms(context)
    return left is None or left >= margin_ms


def remaining_ms(context: object) -> float | None:
    """The invocation's time left, in milliseconds; None when the context cannot tell (tests and
    the simulator pass none)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return None
    try:
        return float(remaining())
    except (TypeError, ValueError):
        return None

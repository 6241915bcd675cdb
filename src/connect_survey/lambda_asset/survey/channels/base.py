"""The alert channel contract: how alerts are sent, the outcome of each, how long a send takes.

The delivery (`delivery.py`) claims, sends through every channel and records; a channel knows
nothing of claims or the stream. Adding one: a module here, its line in `channels/__init__.py`,
and the stack's construct for its resource (infra/alert_channels.py); the budget follows.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

from .. import aws, environment
from ..budget import SEND_ATTEMPT, Attempt
from ..exceptions import AlertError, EnvironmentVariableError
from ..telemetry import Metric, count, logger

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..alerts import LowScoreAlert


class Outcome(StrEnum):
    """What became of one alert on one channel."""

    SENT = "sent"  # the service confirmed it
    FAILED = "failed"  # certainly not sent: the service refused it, or was never reached
    MAYBE_SENT = "maybe_sent"  # the reply was lost: it may have left


class Channel(ABC):
    """One way a low-score alert leaves. A subclass states:
    - `name`: its key in the outbox item (claim, sentAt); never renamed once deployed;
    - `send_batch`: at most `batch_entries` alerts in one call of one attempt bounded by
      `attempt`, an `Outcome` per contact id (a per-contact API: `batch_entries = 1`, with
      `concurrent_calls`; an idempotency token: `alert.alert_id`, stable per contact);
    - `variables`: what it reads with `setting`, set by the stack from its resource's construct;
    - `optional`: a stage may go without it: it is on where the stack set its `variables`;
    - `sent_metric`, `failed_metric`, `duplicate_metric`: counts of its own, besides the shared
      AlertPublished, AlertError and AlertPossibleDuplicate;
    - `resend_is_harmless`: when the service dedupes a resend on the alert's token.
    """

    name: ClassVar[str]
    batch_entries: ClassVar[int] = 10
    concurrent_calls: ClassVar[int] = 1  # calls in flight at once (a per-contact API: up to 10)
    attempt: ClassVar[Attempt] = SEND_ATTEMPT
    variables: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[bool] = False
    sent_metric: ClassVar[Metric | None] = None
    failed_metric: ClassVar[Metric | None] = None  # failed or maybe sent: not confirmed
    duplicate_metric: ClassVar[Metric | None] = None

    @property
    def active(self) -> bool:
        """Whether alerts go out through it in this deployment: always, unless it is optional
        and the stack gave it none of its settings."""
        return not self.optional or any(os.environ.get(v, "").strip() for v in self.variables)

    def resend_is_harmless(self, alert: LowScoreAlert) -> bool:
        """Whether sending `alert` again after a send whose reply was lost cannot deliver it
        twice (the service dedupes on the alert's token); if not, the resend is counted."""
        return False

    def record(self, alert: LowScoreAlert, outcome: Outcome, *, taken_over: bool) -> None:
        """Count one alert's outcome; a send after taking over another sender's claim may
        duplicate what that sender sent, unless the channel says a resend is harmless."""
        sent = outcome is Outcome.SENT
        duplicate = sent and taken_over and not self.resend_is_harmless(alert)
        for metric, counted in (
            (Metric.ALERT_PUBLISHED, sent),
            (Metric.ALERT_ERROR, not sent),
            (Metric.ALERT_POSSIBLE_DUPLICATE, duplicate),
            (self.sent_metric, sent),
            (self.failed_metric, not sent),
            (self.duplicate_metric, duplicate),
        ):
            if counted and metric is not None:
                count(metric)

    @abstractmethod
    def send_batch(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        """Send up to `batch_entries` alerts with one call; the outcome of each, by contact id."""

    def send(self, alerts: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        """Send every alert, `batch_entries` per call; the outcome of each. Never raises."""
        step = self.batch_entries
        chunks = [alerts[first : first + step] for first in range(0, len(alerts), step)]
        if self.concurrent_calls > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(min(self.concurrent_calls, len(chunks))) as calls:
                answers = list(calls.map(self._send_chunk, chunks))
        else:
            answers = [self._send_chunk(chunk) for chunk in chunks]
        return {contact: outcome for answer in answers for contact, outcome in answer.items()}

    def _send_chunk(self, chunk: Sequence[LowScoreAlert]) -> dict[str, Outcome]:
        try:
            answered = self.send_batch(chunk)
        except EnvironmentVariableError as error:  # nothing was called: certainly unsent
            logger.error("Alerts not sent", extra={"channel": self.name, "error": str(error)})
            answered = dict.fromkeys((alert.contact_id for alert in chunk), Outcome.FAILED)
        except Exception:  # a fault of the channel's own: whether it sent is unknown
            logger.exception("Alert channel failed", extra={"channel": self.name})
            answered = {}
        return {a.contact_id: answered.get(a.contact_id, Outcome.MAYBE_SENT) for a in chunk}

    def send_seconds(self, alerts: int) -> float:
        """The longest sending `alerts` alerts can take: one bounded attempt per call, and
        `concurrent_calls` calls at a time."""
        calls = math.ceil(alerts / self.batch_entries)
        return math.ceil(calls / self.concurrent_calls) * self.attempt.seconds

    def setting(self, variable: str) -> str:
        """The value the stack gave one of `variables`; EnvironmentVariableError when unset."""
        return environment.required(variable)

    def client(self, service: str) -> Any:
        """The process-wide single-attempt client of `service`, bounded by `attempt`."""
        return aws.publisher(service, self.attempt)


def call_failed(
    channel: str, operation: str, error: Exception, alerts: Sequence[LowScoreAlert]
) -> dict[str, Outcome]:
    """The one outcome of every alert of a call that failed as a whole, logged."""
    failure = _failure(f"{channel} {operation}", error)
    logger.error("Alert batch not sent", extra={"error": str(failure), "entries": len(alerts)})
    outcome = Outcome.MAYBE_SENT if failure.maybe_sent else Outcome.FAILED
    return dict.fromkeys((alert.contact_id for alert in alerts), outcome)


def _failure(what: str, error: Exception) -> AlertError:
    """An AlertError saying whether the message may have left despite the error."""
    if isinstance(error, ClientError):  # the service answered: it did not take the message
        code = error.response.get("Error", {}).get("Code", "Unknown")
        return AlertError(f"{what} failed: {code}", maybe_sent=False)
    # Never connected: nothing was sent. Anything else (a read timeout, a closed connection, a
    # reply botocore cannot parse) may have followed a message the service took.
    refused = isinstance(error, EndpointConnectionError | ConnectTimeoutError)
    return AlertError(f"{what} failed: {type(error).__name__}", maybe_sent=not refused)

"""The time budgets: the call path's (the flow's wait, the function timeout, each AWS call), and
the alert function's, computed from its channels (`AlertBudget`).

Connect waits at most `flow_limit_seconds` for a handler (the flows' InvocationTimeLimitSeconds
is rendered from it); the function is stopped before that (`function_timeout_seconds`, set by the
stack); every AWS call is bounded by the client settings below (`aws.py`): with `margin_seconds`
left, even the slowest call a network that answers allows ends with `answer_reserve_seconds` to
spare (the alert function starts calls only then). The relation is asserted by a test:

    worst_call_seconds < margin_seconds < function_timeout_seconds < flow_limit_seconds

The client settings bound each read, not a call: a reply trickling in a byte at a time restarts
botocore's read timeout. So the caller's path has an absolute deadline instead (`deadline.py`):
every AWS call is abandoned when `deadline_reserve_seconds` of the invocation are left, whatever
the network does, and the handler answers then. A call is started while it can at least connect
before the deadline; a call followed by a more important write (the cooldown before the answer,
the read before the summary) leaves that write one attempt (`attempt_seconds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

# Connect waits at most this long for a Lambda (InvocationTimeLimitSeconds is 1 to 8): the one
# statement of the limit for the asset, the stack and `connect-survey verify` (the Flow Language
# toolkit states it too; a test keeps the two equal).
CONNECT_FLOW_LIMIT_SECONDS: Final = 8


@dataclass(frozen=True)
class TimeBudget:
    """How long each part of one invocation may take, in seconds."""

    flow_limit_seconds: (
        int  # the flows' InvocationTimeLimitSeconds (CONNECT_FLOW_LIMIT_SECONDS at most)
    )
    function_timeout_seconds: int  # the Lambda timeout; the rest of the flow limit covers init
    connect_timeout_seconds: float  # per attempt, to open the connection
    read_timeout_seconds: float  # per attempt, to wait for the reply
    attempts: int  # SDK attempts per call on the call path (DynamoDB)
    # botocore's standard retry mode sleeps random() x 2^(n-1) s before retry n: at most 1 s
    # before the second attempt (botocore/retries/standard.py, ExponentialBackoff).
    retry_backoff_seconds: float
    answer_reserve_seconds: float  # kept after the last call to answer the flow
    # Every AWS call is abandoned when this much of the invocation is left (deadline.py), however
    # the network behaves: time to log, count and answer. 0: no absolute deadline.
    deadline_reserve_seconds: float = 0.0

    @property
    def attempt_seconds(self) -> float:
        """The longest one SDK attempt can take: connecting, then waiting for the reply."""
        return self.connect_timeout_seconds + self.read_timeout_seconds

    @property
    def worst_call_seconds(self) -> float:
        """The longest one bounded call can take, all its attempts and backoffs included."""
        waits = (self.attempts - 1) * self.retry_backoff_seconds
        return self.attempts * self.attempt_seconds + waits

    @property
    def margin_seconds(self) -> float:
        """Below this much time left, a handler starts no more calls and answers at once."""
        return self.worst_call_seconds + self.answer_reserve_seconds

    @property
    def margin_ms(self) -> int:
        return round(self.margin_seconds * 1000)


# The caller's path (score, finish, eligibility): one call of two short attempts ends within 5 s
# on a network that answers; whatever the network does, every call is abandoned with 1.5 s of the
# 6 s timeout left, inside Connect's 8 s wait. The 1.5 s are for the CPU work after it (log, count,
# flush the metrics, answer) on a small function's share of a CPU, or a loaded test machine's.
CALL_PATH: Final = TimeBudget(
    flow_limit_seconds=CONNECT_FLOW_LIMIT_SECONDS,
    function_timeout_seconds=6,
    connect_timeout_seconds=0.5,
    read_timeout_seconds=1.5,
    attempts=2,
    retry_backoff_seconds=1.0,
    answer_reserve_seconds=0.5,
    deadline_reserve_seconds=1.5,
)

# The alert function (off the call path, no flow waits for it): long enough to wait out a
# claim a failed sender left (outbox.CLAIM_SECONDS) and still deliver the group after it.
ALERT_FUNCTION_TIMEOUT_SECONDS: Final = 60
# The sweeper (EventBridge Scheduler) runs this often; the alerts the stream left unsent leave
# with the first sweep after their channel is back. Longer than its timeout (the alert
# function's), so sweeps never overlap.
SWEEP_INTERVAL_SECONDS: Final = 120
# It takes up an unsent alert this long after its first claim: any claim (outbox.CLAIM_SECONDS)
# and any stream invocation that may still hold one (the timeout) have ended by then.
SWEEP_AFTER_SECONDS: Final = ALERT_FUNCTION_TIMEOUT_SECONDS
# An unsent alert (or a skipped write) older than this after a sweep is alarmed: the sweep after
# its channel came back should have finished it, with two sweeps' slack.
UNFINISHED_ALARM_SECONDS: Final = SWEEP_AFTER_SECONDS + 3 * SWEEP_INTERVAL_SECONDS
# Contacts claimed, sent and recorded together: the most entries SNS PublishBatch and EventBridge
# PutEvents take in one call.
ALERT_GROUP_CONTACTS: Final = 10


@dataclass(frozen=True)
class Attempt:
    """The bounds of one SDK attempt: a send gets exactly one (the stream retries, not the SDK,
    as an SDK retry of a send whose reply was lost would send it twice)."""

    connect_timeout_seconds: float
    read_timeout_seconds: float

    @property
    def seconds(self) -> float:
        """The longest the attempt can take: connecting, then waiting for the reply."""
        return self.connect_timeout_seconds + self.read_timeout_seconds


# One send call of an alert channel, unless the channel states its own.
SEND_ATTEMPT: Final = Attempt(connect_timeout_seconds=1.0, read_timeout_seconds=3.0)


@dataclass(frozen=True)
class AlertBudget:
    """The alert function's time, from its registered channels: it claims a group only while
    `margin_seconds` are left for the claim, every channel's sends and the write recording them;
    the rest of its batch goes back to the stream."""

    send_seconds: Mapping[str, float]  # channel name -> the longest its sends of one group take
    storage_call_seconds: float = CALL_PATH.worst_call_seconds
    function_timeout_seconds: int = ALERT_FUNCTION_TIMEOUT_SECONDS

    @property
    def claimed_work_seconds(self) -> float:
        """The longest from starting a claim to the end of the group's last send."""
        return self.storage_call_seconds + sum(self.send_seconds.values())

    @property
    def margin_seconds(self) -> float:
        """Below this much time left, the function claims no more contacts."""
        return self.claimed_work_seconds + self.storage_call_seconds

    @property
    def margin_ms(self) -> int:
        return round(self.margin_seconds * 1000)

"""The caller's path's absolute deadline: no AWS call outlives the invocation, whatever the network.

botocore bounds each read, not a call: a reply trickling in a byte at a time restarts the read
timeout. So each AWS call runs on a worker thread, waited for only until the Lambda context says
`CALL_PATH.deadline_reserve_seconds` are left; then it is abandoned (DeadlineError, a
StorageError: the flow gets its answer for any storage failure).

A thread, not SIGALRM: an alarm raises inside whatever botocore or urllib3 is doing (a connection
half taken from the pool, a lock), only in the main thread, one timer per process (the simulator
runs handlers in-process). A worker is never interrupted: an abandoned call runs on until
botocore's own bounds end it (in Lambda, frozen and resumed with the environment) and its result
is dropped, so every call-path write is idempotent or conditional. boto3 clients are thread-safe
once created, and are created in the handler's thread (`aws.client`), never in a worker.

The deadline reads the context's clock: in Lambda, the time left; in the simulator, a clock that
does not run inside a handler (a loaded machine never cuts a call). No context: no deadline.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from .budget import CALL_PATH
from .exceptions import DeadlineError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T = TypeVar("T")

RESERVE_MS: Final = round(CALL_PATH.deadline_reserve_seconds * 1000)
# A call is started only if it can at least connect before the deadline.
CONNECT_MS: Final = round(CALL_PATH.connect_timeout_seconds * 1000)
# As many workers as a botocore client pools connections (10): a call the network left hanging
# holds one until its own bounds end it; past that, calls wait for a worker within their window.
WORKERS: Final = 10
_workers: ThreadPoolExecutor


def _start_workers() -> None:
    """Also run in a forked child, which inherits the pool's books but none of its threads: a
    call submitted there would wait forever (the benchmark forks warm simulators; Lambda never
    forks)."""
    global _workers
    _workers = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="aws-call")


_start_workers()
if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork either
    os.register_at_fork(after_in_child=_start_workers)


@dataclass(frozen=True)
class Deadline:
    """Abandon AWS calls once the context has `floor_ms` or less left."""

    remaining_ms: Callable[[], float]  # the Lambda context's clock
    floor_ms: float

    def window_ms(self) -> float:
        """How long a call may still take."""
        return self.remaining_ms() - self.floor_ms

    def run(self, call: Callable[..., T], request: dict[str, Any]) -> T:
        if self.window_ms() < CONNECT_MS:
            raise DeadlineError("too little time left to start the call")
        future = _workers.submit(call, **request)
        while True:
            # Waiting the whole window at once costs nothing; a clock that did not run out (the
            # simulator's) is asked again rather than trusted to have done so.
            try:
                return future.result(timeout=max(self.window_ms(), 0.0) / 1000)
            except TimeoutError:
                if future.done():  # the call's own timeout
                    raise
                if self.window_ms() <= 0:
                    future.cancel()  # a call still waiting for a worker never starts
                    raise DeadlineError("abandoned at the deadline; it may still land") from None


_current: ContextVar[Deadline | None] = ContextVar("deadline", default=None)


@contextmanager
def invocation(context: object) -> Iterator[None]:
    """Put the handler's AWS calls under the invocation's deadline (none without a context)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    deadline = Deadline(remaining, RESERVE_MS) if callable(remaining) else None
    token = _current.set(deadline)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def keeping(seconds: float) -> Iterator[None]:
    """Abandon the calls inside `seconds` earlier: time kept for the write that follows them."""
    outer = _current.get()
    if outer is None:
        yield
        return
    token = _current.set(Deadline(outer.remaining_ms, outer.floor_ms + seconds * 1000))
    try:
        yield
    finally:
        _current.reset(token)


def call(operation: Callable[..., T], /, **request: Any) -> T:
    """`operation(**request)`, abandoned at the deadline (DeadlineError) if there is one."""
    deadline = _current.get()
    return operation(**request) if deadline is None else deadline.run(operation, request)


def has_time() -> bool:
    """Whether another AWS call can be started (always, without a deadline)."""
    deadline = _current.get()
    return deadline is None or deadline.window_ms() >= CONNECT_MS

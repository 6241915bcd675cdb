"""The caller's path's absolute deadline: no AWS call outlives the invocation, whatever the network.

botocore bounds each read, not a call: a reply trickling in a byte at a time restarts the read
timeout, so a handler could answer long after Connect stopped waiting. Under a deadline every AWS
call runs in a worker thread, and the handler waits for it only until the Lambda context says
`CALL_PATH.deadline_reserve_seconds` are left; then it abandons the call (DeadlineError, a
StorageError: the flow gets the answer it gets for any storage failure).

Why a worker thread and not SIGALRM: an alarm raises inside whatever botocore, urllib3 or
Powertools is doing at that instant (a connection half taken from the pool, a lock), works only in
the main thread, and is one timer per process (the simulator runs handlers in-process, tests may
run them in threads). A worker is never interrupted: the abandoned call goes on in the background
until botocore's own bounds end it (in Lambda, frozen with the environment and resumed with the
next invocation), and its result is dropped. So every call-path write is idempotent or
conditional: one that lands late changes nothing. boto3 clients are thread-safe once created, and
they are created in the handler's thread (`aws.client`), never in a worker.

The deadline reads the context's own clock: in Lambda, time left until the function timeout; in
the simulator, the simulated clock (no time passes inside a handler, so a loaded machine never
cuts a call). Without a context (tests calling a handler directly) there is no deadline.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, cast

from .budget import CALL_PATH
from .exceptions import DeadlineError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

T = TypeVar("T")

RESERVE_MS: Final = round(CALL_PATH.deadline_reserve_seconds * 1000)
# A call is started only if it can at least connect before the deadline.
CONNECT_MS: Final = round(CALL_PATH.connect_timeout_seconds * 1000)


@dataclass(frozen=True)
class Deadline:
    """Abandon AWS calls once the context has `floor_ms` or less left."""

    remaining_ms: Callable[[], float]  # the Lambda context's clock
    floor_ms: float

    def window_ms(self) -> float:
        """How long a call may still take."""
        return self.remaining_ms() - self.floor_ms

    def has_time(self) -> bool:
        """Whether a call started now can at least connect before the deadline."""
        return self.window_ms() >= CONNECT_MS

    def run(self, call: Callable[..., T], request: dict[str, Any]) -> T:
        if not self.has_time():
            raise DeadlineError("too little time left to start the call")
        worker = _Worker(call, request)
        threading.Thread(target=worker.run, name="aws-call", daemon=True).start()
        # Waiting the whole window at once costs nothing; a clock that did not run out (the
        # simulator's) is asked again rather than trusted to have done so.
        while not worker.done.wait(max(self.window_ms(), 0.0) / 1000):
            if self.window_ms() <= 0:
                raise DeadlineError("abandoned at the invocation's deadline; it may still land")
        return worker.result()


class _Worker(Generic[T]):
    """One AWS call and its outcome, waited for by the handler's thread."""

    def __init__(self, call: Callable[..., T], request: dict[str, Any]) -> None:
        self.call, self.request = call, request
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.value = self.call(**self.request)
        except BaseException as error:  # handed to the waiting thread, or dropped if abandoned
            self.error = error
        finally:
            self.done.set()

    def result(self) -> T:
        if self.error is not None:
            raise self.error
        return cast("T", self.value)


_current: ContextVar[Deadline | None] = ContextVar("deadline", default=None)


@contextmanager
def invocation(context: object) -> Iterator[None]:
    """Put the handler's AWS calls under the invocation's deadline (none without a context)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    deadline = Deadline(_clock(remaining), RESERVE_MS) if callable(remaining) else None
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
    return deadline is None or deadline.has_time()


def _clock(remaining: Callable[[], object]) -> Callable[[], float]:
    def read() -> float:
        try:
            return float(remaining())  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return float("inf")  # an unreadable clock never cuts a call

    return read

"""The absolute deadline: a call is abandoned when the context's clock says so, and only then."""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from dataclasses import dataclass, field

import pytest

from connect_survey.lambda_asset.survey import deadline
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.exceptions import DeadlineError, StorageError

RESERVE_S = CALL_PATH.deadline_reserve_seconds


@dataclass
class Countdown:
    """A Lambda context whose time left runs down in real time from `seconds`."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int((self.started + self.seconds - time.monotonic()) * 1000)


@dataclass
class Frozen:
    """A Lambda context on a clock that does not move (the simulator's)."""

    remaining_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_deadline_abandons_a_call_that_outlives_the_invocation() -> None:
    # GIVEN an invocation with 0.8 s more than the reserve left, and a call that never returns
    release = threading.Event()
    started = time.monotonic()

    # WHEN the call is made under the invocation's deadline
    with deadline.invocation(Countdown(RESERVE_S + 0.8)), pytest.raises(DeadlineError):
        deadline.call(release.wait)

    # THEN it is abandoned when the reserve is left, not later
    assert 0.75 <= time.monotonic() - started <= 1.1
    release.set()


def test_deadline_is_a_storage_error_for_the_handlers() -> None:
    assert issubclass(DeadlineError, StorageError)


def test_deadline_never_cuts_a_call_on_a_clock_that_does_not_run() -> None:
    # GIVEN the simulator's clock, 0.1 s above the reserve, and a call taking 0.3 s of wall time
    # WHEN the call is made under the deadline
    with deadline.invocation(Frozen(round((RESERVE_S + 0.6) * 1000))):
        answer = deadline.call(lambda seconds: time.sleep(seconds) or "done", seconds=0.3)

    # THEN it completes: a slow machine is no slow network
    assert answer == "done"


def test_deadline_starts_no_call_that_could_not_even_connect() -> None:
    # GIVEN an invocation with less than the reserve plus a connection's time left
    calls: list[str] = []
    context = Frozen(round((RESERVE_S + CALL_PATH.connect_timeout_seconds) * 1000) - 1)

    # WHEN a call is attempted
    with deadline.invocation(context), pytest.raises(DeadlineError, match="too little time"):
        deadline.call(calls.append, object="call")

    # THEN it never started
    assert calls == []


def test_deadline_keeping_time_for_a_later_write_cuts_the_earlier_call_sooner() -> None:
    # GIVEN 1.8 s above the reserve left, of which 1 s must stay for a later write, and a call
    # that never returns
    release = threading.Event()
    started = time.monotonic()

    # WHEN the first call keeps that second
    with deadline.invocation(Countdown(RESERVE_S + 1.8)):
        with deadline.keeping(1.0), pytest.raises(DeadlineError):
            deadline.call(release.wait)
        abandoned = time.monotonic() - started
        assert deadline.has_time()  # the write after it still may start

    # THEN it was abandoned with 1 s more left than the deadline keeps
    assert 0.75 <= abandoned <= 1.1
    release.set()


def test_deadline_passes_results_and_errors_through() -> None:
    def fail(*, key: str) -> None:
        raise KeyError(key)

    with deadline.invocation(Frozen(5000)):
        assert deadline.call(dict, a=1) == {"a": 1}
        with pytest.raises(KeyError, match="missing"):
            deadline.call(fail, key="missing")


def test_no_context_means_no_deadline_and_no_worker_thread() -> None:
    # GIVEN no Lambda context (a test calling a handler directly)
    threads: list[str] = []

    # WHEN a call is made
    with deadline.invocation(None):
        deadline.call(lambda: threads.append(threading.current_thread().name))

    # THEN it runs in the caller's own thread, unbounded
    assert threads == [threading.current_thread().name]
    assert deadline.has_time()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_process_still_runs_calls_under_a_deadline() -> None:
    # GIVEN a process whose calls under a deadline have started the pool's threads
    with deadline.invocation(Frozen(10_000)):
        assert deadline.call(lambda: 1) == 1
    done, child_end = os.pipe()

    # WHEN it forks, and the child makes a call under a deadline
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, never return into pytest
        try:
            with deadline.invocation(Frozen(10_000)):
                os.write(child_end, str(deadline.call(lambda: 42)).encode())
        finally:
            os._exit(0)
    os.close(child_end)
    answered, _, _ = select.select([done], [], [], 10)
    if not answered:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)

    # THEN the child's call ran and answered (with the parent's pool it waited forever)
    assert answered
    assert os.read(done, 16) == b"42"
    os.close(done)

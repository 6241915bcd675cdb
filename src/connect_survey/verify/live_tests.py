"""`connect-survey verify --live-tests`: the stage's deployed test cases, run on its instance.

Finding them: every case file of `testcases/` is deployed as `{namePrefix}-{file stem}`, and
ListTestCases finds that exact name. Not a prefix search (`survey-` also starts `survey-dev-`,
and stages may share an instance), and not stack outputs (one output per case, counted against
CloudFormation's 200, and no word on whether the case is published); a case file with no
published case of its name fails, so nothing is skipped by accident.

Running: at most MAX_RUNNING at a time, the rest waiting here rather than in Connect's queue, so
a case's timeout measures its own run and the instance's 100-deep queue, which others share, is
never filled by us. A start that Connect throttles or refuses for a full queue is tried again
until the case's timeout. Runs are polled every POLL_SECONDS, with a progress line every
PROGRESS_SECONDS; a run still going at its timeout is stopped (its simulated contact could
otherwise reach an agent) and fails. The records of a failed run name the observation.

Every call is bounded: the stage's clients time out and retry three times (READ_CALLS), the
listing and the records are read a bounded number of pages, and each case has its timeout.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from connect_survey.test_cases.live import (
    DEFAULT_CASE_TIMEOUT_SECONDS,
    MAX_QUEUED,
    MAX_RUN_SECONDS,
    MAX_RUNNING,
    PUBLISHED,
    deployed_name,
    offline_only,
)
from connect_survey.test_cases.results import CaseResult, Verdict
from connect_survey.verify import describe_error

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from connect_survey.test_cases.files import CaseFile

POLL_SECONDS: Final = 10
PROGRESS_SECONDS: Final = 30
START_RETRY_SECONDS: Final = 20
MAX_LISTED: Final = 5_000  # test cases read from the instance's listing, at most
RECORDS_PER_PAGE: Final = 100  # ListTestCaseExecutionRecords' maximum
MAX_RECORD_PAGES: Final = 20
THROTTLING: Final = frozenset({"ThrottlingException", "TooManyRequestsException"})
QUEUE_FULL: Final = "ServiceQuotaExceededException"  # HTTP 402: Connect's queue is full
# TestCaseExecutionStatus: INITIATED | IN_PROGRESS | PASSED | FAILED | STOPPED.
UNFINISHED: Final = frozenset({"INITIATED", "IN_PROGRESS"})
PASSED: Final = "PASSED"
FAILED: Final = "FAILED"
STOPPED: Final = "STOPPED"
NOT_STARTED: Final = "NOT_STARTED"
# Record types (RecordType, or the record's own "Type" where botocore is too old to have it).
OBSERVATION: Final = "OBSERVATION"
COMPLETION: Final = "COMPLETION"
RUNTIME: Final = "live"


@dataclass
class _Run:
    """One case on its way through the instance."""

    case: CaseFile
    test_case_id: str
    client_token: str = field(default_factory=lambda: str(uuid.uuid4()))  # one run per case
    execution_id: str | None = None
    status: str = NOT_STARTED
    began: float = 0.0  # when its turn came
    deadline: float = 0.0
    next_start: float = 0.0
    trouble: str = ""  # the latest throttling or transient error, said if it times out


@dataclass
class LiveRunner:
    """Runs deployed cases on one instance; clients, clock and sleep are injected for tests."""

    connect: Any
    instance_arn: str
    name_prefix: str
    stage: str
    case_timeout: int = DEFAULT_CASE_TIMEOUT_SECONDS
    out: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    poll_seconds: float = POLL_SECONDS
    skipped: list[str] = field(default_factory=list)  # cases that run offline only

    def run(self, cases: Sequence[CaseFile]) -> list[CaseResult]:
        """One result per deployable case, in the order given: every one ran, or says why it
        did not. Each line is printed as soon as it is known; a case the stack cannot deploy
        (`offline_only`) gets a SKIP line and is listed in `skipped`."""
        results: dict[str, CaseResult] = {}
        runs: list[_Run] = []
        for case in cases:
            reason = offline_only(case)
            if reason is not None:
                self.out(f"SKIP {case.stem}: {reason}")
                self.skipped.append(case.stem)
        cases = [case for case in cases if case.stem not in self.skipped]
        try:
            deployed = self._deployed()
        except (BotoCoreError, ClientError) as error:
            reason = f"cannot list the instance's test cases: {describe_error(error)}"
            deployed = {}
            for case in cases:
                results[case.stem] = self._said(_failed(case, reason))
        for case in cases:
            if case.stem in results:
                continue
            name = deployed_name(self.name_prefix, case)
            summary = deployed.get(name)
            if summary is None:
                results[case.stem] = self._said(
                    _failed(
                        case,
                        f"not deployed: the instance has no test case named {name}; deploy "
                        "the stage (it has liveTests on) before running its cases",
                    )
                )
            elif summary.get("Status") != PUBLISHED:
                results[case.stem] = self._said(
                    _failed(
                        case,
                        f"{name} is {summary.get('Status')}, not {PUBLISHED}: Connect runs "
                        "only published cases; deploy the stage again",
                    )
                )
            else:
                runs.append(_Run(case=case, test_case_id=summary["Id"]))
        for result in self._run_all(runs):
            results[result.name] = result
        return [results[case.stem] for case in cases]

    def _said(self, result: CaseResult) -> CaseResult:
        self.out(result.line())
        return result

    def _deployed(self) -> dict[str, Mapping[str, Any]]:
        pages = self.connect.get_paginator("list_test_cases").paginate(
            InstanceId=self.instance_arn, PaginationConfig={"MaxItems": MAX_LISTED}
        )
        return {
            summary["Name"]: summary
            for page in pages
            for summary in page.get("TestCaseSummaryList", [])
            if "Name" in summary and "Id" in summary
        }

    def _run_all(self, runs: list[_Run]) -> list[CaseResult]:
        waiting = deque(runs)
        active: list[_Run] = []
        done: list[CaseResult] = []
        began = last_progress = self.clock()
        try:
            while waiting or active:
                while waiting and len(active) < MAX_RUNNING:
                    run = waiting.popleft()
                    run.began = run.next_start = self.clock()
                    run.deadline = run.began + self.case_timeout
                    active.append(run)
                for run in list(active):
                    result = self._advance(run)
                    if result is not None:
                        active.remove(run)
                        done.append(self._said(result))
                if not (waiting or active):
                    break
                now = self.clock()
                if now - last_progress >= PROGRESS_SECONDS:
                    last_progress = now
                    self.out(
                        f"live tests {self.stage}: {len(active)} running, {len(waiting)} "
                        f"waiting, {len(done)} of {len(runs)} done ({now - began:.0f} s)"
                    )
                self.sleep(self.poll_seconds)
        except BaseException:  # interrupted: leave no simulated call behind
            for run in active:
                self._stop(run)
            raise
        return done

    def _advance(self, run: _Run) -> CaseResult | None:
        """Start the run, or read how it is doing; a result once it is over."""
        if run.execution_id is None:
            return self._start(run)
        return self._poll(run)

    def _start(self, run: _Run) -> CaseResult | None:
        now = self.clock()
        if now >= run.deadline:
            return _failed(run.case, f"not started within {self.case_timeout} s: {run.trouble}")
        if now < run.next_start:
            return None
        try:
            started = self.connect.start_test_case_execution(
                InstanceId=self.instance_arn,
                TestCaseId=run.test_case_id,
                ClientToken=run.client_token,  # a start tried again is the same run
            )
        except ClientError as error:
            code = _code(error)
            if code in THROTTLING:
                run.trouble = (
                    f"Connect throttled StartTestCaseExecution ({code}), tried every "
                    f"{START_RETRY_SECONDS} s; run verify --live-tests again later"
                )
            elif code == QUEUE_FULL:
                run.trouble = (
                    f"Connect's queue of test runs on the instance is full ({code}: at most "
                    f"{MAX_QUEUED}, running ones included); run again when other runs are over"
                )
            else:
                return _failed(run.case, f"cannot start: {describe_error(error)}")
            run.next_start = now + START_RETRY_SECONDS
            return None
        except BotoCoreError as error:
            run.trouble = f"StartTestCaseExecution: {describe_error(error)}"
            run.next_start = now + START_RETRY_SECONDS
            return None
        run.execution_id = started["TestCaseExecutionId"]
        run.status = started.get("Status", "INITIATED")
        run.trouble = ""
        return None

    def _poll(self, run: _Run) -> CaseResult | None:
        try:
            summary = self.connect.get_test_case_execution_summary(
                InstanceId=self.instance_arn,
                TestCaseId=run.test_case_id,
                TestCaseExecutionId=run.execution_id,
            )
        except ClientError as error:
            if _code(error) not in THROTTLING:
                reason = f"cannot read the run's status: {describe_error(error)}"
                return _failed(run.case, reason + self._stop(run))
            run.trouble = f"GetTestCaseExecutionSummary: {describe_error(error)}"
        except BotoCoreError as error:
            run.trouble = f"GetTestCaseExecutionSummary: {describe_error(error)}"
        else:
            run.status = summary.get("Status", run.status)
            if run.status not in UNFINISHED:
                return self._finished(run, summary)
        if self.clock() >= run.deadline:
            reason = f"timed out: still {run.status} after {self.case_timeout} s"
            if run.trouble:
                reason += f" (last trouble: {run.trouble})"
            return _failed(run.case, reason + self._stop(run))
        return None

    def _finished(self, run: _Run, summary: Mapping[str, Any]) -> CaseResult:
        counts = summary.get("ObservationSummary", {})
        total = int(counts.get("TotalObservations", 0))
        failed = int(counts.get("ObservationsFailed", 0))
        milliseconds = _milliseconds(summary) or round((self.clock() - run.began) * 1000)
        if run.status == PASSED and not failed:
            return CaseResult(
                name=run.case.stem,
                verdict=Verdict.PASS,
                observations=total,
                milliseconds=milliseconds,
                runtime=RUNTIME,
            )
        try:
            records = self._records(run)
        except (BotoCoreError, ClientError) as error:
            records, unreadable = [], f"; its records cannot be read: {describe_error(error)}"
        else:
            unreadable = ""
        observation, reason = explain(records)
        if run.status == STOPPED:
            reason = f"the run was stopped before it ended (by someone else?); {reason}"
        elif run.status != FAILED and run.status != PASSED:
            reason = f"Connect reports status {run.status}; {reason}"
        if total:
            reason += f" ({failed} of {total} observations failed)"
        return CaseResult(
            name=run.case.stem,
            verdict=Verdict.FAIL,
            observations=total - failed,
            milliseconds=milliseconds,
            observation=observation,
            reason=reason + unreadable,
            runtime=RUNTIME,
            transcript=[_readable(record) for record in records],
        )

    def _records(self, run: _Run) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_RECORD_PAGES):
            page = self.connect.list_test_case_execution_records(
                InstanceId=self.instance_arn,
                TestCaseId=run.test_case_id,
                TestCaseExecutionId=run.execution_id,
                MaxResults=RECORDS_PER_PAGE,
                **({"NextToken": token} if token else {}),
            )
            records.extend(page.get("ExecutionRecords", []))
            token = page.get("NextToken")
            if not token:
                break
        return records

    def _stop(self, run: _Run) -> str:
        """Stop a run that is still going; what to add to its line."""
        if run.execution_id is None:
            return ""
        try:
            self.connect.stop_test_case_execution(
                InstanceId=self.instance_arn,
                TestCaseId=run.test_case_id,
                TestCaseExecutionId=run.execution_id,
            )
        except (BotoCoreError, ClientError) as error:
            return f"; could not stop it: {describe_error(error)}"
        return "; the run was stopped"


def explain(records: Sequence[Mapping[str, Any]]) -> tuple[str | None, str]:
    """The observation a failed run stopped at, and why, from its records.

    `Record` is a JSON string whose shape AWS has not published; what is read here (a record's
    `Type`, an observation's `Actions`, the completion's `CompletionReason`) is what live runs
    have been reported to return. Anything else is left out rather than guessed at.
    """
    parsed = [(record, _body(record)) for record in records]
    observations = [
        (r, b) for r, b in parsed if r.get("ObservationId") and _kind(r, b) in ("", OBSERVATION)
    ]
    failed = next((r for r, b in observations if r.get("Status") == FAILED), None)
    pending = next((r for r, b in reversed(observations) if r.get("Status") == "IN_PROGRESS"), None)
    where = failed or pending
    parts: list[str] = []
    if failed is not None:
        action = _failed_action(_body(failed))
        if action:
            parts.append(action)
    completion: dict[str, Any] = next(
        (b for r, b in reversed(parsed) if _kind(r, b) == COMPLETION), {}
    )
    reason = completion.get("CompletionReason")
    why: dict[str, Any] = reason if isinstance(reason, dict) else {}
    if "INITIALIZATION_FAILURE" in (why.get("FailureReasons") or []):
        parts.append(
            "Connect could not start the simulated contact (INITIALIZATION_FAILURE), as when "
            f"more than {MAX_RUNNING} runs start at once on the instance"
        )
    if why.get("Type") == "TIMEOUT":
        parts.append(
            f"Connect ended the run after {MAX_RUN_SECONDS // 60} minutes: an expected event "
            "never came, or the case has no EndTest"
        )
    if why.get("Message"):
        parts.append(str(why["Message"]))
    if not parts:
        parts.append(
            "Connect reports the observation failed" if failed else "Connect reports the run failed"
        )
    return (str(where["ObservationId"]) if where else None), "; ".join(parts)


def _failed_action(body: Mapping[str, Any]) -> str:
    actions = body.get("Actions")
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict) and action.get("Status") == FAILED:
            detail = action.get("Message") or action.get("FailureReason") or action.get("Reason")
            text = f"action {action.get('Identifier', '?')} failed"
            return f"{text}: {detail}" if detail else text
    return ""


def _body(record: Mapping[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(record.get("Record") or "{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _kind(record: Mapping[str, Any], body: Mapping[str, Any]) -> str:
    """RecordType where botocore has it (newer than 1.43.11), else the record's own Type."""
    return str(record.get("RecordType") or body.get("Type") or "")


def _readable(record: Mapping[str, Any]) -> dict[str, Any]:
    readable = {key: value for key, value in record.items() if key != "Record"}
    if "Timestamp" in readable:
        readable["Timestamp"] = str(readable["Timestamp"])
    readable["Record"] = _body(record) or record.get("Record")
    return readable


def _milliseconds(summary: Mapping[str, Any]) -> int | None:
    start, end = summary.get("StartTime"), summary.get("EndTime")
    if start is None or end is None:
        return None
    seconds: float = (end - start).total_seconds()
    return max(0, round(seconds * 1000))


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _failed(case: CaseFile, reason: str) -> CaseResult:
    return CaseResult(name=case.stem, verdict=Verdict.FAIL, reason=reason, runtime=RUNTIME)

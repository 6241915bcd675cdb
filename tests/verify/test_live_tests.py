"""`verify --live-tests`: the deployed cases run on a stubbed instance, every status and fault.

Time is fake (the clock moves only when the runner sleeps), so a case that runs for six minutes
takes milliseconds here.
"""

from __future__ import annotations

import functools
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from connect_survey import PROJECT_ROOT, cli
from connect_survey.cli import verify as verify_cli
from connect_survey.test_cases.files import CaseFile, load_case
from connect_survey.test_cases.live import RUNNER_OPERATIONS
from connect_survey.test_cases.results import Verdict
from connect_survey.verify import Clients
from connect_survey.verify.live_tests import LiveRunner

if TYPE_CHECKING:
    from collections.abc import Iterator

INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/11111111-1111-4111-8111-111111111111"
PREFIX = "survey-dev"
FIXTURE = Path(__file__).parents[1] / "infra" / "live_cases" / "inbound-menu.json"
STARTED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@functools.cache
def _session() -> botocore.session.Session:
    """One session for every test: it reads Connect's large service model once."""
    return botocore.session.get_session()


class FakeTime:
    """A clock that moves only when the runner sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Instance:
    """The stubbed Connect instance: answers are queued in the order the runner must ask."""

    def __init__(self) -> None:
        self.client = _session().create_client("connect", region_name="us-east-1")
        self.stub = Stubber(self.client)
        self.called: list[str] = []
        self.client.meta.events.register(
            "before-parameter-build.connect", lambda model, **_: self.called.append(model.name)
        )

    def listed(self, *stems: str, status: str = "PUBLISHED") -> None:
        summaries = [
            {"Id": f"tc-{stem}", "Arn": f"{INSTANCE}/test-case/tc-{stem}",
             "Name": f"{PREFIX}-{stem}", "Status": status}
            for stem in stems
        ]  # fmt: skip
        self.stub.add_response(
            "list_test_cases", {"TestCaseSummaryList": summaries}, {"InstanceId": INSTANCE}
        )

    def start(self, stem: str, status: str = "INITIATED") -> None:
        self.stub.add_response(
            "start_test_case_execution",
            {"TestCaseExecutionId": f"ex-{stem}", "TestCaseId": f"tc-{stem}", "Status": status},
            {"InstanceId": INSTANCE, "TestCaseId": f"tc-{stem}", "ClientToken": ANY},
        )

    def start_refused(self, code: str, status: int) -> None:
        self.stub.add_client_error(
            "start_test_case_execution", code, "slow down", http_status_code=status
        )

    def summary(self, stem: str, status: str, **extra: Any) -> None:
        self.stub.add_response(
            "get_test_case_execution_summary",
            {"Status": status, **extra},
            {"InstanceId": INSTANCE, "TestCaseId": f"tc-{stem}",
             "TestCaseExecutionId": f"ex-{stem}"},
        )  # fmt: skip

    def records(self, stem: str, records: list[dict[str, Any]], **page: Any) -> None:
        self.stub.add_response(
            "list_test_case_execution_records",
            {"ExecutionRecords": records,
             **({"NextToken": page["token"]} if "token" in page else {})},
            {"InstanceId": INSTANCE, "TestCaseId": f"tc-{stem}",
             "TestCaseExecutionId": f"ex-{stem}", "MaxResults": 100,
             **({"NextToken": page["after"]} if "after" in page else {})},
        )  # fmt: skip

    def stop(self, stem: str) -> None:
        self.stub.add_response(
            "stop_test_case_execution",
            {},
            {"InstanceId": INSTANCE, "TestCaseId": f"tc-{stem}",
             "TestCaseExecutionId": f"ex-{stem}"},
        )  # fmt: skip


def finished(seconds: int, total: int, failed: int = 0) -> dict[str, Any]:
    """A finished run's summary fields: times and observation counts."""
    return {
        "StartTime": STARTED_AT,
        "EndTime": STARTED_AT + timedelta(seconds=seconds),
        "ObservationSummary": {
            "TotalObservations": total,
            "ObservationsPassed": total - failed,
            "ObservationsFailed": failed,
        },
    }


def record(observation: str, status: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An execution record; initiation and completion records have no observation."""
    found = {"Status": status, "Timestamp": STARTED_AT, "Record": json.dumps(body), **extra}
    return {"ObservationId": observation, **found} if observation else found


@pytest.fixture
def instance() -> Iterator[Instance]:
    stubbed = Instance()
    stubbed.stub.activate()
    yield stubbed
    stubbed.stub.assert_no_pending_responses()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def cases(folder: Path, *stems: str) -> list[CaseFile]:
    for stem in stems:
        shutil.copy(FIXTURE, folder / f"{stem}.json")
    return [load_case(folder / f"{stem}.json") for stem in stems]


def runner(instance: Instance, fake_time: FakeTime, lines: list[str], **kwargs: Any) -> LiveRunner:
    return LiveRunner(
        connect=instance.client,
        instance_arn=INSTANCE,
        name_prefix=PREFIX,
        stage="dev",
        out=lines.append,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        **kwargs,
    )


def test_a_case_passes_through_initiated_and_in_progress(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a deployed case that Connect starts, runs, then passes with 3 observations in 42 s
    instance.listed("menu")
    instance.start("menu", "INITIATED")
    instance.summary("menu", "INITIATED")
    instance.summary("menu", "IN_PROGRESS")
    instance.summary("menu", "PASSED", **finished(42, total=3))
    lines: list[str] = []

    # WHEN run live
    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    # THEN one line, in the offline runner's format, with Connect's own count and time
    assert lines == ["PASS menu (3 observations, 42000 ms)"]
    assert (result.verdict, result.runtime) == (Verdict.PASS, "live")
    assert fake_time.sleeps == [10, 10, 10]


def test_a_failed_observation_is_named_with_connects_reason(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a run that fails at its second observation; the records come in two pages, one
    # with RecordType (newer botocore), the others without it (older botocore)
    instance.listed("survey")
    instance.start("survey")
    instance.summary("survey", "FAILED", **finished(75, total=2, failed=1))
    instance.records(
        "survey",
        [record("", "PASSED", {"Type": "INITIATION"}),
         record("greeting", "PASSED", {"Type": "OBSERVATION", "Identifier": "greeting"},
                RecordType="OBSERVATION")],
        token="page-2",
    )  # fmt: skip
    instance.records(
        "survey",
        [
            record("rating", "FAILED", {
                "Type": "OBSERVATION", "Identifier": "rating",
                "Actions": [
                    {"Identifier": "press-5", "Status": "PASSED"},
                    {"Identifier": "check-effort", "Status": "FAILED",
                     "Message": 'expected $.Attributes.EffortScore Equals "5", was "4"'},
                ],
            }),
            record("", "FAILED", {"Type": "COMPLETION", "CompletionReason": {
                "Type": "FAILURE", "Message": "An assertion did not hold",
                "FailureReasons": ["OBSERVE_EVENT"]}}),
        ],
        after="page-2",
    )  # fmt: skip
    lines: list[str] = []

    # WHEN run live
    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "survey"))

    # THEN the line names the observation, the failed action and Connect's message
    assert lines == [
        "FAIL survey: observation rating: action check-effort failed: expected "
        '$.Attributes.EffortScore Equals "5", was "4"; An assertion did not hold '
        "(1 of 2 observations failed)"
    ]
    assert result.milliseconds == 75_000
    assert [entry.get("ObservationId") for entry in result.transcript] == [
        None, "greeting", "rating", None
    ]  # fmt: skip
    assert result.transcript[2]["Record"]["Identifier"] == "rating"


def test_connects_own_five_minute_timeout_names_the_observation_it_waited_for(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a run Connect ended at its 5-minute limit while an observation was still waiting
    instance.listed("survey")
    instance.start("survey")
    instance.summary("survey", "FAILED", **finished(300, total=3, failed=1))
    instance.records(
        "survey",
        [record("welcome", "PASSED", {"Type": "OBSERVATION"}),
         record("goodbye", "IN_PROGRESS", {"Type": "OBSERVATION"}),
         record("", "FAILED", {"Type": "COMPLETION", "CompletionReason": {"Type": "TIMEOUT"}})],
    )  # fmt: skip
    lines: list[str] = []

    runner(instance, fake_time, lines).run(cases(tmp_path, "survey"))

    assert lines == [
        "FAIL survey: observation goodbye: Connect ended the run after 5 minutes: an expected "
        "event never came, or the case has no EndTest (1 of 3 observations failed)"
    ]


def test_a_run_that_could_not_start_its_contact_says_so(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    instance.listed("survey")
    instance.start("survey")
    instance.summary("survey", "FAILED")
    instance.records(
        "survey",
        [record("", "FAILED", {"Type": "COMPLETION", "CompletionReason": {
            "Type": "FAILURE", "FailureReasons": ["INITIALIZATION_FAILURE"]}})],
    )  # fmt: skip
    lines: list[str] = []

    runner(instance, fake_time, lines).run(cases(tmp_path, "survey"))

    assert lines == [
        "FAIL survey: Connect could not start the simulated contact (INITIALIZATION_FAILURE), "
        "as when more than 5 runs start at once on the instance"
    ]


def test_a_stopped_run_fails(instance: Instance, fake_time: FakeTime, tmp_path: Path) -> None:
    # GIVEN a run somebody stopped from the console
    instance.listed("menu")
    instance.start("menu")
    instance.summary("menu", "IN_PROGRESS")
    instance.summary("menu", "STOPPED", **finished(20, total=2, failed=0))
    instance.records("menu", [record("menu", "STOPPED", {"Type": "OBSERVATION"})])
    lines: list[str] = []

    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    # THEN it fails: a run that did not end is no pass
    assert result.verdict is Verdict.FAIL
    assert lines == [
        "FAIL menu: the run was stopped before it ended (by someone else?); Connect reports "
        "the run failed (0 of 2 observations failed)"
    ]


def test_passed_with_a_failed_observation_is_not_a_pass(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    instance.listed("menu")
    instance.start("menu")
    instance.summary("menu", "PASSED", **finished(20, total=2, failed=1))
    instance.records("menu", [record("menu", "FAILED", {"Type": "OBSERVATION"})])
    lines: list[str] = []

    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    assert result.verdict is Verdict.FAIL
    assert lines == [
        "FAIL menu: observation menu: Connect reports the observation failed (1 of 2 "
        "observations failed)"
    ]


def test_at_most_five_run_at_once_and_the_rest_wait_their_turn(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN seven deployed cases (the stub answers in this order only: a sixth start before a
    # slot is free would find a status read queued instead, and fail the test)
    stems = [f"case-{n}" for n in range(1, 8)]
    instance.listed(*stems)
    for stem in stems[:5]:
        instance.start(stem)
    for stem in stems[:5]:
        instance.summary(stem, "PASSED", **finished(30, total=1))
    for stem in stems[5:]:
        instance.start(stem)
    for stem in stems[5:]:
        instance.summary(stem, "PASSED", **finished(30, total=1))
    lines: list[str] = []

    # WHEN run live
    results = runner(instance, fake_time, lines).run(cases(tmp_path, *stems))

    # THEN all seven pass, the last two started once the first five were done
    assert [r.verdict for r in results] == [Verdict.PASS] * 7
    assert [r.name for r in results] == stems
    assert instance.called.count("StartTestCaseExecution") == 7


def test_a_throttled_start_waits_its_turn_and_is_tried_again(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN Connect throttles the first start (429), then accepts it
    instance.listed("menu")
    instance.start_refused("TooManyRequestsException", 429)
    instance.start("menu")
    instance.summary("menu", "PASSED", **finished(12, total=1))
    lines: list[str] = []

    # WHEN run live
    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    # THEN it started 20 s later and passed
    assert result.verdict is Verdict.PASS
    assert instance.called.count("StartTestCaseExecution") == 2
    assert fake_time.now == 30


@pytest.mark.parametrize(
    ("code", "status", "said"),
    [
        (
            "ThrottlingException",
            429,
            "Connect throttled StartTestCaseExecution (ThrottlingException), tried every 20 s; "
            "run verify --live-tests again later",
        ),
        (
            "ServiceQuotaExceededException",
            402,
            "Connect's queue of test runs on the instance is full (ServiceQuotaExceededException: "
            "at most 100, running ones included); run again when other runs are over",
        ),
    ],
)
def test_a_start_refused_until_the_timeout_gets_a_clear_line(
    instance: Instance, fake_time: FakeTime, tmp_path: Path, code: str, status: int, said: str
) -> None:
    # GIVEN Connect refuses every start: throttled, or its queue of 100 is full
    instance.listed("menu")
    for _ in range(3):  # at 0, 20 and 40 s of a 60-second timeout
        instance.start_refused(code, status)
    lines: list[str] = []

    # WHEN run live with a one-minute timeout
    runner(instance, fake_time, lines, case_timeout=60).run(cases(tmp_path, "menu"))

    # THEN it fails at the timeout, saying why it never started
    assert lines[-1] == f"FAIL menu: not started within 60 s: {said}"
    assert fake_time.now == 60


def test_a_throttled_status_read_keeps_waiting(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    instance.listed("menu")
    instance.start("menu")
    instance.stub.add_client_error(
        "get_test_case_execution_summary", "ThrottlingException", "Rate exceeded", 429
    )
    instance.summary("menu", "PASSED", **finished(12, total=1))
    lines: list[str] = []

    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    assert result.verdict is Verdict.PASS


def test_a_case_that_never_finishes_is_stopped_and_fails_after_six_minutes(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a run that stays IN_PROGRESS (Connect should end it at 5 minutes, but does not)
    instance.listed("stuck")
    instance.start("stuck")
    for _ in range(36):  # one status read every 10 s, up to the default 360 s
        instance.summary("stuck", "IN_PROGRESS")
    instance.stop("stuck")
    lines: list[str] = []

    # WHEN run live with the default timeout
    [result] = runner(instance, fake_time, lines).run(cases(tmp_path, "stuck"))

    # THEN after 6 minutes of fake time it is stopped and fails with a clear line
    assert result.verdict is Verdict.FAIL
    assert lines[-1] == "FAIL stuck: timed out: still IN_PROGRESS after 360 s; the run was stopped"
    assert fake_time.now == 360
    # AND while waiting, a progress line every 30 s
    progress = [line for line in lines if line.startswith("live tests dev:")]
    assert progress[0] == "live tests dev: 1 running, 0 waiting, 0 of 1 done (30 s)"
    assert len(progress) == 11


def test_an_unreadable_status_fails_the_case_and_stops_its_run(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    instance.listed("menu")
    instance.start("menu")
    instance.stub.add_client_error(
        "get_test_case_execution_summary", "AccessDeniedException", "not allowed", 403
    )
    instance.stop("menu")
    lines: list[str] = []

    runner(instance, fake_time, lines).run(cases(tmp_path, "menu"))

    assert lines == [
        "FAIL menu: cannot read the run's status: AccessDeniedException: not allowed; the run "
        "was stopped"
    ]


def test_cases_not_deployed_or_not_published_fail_without_a_run(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN one case deployed only as a draft, and one not deployed at all
    instance.listed("draft", status="SAVED")
    lines: list[str] = []

    # WHEN run live
    results = runner(instance, fake_time, lines).run(cases(tmp_path, "draft", "missing"))

    # THEN both fail, saying how to fix it, and nothing is started
    assert [r.verdict for r in results] == [Verdict.FAIL, Verdict.FAIL]
    assert lines == [
        "FAIL draft: survey-dev-draft is SAVED, not PUBLISHED: Connect runs only published "
        "cases; deploy the stage again",
        "FAIL missing: not deployed: the instance has no test case named survey-dev-missing; "
        "deploy the stage (it has liveTests on) before running its cases",
    ]
    assert instance.called == ["ListTestCases"]


def test_another_stages_case_is_not_taken_for_ours(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN the instance holds dev's case survey-dev-menu; prod's prefix `survey` starts it too
    instance.listed("menu")
    lines: list[str] = []

    # WHEN prod's case `menu` is run
    prod = LiveRunner(
        connect=instance.client, instance_arn=INSTANCE, name_prefix="survey", stage="prod",
        out=lines.append, clock=fake_time.clock, sleep=fake_time.sleep,
    )  # fmt: skip
    [result] = prod.run(cases(tmp_path, "menu"))

    # THEN only the exact name survey-menu counts: dev's case is not run in its place
    assert result.verdict is Verdict.FAIL
    assert lines[0].startswith("FAIL menu: not deployed: the instance has no test case named "
                               "survey-menu;")  # fmt: skip
    assert instance.called == ["ListTestCases"]


def test_a_case_the_stack_cannot_deploy_is_skipped_with_the_same_reason(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a case with a caller number of its own (synth leaves it out), and a deployed case
    shutil.copy(FIXTURE.with_name("withheld-caller.json"), tmp_path / "withheld.json")
    withheld = load_case(tmp_path / "withheld.json")
    [menu] = cases(tmp_path, "menu")
    instance.listed("menu")
    instance.start("menu")
    instance.summary("menu", "PASSED", **finished(5, total=1))
    lines: list[str] = []
    live = runner(instance, fake_time, lines)

    # WHEN run live
    results = live.run([withheld, menu])

    # THEN it is skipped with a line saying why (never a pass), and the other one runs
    assert lines == [
        "SKIP withheld: not deployed, runs offline only: CloudFormation cannot deploy a test "
        "case's SourcePhoneNumber yet (AWS publishes its pattern escaped twice, so it rejects "
        "every E.164 number)",
        "PASS menu (1 observation, 5000 ms)",
    ]
    assert [result.name for result in results] == ["menu"]
    assert live.skipped == ["withheld"]


def test_a_listing_that_is_denied_fails_every_case_with_the_reason(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    instance.stub.add_client_error("list_test_cases", "AccessDeniedException", "no", 403)
    lines: list[str] = []

    results = runner(instance, fake_time, lines).run(cases(tmp_path, "a", "b"))

    assert [r.verdict for r in results] == [Verdict.FAIL, Verdict.FAIL]
    assert lines == [
        "FAIL a: cannot list the instance's test cases: AccessDeniedException: no",
        "FAIL b: cannot list the instance's test cases: AccessDeniedException: no",
    ]


def test_an_interrupted_run_leaves_no_simulated_call_behind(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN a running case, and an interrupt (Ctrl-C, a cancelled CI job) while waiting
    instance.listed("menu")
    instance.start("menu")
    instance.stop("menu")

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    live = runner(instance, fake_time, [])
    live.sleep = interrupted

    # WHEN interrupted / THEN its run is stopped before the interrupt goes on
    with pytest.raises(KeyboardInterrupt):
        live.run(cases(tmp_path, "menu"))
    assert instance.called[-1] == "StopTestCaseExecution"


def test_the_runner_calls_exactly_the_operations_the_verify_role_may(
    instance: Instance, fake_time: FakeTime, tmp_path: Path
) -> None:
    # GIVEN one case that fails and one that never finishes: every call the runner makes
    instance.listed("fails", "stuck")
    instance.start("fails")
    instance.start("stuck")
    instance.summary("fails", "FAILED")
    instance.records("fails", [])
    instance.summary("stuck", "IN_PROGRESS")
    instance.summary("stuck", "IN_PROGRESS")
    instance.stop("stuck")

    runner(instance, fake_time, [], case_timeout=20).run(cases(tmp_path, "fails", "stuck"))

    # THEN the operations called are the ones infra grants (RUNNER_ACTIONS), no more, no less
    assert set(instance.called) == set(RUNNER_OPERATIONS)


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: the checked-in cdk.json and two case files in testcases/."""
    shutil.copy(PROJECT_ROOT / "cdk.json", tmp_path / "cdk.json")
    (tmp_path / "testcases").mkdir()
    cases(tmp_path / "testcases", "menu", "survey")
    return tmp_path


@pytest.fixture
def live_clients(monkeypatch: pytest.MonkeyPatch, instance: Instance, fake_time: FakeTime) -> None:
    """The CLI's clients: the stubbed instance; the other checks of verify are tested elsewhere."""
    clients = Clients(
        connect=instance.client, lambda_=None, cloudformation=None, dynamodb=None, sns=None,
        clock=fake_time.clock, sleep=fake_time.sleep,
    )  # fmt: skip
    monkeypatch.setattr(Clients, "for_stage", classmethod(lambda cls, config, role=None: clients))
    monkeypatch.setattr(verify_cli, "verify_stage", lambda config, clients: [])


@pytest.mark.usefixtures("live_clients")
def test_verify_live_tests_prints_a_line_per_case_writes_junit_and_exits_one_on_a_failure(
    instance: Instance, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two deployed cases: one passes, one fails
    instance.listed("menu", "survey")
    instance.start("menu")
    instance.start("survey")
    instance.summary("menu", "PASSED", **finished(9, total=1))
    instance.summary("survey", "FAILED", **finished(20, total=2, failed=1))
    instance.records("survey", [record("rating", "FAILED", {"Type": "OBSERVATION"})])
    junit = project / "live.xml"

    # WHEN `connect-survey verify --stage dev --live-tests --junit live.xml` runs
    code = cli.main(
        ["verify", "--stage", "dev", "--config", str(project / "cdk.json"), "--live-tests",
         "--junit", str(junit)]
    )  # fmt: skip

    # THEN a line per case, a summary, exit 1, and the JUnit report with the failure
    assert code == 1
    assert capsys.readouterr().out.splitlines() == [
        "PASS menu (1 observation, 9000 ms)",
        "FAIL survey: observation rating: Connect reports the observation failed (1 of 2 "
        "observations failed)",
        "live tests dev: 2 cases, 1 failed (10 s)",
        "verify dev: 0 checks, 0 failed",
    ]
    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    assert [case.get("classname") for case in suite] == ["connect-survey.dev.live"] * 2


@pytest.mark.usefixtures("live_clients")
def test_verify_live_tests_exits_zero_when_every_case_passes(
    instance: Instance, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance.listed("menu", "survey")
    instance.start("menu")
    instance.start("survey")
    instance.summary("menu", "PASSED", **finished(9, total=1))
    instance.summary("survey", "PASSED", **finished(20, total=2))

    code = cli.main(
        ["verify", "--stage", "dev", "--config", str(project / "cdk.json"), "--live-tests"]
    )

    assert code == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "live tests dev: 2 cases, 0 failed (10 s)",
        "verify dev: 0 checks, 0 failed",
    ]


@pytest.mark.usefixtures("live_clients")
def test_verify_live_tests_on_a_stage_without_live_tests_says_it_skips(
    instance: Instance, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN prod, which deploys no test case / WHEN verified with --live-tests
    code = cli.main(
        ["verify", "--stage", "prod", "--config", str(project / "cdk.json"), "--live-tests"]
    )

    # THEN one line says why nothing ran, no call is made, and the checks decide
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "SKIP  live tests: stages.prod.liveTests is false, so no test cases are deployed",
        "verify prod: 0 checks, 0 failed",
    ]
    assert instance.called == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--junit", "out.xml"], "--junit and --live-test-timeout go with --live-tests"),
        (["--live-tests", "--live-test-timeout", "0"], "'0': give whole seconds from 1 to 3600"),
        (["--live-tests", "--junit", "no/such/folder/out.xml"], "the folder no/such/folder does "
         "not exist"),
    ],
)  # fmt: skip
def test_verify_live_test_usage_mistakes_are_one_line_and_exit_two(
    project: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code = cli.main(["verify", "--stage", "dev", "--config", str(project / "cdk.json"), *arguments])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and message in err


def test_verify_live_tests_without_case_files_is_one_line_and_exit_two(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(project / "testcases")
    code = cli.main(
        ["verify", "--stage", "dev", "--config", str(project / "cdk.json"), "--live-tests"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"connect-survey: {project / 'testcases'} holds no test cases (*.json), so none is "
        "deployed to run\n"
    )

"""`connect-survey`: simulate, lint and render, called as `cli.main(argv)` from the project root."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT, cli
from connect_survey.flows.catalog import FLOW_KEYS
from tests.scenarios.calls import DEV_ALERT_CHANNELS

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = PROJECT_ROOT
PROD_ACCOUNT_REGION = "eu-west-2:777788889999"
PROD_INSTANCE_ARN = (
    "arn:aws:connect:eu-west-2:777788889999:instance/33333333-3333-4333-8333-333333333333"
)
REPORT_KEYS = {
    "flows", "prompts", "attributes", "transfers", "callbacks", "lambda_invocations", "alerts",
    "results", "ended_by",
}  # fmt: skip
FINDING = re.compile(
    r"^(?P<flow>.+?): (?P<action>\S+): (?P<rule>[a-z-]+): (?P<message>.+) "
    r"\[(?P<severity>error|warning)\]$"
)


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads ./cdk.json, as it does when run from the project folder."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def flow_file(tmp_path: Path) -> Callable[[list[dict[str, Any]]], str]:
    """Write a Flow Language document with these actions (the first one starts) to a file."""

    def write(actions: list[dict[str, Any]]) -> str:
        path = tmp_path / "flow.json"
        document = {
            "Version": "2019-10-30",
            "StartAction": actions[0]["Identifier"],
            "Actions": actions,
        }
        path.write_text(json.dumps(document), encoding="utf-8")
        return str(path)

    return write


def say(identifier: str, text: str, then: str, on_error: str | None = None) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "MessageParticipant",
        "Parameters": {"Text": text},
        "Transitions": {
            "NextAction": then,
            "Errors": [{"NextAction": on_error or then, "ErrorType": "NoMatchingError"}],
        },
    }


def hang_up(identifier: str = "bye") -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "DisconnectParticipant",
        "Parameters": {},
        "Transitions": {},
    }


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- simulate -------------------------------------------------------------------------------


def test_simulate_prints_a_transcript_with_prompts_keys_lambda_calls_and_transfers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN an escalation caller who picks sales, opts in, rates 5, 2, 5 and wants a supervisor
    # WHEN the call is simulated
    code, out, _ = run(capsys, "simulate", "escalation-inbound", "--keys", "1,1,5,2,5,1")

    # THEN the transcript shows what was said, pressed, called and transferred
    assert code == 0
    for line in [
        "== escalation-inbound (the call starts) ==",
        'says "Thank you for calling."',
        "caller presses 1",
        "set Survey_Opt_in = 'true'",
        "lambda survey-dev-score(question=recommend, digits=2, mode=escalation, language=en-US)"
        " -> valid=true, score=2",
        "lambda survey-dev-finish(mode=escalation) -> escalate=true, lowest=2",
        'says "To discuss this with a supervisor, press 1."',
        "transfer to queue sales: an agent answers",
        "transfer to queue supervisor: an agent answers",
        "The flow ended the call.",
        "ALERT via sns",
        "ALERT via eventbridge",
        "STORED PromoterScore = 2",
    ]:
        assert line in out
    assert out.count("== escalation-survey (disconnect flow: the agent hung up first) ==") == 2


def test_simulate_json_prints_one_object_with_the_whole_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the same escalation call
    # WHEN it is simulated with --json
    code, out, _ = run(capsys, "simulate", "escalation-inbound", "--keys", "1,1,5,2,5,1", "--json")

    # THEN stdout is exactly one JSON object carrying every part of the report
    assert code == 0
    report = json.loads(out)
    assert set(report) >= REPORT_KEYS
    assert report["flows"] == ["escalation-inbound", "escalation-survey", "escalation-survey"]
    assert report["transfers"] == [{"queue": "sales"}, {"queue": "supervisor"}]
    assert report["attributes"]["Survey_Opt_in"] == "Complete"
    assert len(report["lambda_invocations"]) == 5  # eligibility, 3 scores, finish
    assert sorted(alert["channel"] for alert in report["alerts"]) == DEV_ALERT_CHANNELS
    assert report["results"] == [
        {"attribute": "EffortScore", "score": "5"},
        {"attribute": "PromoterScore", "score": "2"},
        {"attribute": "SatisfactionScore", "score": "5"},
    ]
    assert report["ended_by"] == "flow"


def test_simulate_applies_attributes_queues_and_stubs(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an opted-in contact whose number the inbound flow found callable, a full supervisor
    # queue and a finish stub that escalates
    argv = [
        "simulate", "escalation-survey", "--keys", "5,5,5,1,1", "--json",
        "--attr", "Survey_Opt_in=true", "--attr", "SurveyNumberWithheld=false",
        "--queue-at-capacity", "supervisor",
        "--lambda-stub", 'finish={"escalate": "true"}',
    ]  # fmt: skip

    # WHEN the survey flow is simulated
    code, out, _ = run(capsys, *argv)

    # THEN each option took effect: a callback instead of a transfer to the busy supervisors
    assert code == 0
    report = json.loads(out)
    assert report["callbacks"] == [{"queue": "supervisor-callbacks", "number": "+15555550100"}]
    assert report["transfers"] == []
    assert report["lambda_invocations"][-1]["response"] == {"escalate": "true"}


def test_simulate_with_the_survey_marked_complete_says_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN --attr Survey_Opt_in=Complete, as after a supervisor
    # WHEN the escalation survey is simulated
    code, out, _ = run(
        capsys, "simulate", "escalation-survey", "--attr", "Survey_Opt_in=Complete", "--json"
    )

    # THEN it hangs up without a prompt
    assert code == 0
    assert json.loads(out)["prompts"] == []


def test_simulate_plays_a_flow_language_file(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a small flow in a file: one message, then hang up
    path = flow_file([say("hello", "Hello from a file.", "bye"), hang_up()])

    # WHEN it is simulated by path
    code, out, _ = run(capsys, "simulate", path, "--json")

    # THEN it plays like any flow
    assert code == 0
    report = json.loads(out)
    assert report["flows"] == ["flow.json"]
    assert report["prompts"] == ["Hello from a file."]
    assert report["ended_by"] == "flow"


@pytest.mark.parametrize(
    ("stub", "message"),
    [
        ("score", "--lambda-stub 'score': write PATTERN=RESPONSE"),
        ('={"valid": "true"}', "write PATTERN=RESPONSE"),
        ("score={not json", "--lambda-stub 'score={not json': RESPONSE is not JSON"),
        ('score=["4"]', "RESPONSE must be a JSON object, !error or !timeout"),
    ],
)
def test_simulate_rejects_a_bad_lambda_stub_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], stub: str, message: str
) -> None:
    # GIVEN a --lambda-stub that is not PATTERN=JSON-object, !error or !timeout
    # WHEN a call is simulated with it
    code, out, err = run(capsys, "simulate", "on-demand-survey", "--lambda-stub", stub)

    # THEN nothing plays, and stderr says how to write it
    assert code == 2
    assert out == ""
    assert err.startswith("connect-survey: ")
    assert message in err


def invoke(identifier: str, arn: str, then: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "InvokeLambdaFunction",
        "Parameters": {"LambdaFunctionARN": arn, "InvocationTimeLimitSeconds": "3"},
        "Transitions": {
            "NextAction": then,
            "Errors": [{"NextAction": then, "ErrorType": "NoMatchingError"}],
        },
    }


def test_simulate_names_an_unknown_lambda_in_a_file_flow(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow file that invokes a Lambda the project does not have
    arn = "arn:aws:lambda:us-east-1:111122223333:function:nobody-home"
    path = flow_file([invoke("ask", arn, "bye"), hang_up()])

    # WHEN it is simulated
    code, _, err = run(capsys, "simulate", path)

    # THEN the exit code is 2 and the one line names the flow, the action, the Lambda and the fix
    assert code == 2
    assert err.startswith(
        f"connect-survey: flow.json: ask: no Lambda handler registered for {arn!r}"
    )
    assert "--lambda-stub" in err
    assert err.count("\n") == 1


def test_simulate_lets_a_stub_stand_in_for_a_lambda_the_project_does_not_have(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow file that invokes someone else's Lambda, and a stub for it
    arn = "arn:aws:lambda:us-east-1:111122223333:function:nobody-home"
    path = flow_file([invoke("ask", arn, "bye"), hang_up()])

    # WHEN it is simulated with the stub
    code, out, _ = run(capsys, "simulate", path, "--lambda-stub", 'nobody-home={"a": "b"}')

    # THEN the stub answers, and the call plays to its end
    assert code == 0
    assert "lambda nobody-home() -> a=b" in out
    assert "The flow ended the call." in out


def test_simulate_refuses_a_flow_file_the_linter_rejects_naming_the_rule(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow file whose message has two prompts (Connect takes one)
    two_prompts = say("hello", "Hi", "bye")
    two_prompts["Parameters"]["SSML"] = "<speak>Hi</speak>"
    path = flow_file([two_prompts, hang_up()])

    # WHEN it is simulated
    code, out, err = run(capsys, "simulate", path)

    # THEN nothing plays: one line with the linter's rule id, and exit status 2
    assert (code, out) == (2, "")
    assert err == (
        "connect-survey: flow.json: hello: one-of: "
        "give exactly one of Text, SSML, PromptId (got Text, SSML)\n"
    )


def test_simulate_plays_a_flow_file_with_only_warnings(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow file with a hang-up nothing leads to (a warning, not an error)
    path = flow_file([say("hello", "Hi", "bye"), hang_up(), hang_up("lonely")])

    # WHEN it is simulated THEN it plays
    code, out, _ = run(capsys, "simulate", path, "--json")
    assert code == 0
    assert json.loads(out)["prompts"] == ["Hi"]


def test_simulate_names_a_missing_flow_file(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN neither a flow key nor a file
    # WHEN it is simulated
    code, _, err = run(capsys, "simulate", "no-such-flow.json")

    # THEN the exit code is 2 and the message lists the flow keys
    assert code == 2
    assert "'no-such-flow.json' is neither a flow key" in err
    assert "escalation-survey" in err


# --- lint -----------------------------------------------------------------------------------


def test_lint_passes_all_six_rendered_flows(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the six flow keys
    # WHEN they are linted as rendered for the dev stage
    code, out, _ = run(capsys, "lint", *FLOW_KEYS)

    # THEN there is no finding at all, only the summary line
    assert (code, out) == (0, "6 flows, 0 errors, 0 warnings\n")


def test_lint_reports_one_line_per_finding_of_a_broken_file(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow whose message leads nowhere, and a hang-up that nothing leads to
    path = flow_file([say("hello", "Hi", "nowhere", on_error="bye"), hang_up(), hang_up("lonely")])

    # WHEN it is linted
    code, out, _ = run(capsys, "lint", path)

    # THEN it fails, with one `flow: action: rule: message` line per finding
    assert code == 1
    findings = [FINDING.match(line) for line in out.splitlines()]
    assert all(findings), out
    assert [(f["flow"], f["action"], f["rule"], f["severity"]) for f in findings if f] == [
        (path, "hello", "transition-targets", "error"),
        (path, "lonely", "unreachable", "warning"),
    ]


def test_lint_reports_a_file_that_is_not_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a file that is not JSON
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")

    # WHEN it is linted
    code, out, _ = run(capsys, "lint", str(path))

    # THEN it fails with one line saying so
    assert code == 1
    assert out.startswith(f"{path}: (flow): json: not valid JSON")


# --- render and stages ----------------------------------------------------------------------


def test_render_names_the_offline_stand_ins_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the dev stage, which names no supervisor or callback queue (the stack creates them)
    code, out, err = run(capsys, "render", "escalation-survey")
    # THEN stdout is the flow alone, and stderr says which made-up ARNs to re-pick after import
    assert code == 0
    document = json.loads(out)
    lines = err.splitlines()
    assert [line.rsplit(": pick ", 1)[1] for line in lines] == [
        "survey-dev-supervisor",
        "survey-dev-supervisor-callbacks",
    ]
    for line in lines:
        arn = line.split()[1].rstrip(":")
        assert arn in json.dumps(document)


def test_render_prints_the_flow_for_the_chosen_stage(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the prod stage
    # WHEN the opt-in survey is rendered for it
    code, out, _ = run(capsys, "render", "opt-in-survey", "--stage", "prod")

    # THEN stdout is a Flow Language document wired to prod's Lambdas
    assert code == 0
    document = json.loads(out)
    assert document["StartAction"] == "enable-logging"
    arns = {
        action["Parameters"]["LambdaFunctionARN"]
        for action in document["Actions"]
        if action["Type"] == "InvokeLambdaFunction"
    }
    assert arns == {
        f"arn:aws:lambda:{PROD_ACCOUNT_REGION}:function:survey-score",
        f"arn:aws:lambda:{PROD_ACCOUNT_REGION}:function:survey-finish",
    }


def test_render_of_an_inbound_flow_carries_the_prod_instance_arn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the prod stage
    # WHEN the opt-in inbound flow (queues and the disconnect flow) is rendered
    code, out, _ = run(capsys, "render", "opt-in-inbound", "--stage", "prod")

    # THEN its ARNs are the prod instance's
    assert code == 0
    json.loads(out)
    assert f"{PROD_INSTANCE_ARN}/contact-flow/" in out
    assert f"{PROD_INSTANCE_ARN}/queue/" in out
    assert "111122223333" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "opt-in-survey", "--stage", "qa"],
        ["simulate", "opt-in-survey", "--stage", "qa"],
        ["lint", "opt-in-survey", "--stage", "qa"],
    ],
    ids=["render", "simulate", "lint"],
)
def test_unknown_stage_exits_2_naming_the_stage(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    # GIVEN a stage that cdk.json does not have
    # WHEN any command is asked for it
    code, out, err = run(capsys, *argv)

    # THEN the exit code is 2, and stderr names it and the stages there are
    assert code == 2
    assert out == ""
    assert "unknown stage 'qa'" in err
    assert "dev, prod, staging" in err


def test_missing_cdk_json_exits_2_with_the_fix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # GIVEN a folder without cdk.json
    monkeypatch.chdir(tmp_path)

    # WHEN a stage is needed
    code, _, err = run(capsys, "render", "opt-in-survey")

    # THEN the message says where to run it from
    assert code == 2
    assert "cdk.json not found: run from the project folder or pass --config" in err


# --- user mistakes: one line on stderr, the right exit status, never a traceback ---------------


def one_line_error(code: int, out: str, err: str) -> str:
    """The single stderr line of a rejected command (exit 2, nothing on stdout)."""
    assert code == 2
    assert out == ""
    assert err.startswith("connect-survey: ")
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("keys", "fix"),
    [
        ("abc", "write e.g. --keys 1,5,42#,timeout,hangup"),
        ("5x", "write e.g. --keys 1,5,42#,timeout,hangup"),
        ("5;5;5", "separate entries with commas: --keys 5,5,5"),
        ("5 5 5", "separate entries with commas: --keys 5,5,5"),
    ],
)
def test_simulate_rejects_keys_that_are_not_caller_entries(
    capsys: pytest.CaptureFixture[str], keys: str, fix: str
) -> None:
    # GIVEN --keys that the caller could not press
    # WHEN a call is simulated with them
    err = one_line_error(*run(capsys, "simulate", "on-demand-inbound", "--keys", keys))

    # THEN the line names the option, the entry and how to write it
    assert f"--keys: {keys!r} is not keys (0-9, *, #), timeout or hangup; {fix}" in err


def test_simulate_rejects_an_attribute_without_a_value(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = one_line_error(*run(capsys, "simulate", "on-demand-inbound", "--attr", "foo"))
    assert "--attr: 'foo' is not NAME=VALUE; write e.g. --attr Lang=en" in err


def test_simulate_rejects_a_file_that_is_not_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a text file
    path = tmp_path / "notjson.txt"
    path.write_text("hello", encoding="utf-8")

    # WHEN it is simulated
    err = one_line_error(*run(capsys, "simulate", str(path)))

    # THEN the line says it is not a Flow Language document and what to pass instead
    assert f"{str(path)!r} is not a Flow Language document: not valid JSON" in err
    assert "pass a flow key of the stage or a JSON file" in err


def test_lint_rejects_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = one_line_error(*run(capsys, "lint", str(tmp_path)))
    assert f"{str(tmp_path)!r} is a directory; pass Flow Language JSON files" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (Expecting property name"),
        ('{"app": "python app.py"}', 'has no "context" object'),
        ("[1, 2]", 'has no "context" object'),
    ],
    ids=["not-json", "no-context", "not-an-object"],
)
def test_malformed_cdk_json_is_one_line_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    # GIVEN a cdk.json that is not the project's
    path = tmp_path / "cdk.json"
    path.write_text(content, encoding="utf-8")

    # WHEN a flow is rendered with it
    err = one_line_error(*run(capsys, "render", "opt-in-survey", "--config", str(path)))

    # THEN the line names the file and what is wrong with it
    assert err.startswith(f"connect-survey: {path}: {message}")


def test_unknown_action_for_fail_action_lists_the_action_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN an action id that no flow has
    argv = ["simulate", "on-demand-inbound", "--fail-action", "nope"]

    # WHEN a call is simulated with it
    err = one_line_error(*run(capsys, *argv))

    # THEN the line names it and lists the ids there are (the inbound menu's among them)
    assert "--fail-action 'nope': unknown action id; choose one of " in err
    assert "ask-effort" in err


def test_unknown_queue_for_queue_at_capacity_lists_the_queues(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["simulate", "on-demand-inbound", "--queue-at-capacity", "billing"]
    err = one_line_error(*run(capsys, *argv))
    assert err.startswith(
        "connect-survey: --queue-at-capacity 'billing': unknown queue; "
        "choose one of sales, supervisor, supervisor-callbacks, support"
    )


def test_fail_action_accepts_an_action_of_a_flow_file(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow file whose greeting fails
    path = flow_file([say("hello", "Hi", "bye", on_error="sorry"), say("sorry", "Oops", "bye"),
                      hang_up()])  # fmt: skip

    # WHEN it is simulated with its own action id as --fail-action
    code, out, _ = run(capsys, "simulate", path, "--fail-action", "hello", "--json")

    # THEN the id is accepted and the error branch is taken
    assert code == 0
    assert json.loads(out)["prompts"] == ["Oops"]


def test_non_numeric_seed_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    err = one_line_error(*run(capsys, "simulate", "on-demand-inbound", "--seed", "x"))
    assert "--seed: 'x' is not a whole number" in err


def test_lint_prints_a_summary_after_the_findings_of_a_failed_check(
    capsys: pytest.CaptureFixture[str], flow_file: Callable[[list[dict[str, Any]]], str]
) -> None:
    # GIVEN a flow with one error
    path = flow_file([say("hello", "Hi", "nowhere", on_error="bye"), hang_up()])

    # WHEN it is linted
    code, _, err = run(capsys, "lint", path)

    # THEN the check fails (exit 1) and stderr carries the count
    assert code == 1
    assert err == "1 flow, 1 error, 0 warnings\n"


def test_every_option_of_every_command_has_help_text() -> None:
    # GIVEN the parser the command uses
    parser = cli.parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )

    # WHEN its sub-commands' arguments are listed
    missing = [
        f"{name} {action.dest}"
        for name, command in commands.choices.items()
        for action in command._actions
        if not action.help
    ]

    # THEN each one says what it is for
    assert missing == []


# --- the installed command ------------------------------------------------------------------


def test_installed_console_script_prints_its_help() -> None:
    # GIVEN the console script installed next to this Python
    script = Path(sys.executable).parent / "connect-survey"

    # WHEN it is run with --help
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )

    # THEN it exits 0 and lists its commands
    assert result.returncode == 0, result.stderr
    for command in ("simulate", "lint", "render"):
        assert command in result.stdout


def test_cli_piped_into_a_reader_that_stops_early_ends_without_a_traceback() -> None:
    # GIVEN the installed script, writing a whole flow into a pipe nobody reads any more
    # (`connect-survey render ... | head -1`)
    script = Path(sys.executable).parent / "connect-survey"
    reader, writer = os.pipe()
    os.close(reader)

    # WHEN it renders a flow larger than the pipe's buffer
    result = subprocess.run(
        [str(script), "render", FLOW_KEYS[0]],
        stdout=writer, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    os.close(writer)

    # THEN it stops quietly with status 1, as a well-behaved Unix filter does
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr
    assert result.returncode == 1


# --- simulate --fail-service (the outbox retries) ----------------------------------------------


@pytest.mark.parametrize("fault", ["sns=2", "events", "dynamodb=3"])
def test_simulate_shows_the_outbox_delivering_the_alert_after_a_service_outage(
    capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    # GIVEN a caller who rates 1, 5, 5 while one service fails the handlers' next calls
    # WHEN the call is simulated as JSON
    code, out, _ = run(
        capsys, "simulate", "on-demand-survey", "--keys", "1,5,5", "--fail-service", fault,
        "--json",
    )  # fmt: skip

    # THEN the output is one JSON object, and the stream's retries delivered both alerts once
    assert code == 0
    report = json.loads(out)
    assert sorted(alert["channel"] for alert in report["alerts"]) == DEV_ALERT_CHANNELS


def test_simulate_rejects_an_unknown_failing_service_with_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN a service the embedded AWS cannot fail
    # WHEN a call is simulated with it
    err = one_line_error(*run(capsys, "simulate", "on-demand-survey", "--fail-service", "s3"))

    # THEN the line names the valid services
    assert "'s3' is not a service; use one of: sns, events, dynamodb" in err


def test_simulate_json_reports_a_callback_and_the_stored_survey_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN an opted-in caller with low scores, no supervisor free, and a number of their own
    # that the inbound flow found callable
    argv = [
        "simulate", "escalation-survey", "--keys", "1,1,1,1,1", "--json",
        "--attr", "Survey_Opt_in=true", "--attr", "SurveyNumberWithheld=false",
        "--supervisors-available", "0",
        "--caller-number", "+442071838750",
    ]  # fmt: skip

    # WHEN the survey flow is simulated
    code, out, _ = run(capsys, *argv)

    # THEN the callback goes to the callback queue and the number, and the status is stored
    assert code == 0
    report = json.loads(out)
    assert report["callbacks"] == [{"queue": "supervisor-callbacks", "number": "+442071838750"}]
    assert report["survey_status"] == "complete"
    assert report["attributes"]["SurveyStatus"] == "complete"


def test_simulate_with_the_caller_hanging_up_first_calls_no_lambda(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "simulate", "on-demand-inbound", "--keys", "1,5,5,5", "--json",
        "--hangs-up-first", "caller",
    )  # fmt: skip
    report = json.loads(out)
    assert code == 0
    assert report["flows"] == ["on-demand-inbound", "on-demand-survey"]
    # only the inbound flow's eligibility check ran; the survey path called nothing
    called = [invocation["function"] for invocation in report["lambda_invocations"]]
    assert called == ["arn:aws:lambda:us-east-1:111122223333:function:survey-dev-eligibility"]
    assert report["results"] == []
    assert report["survey_status"] is None and report["ended_by"] == "caller"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--caller-number", "0207 183 8750"), ("--supervisors-available", "-1")],
)
def test_simulate_rejects_a_bad_caller_option_in_one_line(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    err = one_line_error(*run(capsys, "simulate", "escalation-survey", option, value))
    assert f"argument {option}: {value!r}" in err


def test_simulate_shows_the_sweeper_delivering_once_after_the_streams_retries_gave_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN a caller who rates 1, 5, 5 while SNS fails more calls than the stream retries last
    # WHEN the call is simulated as JSON (the embedded AWS runs the sweeper on its schedule)
    code, out, _ = run(
        capsys, "simulate", "on-demand-survey", "--keys", "1,5,5", "--fail-service", "sns=40",
        "--json",
    )  # fmt: skip

    # THEN each alert arrived exactly once, the e-mail late: sent by a sweep, which also
    # redrove the dead letters
    assert code == 0
    report = json.loads(out)
    assert sorted(alert["channel"] for alert in report["alerts"]) == DEV_ALERT_CHANNELS
    late = [(s["after_seconds"], a["channel"]) for s in report["sweeps"] for a in s["alerts"]]
    assert [channel for _, channel in late] == ["sns"]
    assert late[0][0] > 0
    assert (
        report["sweeps"][-1]["deadLetters"]["received"]
        == report["sweeps"][-1]["deadLetters"]["redriven"]
    )

"""`connect-survey`: simulate, lint and render, as a user runs them from the project folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cli
from flows.catalog import FLOW_KEYS
from tests.stacks.conftest import ROOT

SMALL_FLOW = {
    "Version": "2019-10-30",
    "StartAction": "hello",
    "Actions": [
        {
            "Identifier": "hello",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Hello from a file."},
            "Transitions": {"NextAction": "bye"},
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}


@pytest.fixture(autouse=True)
def in_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_prints_a_transcript_a_person_can_follow(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "simulate", "escalation-inbound", "--keys", "1,1,5,2,5,1")

    assert code == 0
    for line in (
        "== escalation-inbound (the call starts) ==",
        'says "Thank you for calling."',
        "caller presses 1",
        "lambda survey-dev-score(question=effort, digits=5) -> valid=true, score=5",
        "transfer to queue sales: an agent answers",
        "transfer to queue supervisor: an agent answers",
        "set Survey_Opt_in = 'Complete'",
        "ALERT via sns",
        "STORED PromoterScore = 2",
    ):
        assert line in out


def test_simulate_json_is_one_object_with_the_documented_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "simulate", "escalation-inbound", "--keys", "1,1,5,2,5,1", "--json")

    assert code == 0
    report = json.loads(out)
    assert set(report) >= {
        "flows", "prompts", "attributes", "transfers", "callbacks", "lambda_invocations",
        "alerts", "results", "ended_by",
    }  # fmt: skip
    assert report["flows"] == ["escalation-inbound", "escalation-survey", "escalation-survey"]
    assert report["transfers"] == [{"queue": "sales"}, {"queue": "supervisor"}]
    assert report["results"][1] == {"attribute": "PromoterScore", "score": "2"}
    assert report["ended_by"] == "flow"


def test_simulate_attr_and_capacity_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "simulate", "escalation-survey", "--attr", "Survey_Opt_in=true",
        "--keys", "1,1,1,1,1", "--queue-at-capacity", "supervisor", "--json",
    )  # fmt: skip

    assert code == 0
    assert json.loads(out)["callbacks"] == [{"queue": "supervisor"}]


def test_simulate_plays_a_flow_language_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "hello.json"
    path.write_text(json.dumps(SMALL_FLOW))

    code, out, _ = run(capsys, "simulate", str(path), "--json")

    assert code == 0
    report = json.loads(out)
    assert report["flows"] == ["hello.json"]
    assert report["prompts"] == ["Hello from a file."]


def test_simulate_stops_on_a_lambda_that_is_neither_ours_nor_stubbed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow: dict[str, Any] = json.loads(json.dumps(SMALL_FLOW))
    flow["Actions"][0] = {
        "Identifier": "hello",
        "Type": "InvokeLambdaFunction",
        "Parameters": {
            "LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:elsewhere",
            "InvocationTimeLimitSeconds": "3",
        },
        "Transitions": {
            "NextAction": "bye",
            "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
        },
    }
    path = tmp_path / "other.json"
    path.write_text(json.dumps(flow))

    code, _, err = run(capsys, "simulate", str(path))
    assert code == 2
    assert "function:elsewhere" in err

    code, out, _ = run(capsys, "simulate", str(path), "--lambda-stub", 'elsewhere={"a": "b"}')
    assert code == 0
    assert "lambda elsewhere() -> a=b" in out


def test_simulate_rejects_a_malformed_stub(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "simulate", "on-demand-survey", "--lambda-stub", "score")

    assert code == 2
    assert "--lambda-stub 'score': write PATTERN=RESPONSE" in err


def test_lint_passes_every_project_flow(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", *FLOW_KEYS)

    assert (code, out) == (0, "")


def test_lint_reports_one_line_per_finding_and_fails(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    flow: dict[str, Any] = json.loads(json.dumps(SMALL_FLOW))
    flow["Actions"][0]["Transitions"]["NextAction"] = "nowhere"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(flow))

    code, out, _ = run(capsys, "lint", str(path))

    assert code == 1
    lines = out.splitlines()
    assert f"{path}: hello: transition-targets: " in lines[0]
    assert any(": bye: unreachable: " in line for line in lines)


def test_render_prints_the_stage_flow_for_the_console(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", "opt-in-survey", "--stage", "prod")

    assert code == 0
    document = json.loads(out)
    assert document["StartAction"] == "check-opt-in"
    assert "arn:aws:lambda:eu-west-2:777788889999:function:survey-score" in out


def test_unknown_stage_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "render", "opt-in-survey", "--stage", "qa")

    assert code == 2
    assert "unknown stage 'qa'" in err


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "connect-survey"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)

    assert result.returncode == 0
    assert "simulate" in result.stdout

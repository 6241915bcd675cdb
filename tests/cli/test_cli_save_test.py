"""`connect-survey simulate … --save-test FILE` writes the call as a case that passes at once."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT, cli

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


def record(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> dict[str, Any]:
    assert cli.main(["simulate", *argv, "--save-test", str(path)]) == 0
    capsys.readouterr()
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def replay(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    code = cli.main(["test", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0, out
    return out


def actions_of(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [
        action
        for observation in document["Content"]["Observations"]
        for action in observation["Actions"]
        if action["Type"] == kind
    ]


def test_a_recorded_survey_passes_offline_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # WHEN a survey with an invalid key and a low score is recorded
    path = tmp_path / "low-score.json"
    document = record(
        capsys, path, "escalation-survey", "--attr", "Survey_Opt_in=true", "--keys", "7,2,4,4,2"
    )
    # THEN it names stage resources by reference, with each prompt, key and attribute
    entry = document["EntryPoint"]["VoiceCallEntryPointParameters"]
    assert entry == {"FlowId": "{{flow:escalation-survey}}", "SourcePhoneNumber": "+15555550100"}
    assert document["InitializationData"] == {"Attributes": {"Survey_Opt_in": "true"}}
    texts = [
        observation["Event"]["Properties"]["Text"]
        for observation in document["Content"]["Observations"]
    ]
    assert texts[:3] == [
        "Thank you for taking our short survey.",
        "Please rate each statement from 1 to 5, where 5 means you strongly agree and 1 means "
        "you strongly disagree.",
        "It was easy to get my issue handled.",
    ]
    keys = [
        a["Parameters"]["Instruction"]["Properties"]["Value"]
        for a in actions_of(document, "SendInstruction")
    ]
    assert keys == ["7", "2", "4", "4", "2"]
    asserted = {
        a["Parameters"]["Namespace"]: a["Parameters"]["Operand"]
        for a in actions_of(document, "Assert")
    }
    assert asserted == {
        "$.Attributes.SurveyStatus": "complete",
        "$.Attributes.SurveyMode": "escalation",
        "$.Attributes.EffortScore": "2",
        "$.Attributes.PromoterScore": "4",
        "$.Attributes.SatisfactionScore": "4",
    }
    assert [a["Identifier"] for a in actions_of(document, "TestControl")] == ["end-test"]
    # AND it passes offline as it is
    assert replay(capsys, path).startswith("PASS low-score (")


def test_stubs_full_queues_and_hang_ups_are_recorded_as_overrides_and_disconnect(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "queue-full.json"
    document = record(
        capsys,
        path,
        "on-demand-inbound",
        "--keys",
        "1",
        "--queue-at-capacity",
        "sales",
        "--lambda-stub",
        'eligibility={"eligible":"true","decision":"offered","callerKey":""}',
    )
    overrides = [
        a["Parameters"]["Behavior"]["Properties"]
        for a in actions_of(document, "OverrideSystemBehavior")
    ]
    assert [o["ActionParameters"] for o in overrides] == [
        {"LambdaFunctionARN": "{{function:eligibility}}"},
        {"QueueId": "{{queue:sales}}"},
    ]
    assert "arn:aws" not in json.dumps(document)
    assert replay(capsys, path).startswith("PASS queue-full (")
    hung_up = tmp_path / "hung-up.json"
    document = record(
        capsys, hung_up, "opt-in-survey", "--attr", "Survey_Opt_in=true", "--keys", "5,hangup"
    )
    [disconnect] = actions_of(document, "SendInstruction")[1:]
    assert disconnect["Parameters"]["Instruction"]["Type"] == "Disconnect"
    assert replay(capsys, hung_up).startswith("PASS hung-up (")


def test_a_call_ends_its_recording_where_it_is_queued(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "opt-in.json"
    document = record(capsys, path, "opt-in-inbound", "--keys", "2,1,5,5,5")
    last = document["Content"]["Observations"][-1]
    assert last["Event"]["Type"] == "FlowActionStarted"
    assert last["Event"]["Properties"]["ActionParameters"] == {"QueueId": "{{queue:support}}"}
    assert replay(capsys, path).startswith("PASS opt-in (")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fail-service", "sns"], "--save-test cannot record --fail-service"),
        (["--hours", "closed"], "--save-test cannot record --hours"),
        (["--supervisors-available", "0"], "cannot record --supervisors-available"),
        (["--hangs-up-first", "caller"], "cannot record --hangs-up-first"),
    ],
)
def test_what_no_construct_can_say_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    path = tmp_path / "case.json"
    code = cli.main(["simulate", "escalation-survey", *argv, "--save-test", str(path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not path.exists()

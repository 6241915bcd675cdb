"""`connect-survey test` on cases it has never seen: the documented verdict, line and exit status.

The "Done when" list of issue 16: cases that must pass do; a wrong expectation fails; an expected
prompt that never comes fails; a caller hanging up fails where later prompts are expected; a
construct outside the language is refused in one line with exit status 2; no traceback, ever.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

import pytest

from connect_survey import PROJECT_ROOT, cli
from tests.test_cases.cases import (
    GOODBYE,
    Q1,
    Q2,
    Q3,
    answers,
    case,
    check,
    end_test,
    event,
    hang_up,
    heard,
    log_data,
    observation,
    press,
    write,
)

if TYPE_CHECKING:
    from pathlib import Path

PASSING = case(
    *answers("5", "4", "3"),
    heard(
        "goodbye",
        GOODBYE,
        [
            check("effort", "$.Attributes.EffortScore", "Equals", "5"),
            log_data("log", {"status": "$.Attributes.SurveyStatus"}),
            end_test(),
        ],
    ),
)
WRONG_EXPECTATION = case(
    *answers("5", "4", "3"),
    heard("goodbye", GOODBYE, [check("effort", "$.Attributes.EffortScore", "Equals", "4")]),
)
PROMPT_NEVER_COMES = case(
    heard("q1", Q1, [press("k", "5")], ["supervisor"]),
    heard("supervisor", "To discuss this with a supervisor, press 1"),
)
HANGS_UP = case(
    heard("q1", Q1, [press("k", "5")], ["q2"]),
    heard("q2", Q2, [hang_up()], ["q3"]),
    heard("q3", Q3),
)
OUTSIDE_THE_LANGUAGE = case(observation("start", event("Ringing")))


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["test", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_cases_never_seen_get_the_documented_verdicts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for stem, document in [
        ("a-passes", PASSING),
        ("b-wrong-expectation", WRONG_EXPECTATION),
        ("c-prompt-never-comes", PROMPT_NEVER_COMES),
        ("d-hangs-up", HANGS_UP),
    ]:
        write(tmp_path, stem, document)
    code, out, err = run(capsys, str(tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith("PASS a-passes (4 observations, ")
    assert lines[0].endswith(" ms)")
    assert lines[1] == '  LogData goodbye: status = "complete"'
    assert lines[2:] == [
        'FAIL b-wrong-expectation: observation goodbye: effort: $.Attributes.EffortScore is "5"; '
        'expected it to equal "4"',
        "FAIL c-prompt-never-comes: observation supervisor: expected prompt "
        '"To discuss this with a supervisor, press 1" never played; the call ended at action '
        "hang-up",
        'FAIL d-hangs-up: observation q3: expected prompt "very satisfied with the call I just '
        'had" never played; the call ended at action ask-recommend',
    ]
    assert code == 1
    assert err.strip().startswith("4 cases: 1 passed, 3 failed, 0 refused (")


def test_a_construct_outside_the_language_is_refused_in_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, "ringing", OUTSIDE_THE_LANGUAGE)
    code, out, _ = run(capsys, str(tmp_path / "ringing.json"))
    assert code == 2
    assert out == (
        "REFUSED ringing: observation start: unknown event type 'Ringing'; events are "
        "TestInitiated, TestCompleted, MessageReceived, FlowActionStarted\n"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({**PASSING, "Content": "[]"}), "Content must be a JSON object"),
        (json.dumps(case(heard("q", "{{flow:nowhere}}"))), "unknown reference {{flow:nowhere}}"),
    ],
)
def test_a_malformed_file_is_refused_and_the_other_cases_still_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, reason: str
) -> None:
    write(tmp_path, "a-broken", text)
    write(tmp_path, "b-passes", PASSING)
    code, out, _ = run(capsys, str(tmp_path))
    broken, passed = out.splitlines()[:2]
    assert broken.startswith("REFUSED a-broken: ")
    assert reason in broken
    assert passed.startswith("PASS b-passes")
    assert code == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.json"], "missing.json: no such file or folder"),
        (["tests/events"], "no test cases (*.json)"),
        (["testcases", "--stage", "nowhere"], "nowhere"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    if argv == ["tests/events"]:
        argv = [str(tmp_path)]
        message = f"no test cases (*.json) in {tmp_path}"
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_json_prints_one_object_per_case_with_the_transcript(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write(tmp_path, "a-passes", PASSING)
    write(tmp_path, "b-fails", WRONG_EXPECTATION)
    code, out, _ = run(capsys, str(tmp_path), "--json")
    first, second = (json.loads(line) for line in out.splitlines())
    assert (first["name"], first["verdict"], first["runtime"]) == ("a-passes", "PASS", "offline")
    assert first["logged"] == [{"observation": "goodbye", "label": "status", "value": "complete"}]
    heard_messages = [
        entry["text"] for entry in first["transcript"] if entry.get("test") == "message"
    ]
    assert heard_messages[-1] == "Thank you for your feedback. Goodbye."
    assert (second["verdict"], second["observation"]) == ("FAIL", "goodbye")
    assert code == 1


def test_junit_records_each_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    write(cases, "a-passes", PASSING)
    write(cases, "b-fails", WRONG_EXPECTATION)
    write(cases, "c-refused", OUTSIDE_THE_LANGUAGE)
    report = tmp_path / "junit.xml"
    code, _, _ = run(capsys, str(cases), "--junit", str(report))
    suite = ElementTree.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    assert code == 2


def test_every_case_runs_on_one_embedded_aws(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connect_survey.simulator import sandbox

    started: list[Any] = []
    original = sandbox.Sandbox.start
    monkeypatch.setattr(
        sandbox.Sandbox, "start", lambda self: (started.append(self), original(self))[1]
    )
    for index in range(3):
        write(tmp_path, f"case-{index}", PASSING)
    code, _, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert len(started) == 1

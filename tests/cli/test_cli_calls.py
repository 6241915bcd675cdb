"""`simulate --calls FILE`: many calls in one process, one summary line (or JSON line) each."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT, cli

if TYPE_CHECKING:
    from pathlib import Path

SURVEY = "on-demand-survey --keys 1,4,2 --seed 1"
INBOUND = "on-demand-inbound --keys 1,5,5,5 --seed 2 --caller-number '+15550000002'"


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


def _calls(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "calls.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_calls_prints_one_summary_line_per_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two calls, a blank line between them
    calls = _calls(tmp_path, SURVEY, "   ", INBOUND)

    # WHEN they are played from one file
    code = cli.main(["simulate", "--calls", calls])

    # THEN each gets one line, numbered by its line in the file, with what it stored
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert len(lines) == 2
    assert lines[0].startswith("1: on-demand-survey: contact ")
    assert "survey complete" in lines[0]
    assert "EffortScore=1 PromoterScore=4 SatisfactionScore=2" in lines[0]
    assert "alerts sns, eventbridge" in lines[0]
    assert lines[1].startswith("3: on-demand-inbound: ")
    assert "alerts none" in lines[1]


def test_calls_json_lines_equal_what_simulate_json_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the same two calls played one by one with --json
    singles = []
    for line in (SURVEY, INBOUND):
        assert cli.main(["simulate", *line.replace("'", "").split(), "--json"]) == 0
        singles.append(_without_caller_key(json.loads(capsys.readouterr().out)))

    # WHEN they are played from standard input with --json
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SURVEY}\n{INBOUND}\n"))
    code = cli.main(["simulate", "--calls", "-", "--json"])

    # THEN each call is one JSON object on one line, the object simulate --json prints
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [_without_caller_key(json.loads(line)) for line in lines] == singles


def _without_caller_key(report: dict[str, Any]) -> dict[str, Any]:
    """The report with its caller key blanked: each embedded AWS draws its own key secret, as
    each stack does."""
    key = (report["eligibility"] or {}).get("callerKey")
    return json.loads(json.dumps(report).replace(key, "KEY")) if key else report


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("on-demand-survey --keys 9x", "'9x' is not keys"),
        ("no-such-flow", "'no-such-flow' is neither a flow key"),
        ("on-demand-survey --keys '1", "No closing quotation"),
        ("on-demand-survey --json", "unrecognized arguments: --json"),
        ("on-demand-survey --queue-at-capacity Nowhere", "unknown queue"),
    ],
)
def test_a_bad_line_is_named_and_no_call_plays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, message: str
) -> None:
    # GIVEN a good call, then a bad line
    calls = _calls(tmp_path, SURVEY, bad)

    code = cli.main(["simulate", "--calls", calls])

    # THEN one line names the file and line; nothing played, not even the good call before it
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert captured.err.startswith(f"connect-survey: {calls}:2: ")
    assert message in captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["simulate"], "name the flow to play, or give --calls FILE"),
        (["simulate", "on-demand-survey", "--calls", "x"], "give no flow as well"),
        (["simulate", "--calls", "/missing/calls.txt"], "--calls /missing/calls.txt: No such"),
    ],
)
def test_calls_usage_mistakes_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1
    assert message in err


def test_an_empty_calls_file_is_a_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["simulate", "--calls", _calls(tmp_path, "", "  ")])
    assert code == 2
    assert "no calls in it" in capsys.readouterr().err


def test_each_call_runs_on_an_emptied_embedded_aws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the same caller twice: sharing one table, the cooldown would skip the second call
    calls = _calls(tmp_path, INBOUND, INBOUND)

    assert cli.main(["simulate", "--calls", calls, "--json"]) == 0

    # THEN each call is offered its survey, as each would be alone
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [report["eligibility"]["decision"] for report in reports] == ["offered", "offered"]
    assert [report["survey_status"] for report in reports] == ["complete", "complete"]

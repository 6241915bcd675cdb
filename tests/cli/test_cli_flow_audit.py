"""`connect-survey simulate` on what the flow audit fixed: a withheld placeholder number, a caller
who hangs up during a prompt (--hang-up-during), and both readings of a prompt with nobody on the
line (--absent-participant)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.flows.prompts import Prompts
from tests.cli.test_cli import run

if TYPE_CHECKING:
    from pathlib import Path

ANONYMOUS_ON_A_KEYPAD = "+266696687"
TEXTS = Prompts()  # the dev stage speaks English with the built-in prompts
LOW_SCORES = "1,1,1,2,1"  # sales, opt in, then 1, 2, 1


def config_with(tmp_path: Path, **sampling: Any) -> str:
    """A cdk.json whose dev stage has these `sampling` settings."""
    document = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"]["sampling"].update(sampling)
    path = tmp_path / "cdk.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def simulate(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "simulate", *argv, "--json")
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def test_withheld_placeholder_number_is_skipped_as_withheld(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a stage that skips withheld numbers
    config = config_with(tmp_path, withheldNumbers="skip")

    # WHEN a caller whose number is ANONYMOUS spelt on a keypad calls the escalation flow
    report = simulate(
        capsys, "escalation-inbound", "--config", config,
        "--caller-number", ANONYMOUS_ON_A_KEYPAD, "--keys", "1",
    )  # fmt: skip

    # THEN they are not offered a survey, for that reason, and nothing is promised
    assert report["eligibility"]["decision"] == "skipped_withheld_number"
    assert report["attributes"]["SurveyEligibility"] == "skipped_withheld_number"
    assert report["attributes"]["SurveyNumberWithheld"] == "true"
    assert TEXTS.survey_offer not in report["prompts"]
    assert report["callbacks"] == []
    # AND the call goes to the agent with no survey flow set: eligibility was the only Lambda
    assert report["transfers"] == [{"queue": "sales"}]
    assert report["flows"] == ["escalation-inbound"]
    assert len(report["lambda_invocations"]) == 1


def test_withheld_placeholder_number_surveyed_is_never_promised_a_callback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the dev stage, which surveys withheld numbers, and no supervisor free
    # WHEN the keypad placeholder caller scores low and asks for a supervisor
    report = simulate(
        capsys, "escalation-inbound", "--caller-number", ANONYMOUS_ON_A_KEYPAD,
        "--keys", f"{LOW_SCORES},1,1", "--supervisors-available", "0",
    )  # fmt: skip

    # THEN no callback is offered or made: the caller hears that the number cannot be called
    assert report["eligibility"]["decision"] == "offered"
    assert report["callbacks"] == []
    assert TEXTS.supervisor_busy not in report["prompts"]
    assert report["prompts"][-1] == TEXTS.no_callback


@pytest.mark.parametrize("reading", ["error", "skip"])
def test_absent_participant_reading_never_scores_a_caller_who_hung_up_first(
    capsys: pytest.CaptureFixture[str], reading: str
) -> None:
    report = simulate(
        capsys, "on-demand-inbound", "--keys", "1,5,5,5", "--hangs-up-first", "caller",
        "--absent-participant", reading,
    )  # fmt: skip

    functions = [call["function"].rsplit(":", 1)[-1] for call in report["lambda_invocations"]]
    assert functions == ["survey-dev-eligibility"]
    assert report["results"] == [] and report["survey_status"] is None


def test_hang_up_during_the_queue_full_apology_ends_the_survey_flow_at_its_guard(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = simulate(
        capsys, "on-demand-inbound", "--keys", "1", "--queue-at-capacity", "sales",
        "--hang-up-during", "queue-full",
    )  # fmt: skip

    assert report["ended_by"] == "caller"
    assert report["attributes"]["Survey_Ended_In_Flow"] == "true"
    assert report["prompts"][-1] == TEXTS.queue_full
    assert len(report["lambda_invocations"]) == 1  # eligibility only


def test_hang_up_during_an_unknown_action_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "simulate", "on-demand-inbound", "--hang-up-during", "nope")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--hang-up-during" in err

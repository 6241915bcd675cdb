"""`simulate --fail-service`: each injected failure, retry and dead letter is shown."""

from __future__ import annotations

import json

import pytest

from connect_survey import PROJECT_ROOT, cli

LOW_SCORES = ["simulate", "on-demand-survey", "--keys", "1,1,1"]


@pytest.fixture(autouse=True)
def in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)


def test_one_failure_and_its_retry_are_in_the_transcript_and_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # WHEN the alert function's first SNS publish fails
    assert cli.main([*LOW_SCORES, "--fail-service", "sns"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert cli.main([*LOW_SCORES, "--fail-service", "sns", "--json"]) == 0
    faults = json.loads(capsys.readouterr().out)["faults"]

    # THEN the transcript shows the failure, then the stream's retry, then the alert sent
    shown = [line for line in lines if line.startswith(("FAILED", "RETRY", "DEAD", "ALERT"))]
    assert shown[0] == (
        "FAILED sns PublishBatch in survey-dev-alert: InternalFailure (--fail-service)"
    )
    assert shown[1].startswith("RETRY the stream delivers 1 record to survey-dev-alert again")
    assert "ALERT via sns" in shown[2:]
    # AND --json lists the same, with the records' sequence numbers
    assert [fault["event"] for fault in faults] == ["failure", "redelivery"]
    assert faults[0] | {"function": "survey-dev-alert", "service": "sns"} == faults[0]
    assert faults[1]["delivery"] == 2
    assert len(faults[1]["records"]) == 1


def test_an_outage_that_outlasts_the_retries_ends_in_a_dead_letter_the_sweeper_delivers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main([*LOW_SCORES, "--fail-service", "sns=50", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)

    events = [fault["event"] for fault in report["faults"]]
    dead = [fault for fault in report["faults"] if fault["event"] == "dead letter"]
    assert events.count("failure") > 1
    assert "redelivery" in events
    assert dead
    assert all(fault["attempts"] > 1 for fault in dead)
    # ... and the sweeper, not the spent retries, delivers the e-mail: once
    channels = [alert["channel"] for alert in report["alerts"]]
    assert channels.count("sns") == 1
    swept = [alert["channel"] for sweep in report["sweeps"] for alert in sweep["alerts"]]
    assert swept == ["sns"]


def test_a_call_without_faults_has_none() -> None:
    from connect_survey.config.stage import load_stage, read_context
    from connect_survey.simulator.simulate import CallSetup, simulate

    stage = load_stage(read_context(PROJECT_ROOT / "cdk.json"), "dev").offline
    assert simulate(stage, "on-demand-survey", CallSetup(keys=["1", "1", "1"])).faults == []

"""`connect-survey simulate` on a stage with follow-up tasks: the low score's task, what it
carries, where the task flow queued it, and exactly one despite a Connect outage (issue 19)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.lambda_asset.survey.contract import (
    ALERT_ID_ATTRIBUTE,
    FOLLOW_UP_FOR_ATTRIBUTE,
    ROUTING_QUEUE_FULL,
)
from tests.cli.test_cli import run

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def follow_up_config(tmp_path: Path) -> str:
    """cdk.json whose dev stage has followUp (its defaults: the supervisor queue)."""
    document = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"]["followUp"] = {"expiryMinutes": 1440}
    path = tmp_path / "cdk.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def simulate_json(capsys: pytest.CaptureFixture[str], config: str, *argv: str) -> dict[str, Any]:
    code, out, err = run(
        capsys, "simulate", "on-demand-survey", "--keys", "1,5,5", "--config", config,
        "--json", *argv,
    )  # fmt: skip
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def test_simulate_shows_the_follow_up_task_with_name_queue_references_and_related_contact(
    capsys: pytest.CaptureFixture[str], follow_up_config: str
) -> None:
    # GIVEN a stage with follow-up tasks, and a caller who rates 1, 5, 5
    # WHEN the call is simulated
    code, out, _ = run(
        capsys, "simulate", "on-demand-survey", "--keys", "1,5,5", "--config", follow_up_config
    )

    # THEN besides the e-mail and the event, a task is shown: its name, the supervisor queue
    # the task flow put it in, the scores as references, and the surveyed contact
    assert code == 0
    lines = out.splitlines()
    assert "ALERT via task" in lines
    task = lines[lines.index("ALERT via task") + 1 :][:4]
    assert task[0] == "  name: Low survey score 1: -"
    assert task[1] == "  queue: supervisor"
    assert task[2].startswith("  references: ") and "=1" in task[2]
    assert task[3].startswith("  RelatedContactId: ")


def test_simulate_json_lists_the_task_as_an_alert_of_channel_task(
    capsys: pytest.CaptureFixture[str], follow_up_config: str
) -> None:
    # GIVEN a stage with follow-up tasks and a low first answer
    # WHEN the call is simulated as JSON
    report = simulate_json(capsys, follow_up_config)

    # THEN alerts has one task entry, related to the call, carrying the contract's attributes
    # and the stage's expiry, queued by the task flow
    [task] = [alert for alert in report["alerts"] if alert["channel"] == "task"]
    contact_id = report["contact_id"]
    assert task["relatedContactId"] == contact_id
    assert task["attributes"][FOLLOW_UP_FOR_ATTRIBUTE] == contact_id
    assert task["attributes"][ALERT_ID_ATTRIBUTE] == task["clientToken"]
    assert task["expiryMinutes"] == 1440
    assert (task["queue"], task["routing"]) == ("supervisor", "queued")
    assert sorted(alert["channel"] for alert in report["alerts"]) == [
        "eventbridge", "sns", "task"
    ]  # fmt: skip


@pytest.mark.parametrize("fault", ["connect", "connect=3"])
def test_simulate_delivers_exactly_one_task_after_start_task_contact_failed(
    capsys: pytest.CaptureFixture[str], follow_up_config: str, fault: str
) -> None:
    # GIVEN StartTaskContact failing the alert function's next calls
    # WHEN the call is simulated
    report = simulate_json(capsys, follow_up_config, "--fail-service", fault)

    # THEN the stream's retries started the task, once, and sent the other alerts once each
    channels = sorted(alert["channel"] for alert in report["alerts"])
    assert channels == ["eventbridge", "sns", "task"]


def test_simulate_task_flow_takes_its_queue_full_branch(
    capsys: pytest.CaptureFixture[str], follow_up_config: str
) -> None:
    # GIVEN the supervisor queue at capacity
    # WHEN the call is simulated
    report = simulate_json(capsys, follow_up_config, "--queue-at-capacity", "supervisor")

    # THEN the task was started but not queued, and says why
    [task] = [alert for alert in report["alerts"] if alert["channel"] == "task"]
    assert (task["queue"], task["routing"]) == (None, ROUTING_QUEUE_FULL)


def test_simulate_without_follow_up_starts_no_task(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN the dev stage without followUp
    document = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))
    document["context"]["stages"]["dev"].pop("followUp", None)
    config = tmp_path / "cdk.json"
    config.write_text(json.dumps(document), encoding="utf-8")

    # WHEN a low score is simulated
    code, out, _ = run(
        capsys, "simulate", "on-demand-survey", "--keys", "1,5,5", "--json", "--config", str(config)
    )

    # THEN only the e-mail and the event go out
    assert code == 0
    assert sorted(a["channel"] for a in json.loads(out)["alerts"]) == ["eventbridge", "sns"]

"""The follow-up task flow: rendered from its template with the stage's follow-up queue, clean
under every lint rule, and each of its branches played (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import cli
from connect_survey.config.stage import load_stage
from connect_survey.flow_language.engine import Flow, SimulatedContact, Simulation
from connect_survey.flow_language.lint import lint
from connect_survey.flows.catalog import FOLLOW_UP_TASK
from connect_survey.lambda_asset.survey.contract import (
    FOLLOW_UP_ROUTING_ATTRIBUTE,
    ROUTING_QUEUE_FULL,
    ROUTING_TRANSFER_ERROR,
)

CASES = Path(__file__).parent / "cases"  # the task flow's cases (dev has no followUp yet)

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage


def stage_with(stages: dict[str, Any], queue: str = "supervisor") -> OfflineStage:
    stages["dev"]["followUp"] = {"queue": queue}
    return load_stage({"stages": stages}, "dev").offline


def play(stage: OfflineStage, **world: Any) -> tuple[list[str], dict[str, str]]:
    """Play the task flow for one task; the queues it was transferred to, its attributes."""
    simulation = Simulation(
        queues={arn: name for name, arn in stage.queues.items()},
        contact=SimulatedContact(channel="TASK", initiation_method="API"),
        **world,
    )
    routed = simulation.run(Flow(FOLLOW_UP_TASK, stage.render(FOLLOW_UP_TASK)))
    return [t["queue"] for t in routed.transfers if "queue" in t], routed.attributes


@pytest.mark.parametrize("queue", ["supervisor", "support"])
def test_task_flow_is_lint_clean_and_names_the_follow_up_queue(
    stages: dict[str, Any], queue: str
) -> None:
    # GIVEN a stage routing follow-up tasks to the supervisor queue, or one of its own queues
    stage = stage_with(stages, queue)

    # WHEN the task flow is rendered
    document = stage.render(FOLLOW_UP_TASK)

    # THEN no lint rule finds anything, and it names that queue's ARN
    assert lint(document, FOLLOW_UP_TASK) == []
    assert stage.queues[queue] in json.dumps(document)


def test_task_flow_queues_the_task(stages: dict[str, Any]) -> None:
    # GIVEN the task flow of a stage with followUp
    # WHEN a task runs it, the queue open
    queued, attributes = play(stage_with(stages))

    # THEN the task waits in the supervisor queue, with no routing problem recorded
    assert queued == ["supervisor"]
    assert FOLLOW_UP_ROUTING_ATTRIBUTE not in attributes


def test_task_flow_records_a_full_queue_and_ends_the_task(stages: dict[str, Any]) -> None:
    # GIVEN the supervisor queue at capacity
    # WHEN a task runs the flow
    queued, attributes = play(stage_with(stages), queues_at_capacity=["supervisor"])

    # THEN it is not queued, and its contact record says the queue was full
    assert queued == []
    assert attributes[FOLLOW_UP_ROUTING_ATTRIBUTE] == ROUTING_QUEUE_FULL


@pytest.mark.parametrize("failing", ["set-follow-up-queue", "transfer-to-follow-up-queue"])
def test_task_flow_records_a_routing_error_and_ends_the_task(
    stages: dict[str, Any], failing: str
) -> None:
    # GIVEN the queue cannot be set, or the transfer fails
    # WHEN a task runs the flow
    queued, attributes = play(stage_with(stages), failing_actions=[failing])

    # THEN it is not queued, and its contact record says why
    assert queued == []
    assert attributes[FOLLOW_UP_ROUTING_ATTRIBUTE] == ROUTING_TRANSFER_ERROR


def test_testing_language_case_covers_the_task_flows_queue_full_branch(
    stages: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a stage with followUp, and the Testing-language case of the task flow (a voice
    # entry: the language has no task entry point)
    stages["dev"]["followUp"] = {}
    config = tmp_path / "cdk.json"
    config.write_text(json.dumps({"context": {"stages": stages}}), encoding="utf-8")

    # WHEN the case runs offline
    code = cli.main(
        ["test", str(CASES / "follow-up-task-queue-full.json"), "--config", str(config)]
    )

    # THEN it passes: the full queue is recorded on the task
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.startswith("PASS follow-up-task-queue-full")

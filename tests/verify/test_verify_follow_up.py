# ruff: noqa: F811 (the fixtures imported from test_verify are parameters here)
"""`connect-survey verify` on a stage with follow-up tasks checks the task flow like every
stage flow: on the instance, active and published (issue 19)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connect_survey.config.stage import StageConfig, load_stage
from tests.verify.test_verify import (  # noqa: F401 (fixtures)
    ROOT,
    Deployment,
    deployment,
    failures,
    run_verify,
    stubbed_aws,
)

TASK_FLOW = "flow survey-dev-follow-up-task"


@pytest.fixture(scope="module")
def stage() -> StageConfig:
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    context["stages"]["dev"].pop("languages", None)
    context["stages"]["dev"]["followUp"] = {}
    return load_stage(context, "dev")


def test_verify_checks_the_task_flow_of_a_stage_with_follow_up_tasks(run_verify: Any) -> None:
    # GIVEN a stage with followUp deployed as the stack defines it
    # WHEN verified
    checks = run_verify()

    # THEN the task flow has its passing line among the flows
    assert failures(checks) == []
    [task_flow] = [check for check in checks if check.name == TASK_FLOW]
    assert task_flow.passed


@pytest.mark.parametrize(
    ("override", "message"),
    [({"Status": "SAVED"}, "status SAVED, expected PUBLISHED"),
     ({"State": "ARCHIVED"}, "state ARCHIVED, expected ACTIVE")],
)  # fmt: skip
def test_verify_fails_a_task_flow_that_is_not_published(
    deployment: Deployment, run_verify: Any, override: dict[str, str], message: str
) -> None:
    # GIVEN the task flow saved but not published, or archived
    deployment.flow_overrides["follow-up-task"] = override

    # WHEN verified
    # THEN the task flow fails with its state, and nothing else does
    assert failures(run_verify()) == [f"FAIL  {TASK_FLOW}: {message}"]


def test_verify_fails_a_stage_whose_task_flow_is_missing(
    deployment: Deployment, run_verify: Any
) -> None:
    # GIVEN the instance without the task flow
    deployment.missing_flows.add("follow-up-task")

    # WHEN verified
    # THEN it is named as missing
    assert failures(run_verify()) == [f"FAIL  {TASK_FLOW}: no flow of this name on the instance"]

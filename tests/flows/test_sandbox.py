"""The embedded AWS: handlers run with the stack's environment and leave nothing behind."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from flows.sandbox import embedded_aws
from flows.simulate import CallSetup, Simulator
from stacks.config import load_stage
from tests.stacks.conftest import ROOT


@pytest.fixture
def stage() -> Any:
    return load_stage(json.loads((ROOT / "cdk.json").read_text())["context"], "dev").offline


def test_sandbox_leaves_no_metric_in_the_shared_powertools_buffer(stage: Any) -> None:
    # GIVEN a survey played through the real handlers with metrics disabled
    with embedded_aws(stage) as sandbox:
        Simulator(stage, sandbox).run("on-demand-survey", CallSetup(keys=["4", "4", "4"]))

    # THEN no metric waits in the buffer (at 100 values Powertools would print it to stdout)
    assert Metrics().metric_set == {}


def test_only_one_embedded_aws_runs_at_a_time(stage: Any) -> None:
    with (
        embedded_aws(stage),
        pytest.raises(RuntimeError, match="already running"),
        embedded_aws(stage),
    ):
        pass


def test_sandbox_refuses_reads_once_stopped(stage: Any) -> None:
    with embedded_aws(stage) as sandbox:
        report = Simulator(stage, sandbox).run("on-demand-survey", CallSetup(keys=["4"]))
    with pytest.raises(RuntimeError, match="embedded AWS has stopped"):
        _ = report.results

"""One embedded AWS for the scenario tests; every call gets its own contact id from its seed."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

import pytest

from flows.simulate import CallSetup, Report, Simulator, simulator
from stacks.config import load_stage
from tests.stacks.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

    from flows.offline import OfflineStage

_seeds = itertools.count(1)


@pytest.fixture(scope="session")
def stage() -> OfflineStage:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return load_stage(context, "dev").offline()


@pytest.fixture(scope="module")
def sim(stage: OfflineStage) -> Iterator[Simulator]:
    # Per module: only one embedded AWS may run at a time, and other tests start their own.
    with simulator(stage) as running:
        yield running


@pytest.fixture(scope="module")
def play(sim: Simulator) -> Any:
    """play(flow, keys, **setup) -> Report, read back while the embedded AWS runs."""

    def run(flow: str, keys: list[str] | tuple[str, ...] = (), **setup: Any) -> Report:
        seed = setup.pop("seed", next(_seeds))
        return sim.run(flow, CallSetup(keys=list(keys), seed=seed, **setup)).read_back()

    return run


def said(report: Report, text: str) -> int:
    """How many prompts contained `text`."""
    return sum(text in prompt for prompt in report.call.prompts)


def score_calls(report: Report) -> list[dict[str, Any]]:
    return [i for i in report.call.lambda_invocations if i["function"].endswith("-score")]


def finish_calls(report: Report) -> list[dict[str, Any]]:
    return [i for i in report.call.lambda_invocations if i["function"].endswith("-finish")]

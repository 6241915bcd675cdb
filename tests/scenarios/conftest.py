"""One embedded AWS for the scenario package, played through `simulator.simulate` as the CLI does.

Calls share the sandbox's results table and alert log, both keyed by contact id, and a call's
contact id comes from its seed: `play` gives every call a seed of its own, and a caller number of
its own (the sandbox keeps a cooldown per caller), unless the call sets one.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import load_stage
from connect_survey.simulator.simulate import CallSetup, Report, Simulator, simulator

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from connect_survey.flows.offline import OfflineStage

ROOT = PROJECT_ROOT


class Player:
    """Plays calls on the shared simulator, each with a fresh seed (so a fresh contact id)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self._seeds = itertools.count(1)

    def __call__(self, flow: str, keys: Sequence[str] = (), **setup: Any) -> Report:
        return self.run(flow, CallSetup(keys=list(keys), **setup))

    def run(self, flow: str, setup: CallSetup) -> Report:
        seed = next(self._seeds)
        if setup.caller_number == CallSetup.caller_number:
            setup = replace(setup, caller_number=f"+1555{seed:07d}")
        return self.sim.run(flow, replace(setup, seed=seed))


@pytest.fixture(scope="package")
def stage() -> OfflineStage:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    # The dev example also speaks ko-KR (its test cases need the Korean flows); the scenarios
    # play the six flows of one language.
    context["stages"]["dev"].pop("languages", None)
    return load_stage(context, "dev").offline


@pytest.fixture(scope="package")
def sim(stage: OfflineStage) -> Iterator[Simulator]:
    # Package scope: the embedded AWS stops before other packages start their own.
    with simulator(stage) as running:
        yield running


@pytest.fixture(scope="package")
def play(sim: Simulator) -> Player:
    return Player(sim)


@pytest.fixture(scope="package")
def texts(stage: OfflineStage) -> dict[str, str]:
    """What the dev stage's flows say, by prompt name (`thanks`, `apology`, `notRecorded`...)."""
    return stage.inputs.texts()


@pytest.fixture(scope="package")
def questions(stage: OfflineStage) -> list[str]:
    """The three statements, as asked."""
    return [question.prompt for question in stage.inputs.survey.questions]

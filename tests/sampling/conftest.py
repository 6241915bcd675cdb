"""Simulators for stages that differ only in their `sampling` settings.

Each test starts its own embedded AWS (the cooldown table starts empty), so this package never
shares the scenario package's sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import load_stage
from connect_survey.lambda_asset.survey.items import CooldownRecord
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy
from connect_survey.simulator.sandbox import COOLDOWN_TABLE_NAME, TABLE_NAME
from connect_survey.simulator.simulate import Simulator, simulator

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage

ROOT = PROJECT_ROOT

SimulatorFor = Callable[..., AbstractContextManager[Simulator]]


@pytest.fixture(scope="package")
def stage() -> OfflineStage:
    context: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    return load_stage(context, "dev").offline


@pytest.fixture
def simulator_for(stage: OfflineStage) -> SimulatorFor:
    """`with simulator_for(percent=30, cooldown_days=30): ...` plays calls on such a stage."""

    @contextmanager
    def start(**policy: Any) -> Iterator[Simulator]:
        inputs = replace(stage.inputs, sampling=SamplingPolicy(**policy))
        with simulator(replace(stage, inputs=inputs)) as running:
            yield running

    return start


def stored_items(sim: Simulator) -> list[dict[str, Any]]:
    """Every item of both tables, as stored (to check no phone number is kept)."""
    dynamodb = sim.sandbox.client("dynamodb")
    tables = (TABLE_NAME, COOLDOWN_TABLE_NAME)
    return [item for table in tables for item in dynamodb.scan(TableName=table)["Items"]]


def cooldown_records(sim: Simulator) -> list[CooldownRecord]:
    """Every cooldown record the handlers wrote."""
    items = sim.sandbox.client("dynamodb").scan(TableName=COOLDOWN_TABLE_NAME)["Items"]
    return [CooldownRecord.from_item(item) for item in items]

"""Simulator benchmark: every score combination through every survey mode, real handlers."""

from __future__ import annotations

import itertools
import json
import time
from typing import TYPE_CHECKING, Any

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import load_stage
from connect_survey.flows.catalog import ESCALATION_INBOUND, ON_DEMAND_INBOUND, OPT_IN_INBOUND
from connect_survey.lambda_asset.survey.contract import ELIGIBILITY_FUNCTION
from connect_survey.simulator.simulate import CallSetup, simulator

if TYPE_CHECKING:
    from collections.abc import Callable

# Inbound flow and the keys before the three scores: menu 1, then opt in where offered.
MODES = {ON_DEMAND_INBOUND: ["1"], OPT_IN_INBOUND: ["1", "1"], ESCALATION_INBOUND: ["1", "1"]}


def _timed(function: Callable[..., Any], spent: list[float]) -> Any:
    """The same function, adding the seconds each call takes to `spent`."""

    def call(*args: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent.append(time.perf_counter() - start)

    return call


def all_combinations() -> list[tuple[str, str, str, str, str]]:
    """375 calls; the engine's share is the time spent neither in handlers nor reading moto."""
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    stage = load_stage(context, "dev").offline
    outside_engine: list[float] = []
    invocations: list[int] = []
    per_call: list[int] = []
    with simulator(stage) as sim:
        sim.functions = {arn: _timed(fn, outside_engine) for arn, fn in sim.functions.items()}
        sandbox: Any = sim.sandbox
        sandbox.results = _timed(sandbox.results, outside_engine)
        sandbox.alerts = _timed(sandbox.alerts, outside_engine)
        sandbox.drain = _timed(sandbox.drain, outside_engine)  # the outbox, after each call
        sim.run(ON_DEMAND_INBOUND, CallSetup(keys=["1", "5", "5", "5"], seed=-1))  # warm imports
        outside_engine.clear()
        start = time.perf_counter()
        for seed, (flow, scores) in enumerate(
            itertools.product(MODES, itertools.product("12345", repeat=3))
        ):
            keys = [*MODES[flow], *scores, "2"]  # "2": decline the supervisor when offered
            # A caller of their own each time: the stage's cooldown would skip a repeat caller.
            setup = CallSetup(keys=keys, seed=seed, caller_number=f"+1555{seed:07d}")
            report = sim.run(flow, setup)
            survey_path = [
                invocation
                for invocation in report.call.lambda_invocations
                if not str(invocation["function"]).endswith(f"-{ELIGIBILITY_FUNCTION}")
            ]
            if len(report.results) != len(stage.inputs.survey.questions):
                raise RuntimeError(f"call {seed} ({flow}) did not complete its survey")
            invocations.append(len(survey_path))
            per_call.append(len(report.call.lambda_invocations))
        total = time.perf_counter() - start
    engine = total - sum(outside_engine)
    return [
        ("375 calls (125 score combinations x 3 modes), real handlers on moto",
         f"{total:.2f} s", "", "", "≤ 10 s"),
        ("share of that time spent in the flow engine itself",
         f"{engine / total * 100:.1f} %", "", "", "< 10 %"),
        ("synchronous Lambda invocations per completed 3-question survey",
         f"{max(invocations)}", "", "", "≤ 4"),
        ("... per call, with the inbound flow's one eligibility check",
         f"{max(per_call)}", "", "", ""),
    ]  # fmt: skip

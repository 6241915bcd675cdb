"""Simulator benchmark: every score combination through every survey mode, real handlers."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import load_stage
from connect_survey.flows.catalog import ESCALATION_INBOUND, ON_DEMAND_INBOUND, OPT_IN_INBOUND
from connect_survey.lambda_asset.survey.contract import ELIGIBILITY_FUNCTION
from connect_survey.simulator.simulate import CallSetup, simulator

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.flows.offline import OfflineStage

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


# One simulator per core, each in a forked process: moto's state is per process.
WORKERS_PER_CORE = 1


@dataclass
class _Played:
    """What one worker measured over its share of the calls."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0  # wall time on an idle core: what a busy machine cannot distort
    outside_engine: float = 0.0
    invocations: list[int] = field(default_factory=list)
    per_call: list[int] = field(default_factory=list)


def _calls() -> list[tuple[int, str, list[str]]]:
    """(seed, inbound flow, keys) of the 375 calls."""
    return [
        (seed, flow, [*MODES[flow], *scores, "2"])  # "2": decline the supervisor when offered
        for seed, (flow, scores) in enumerate(
            itertools.product(MODES, itertools.product("12345", repeat=3))
        )
    ]


def _stage() -> OfflineStage:
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text())["context"]
    return load_stage(context, "dev").offline


def _play(calls: list[tuple[int, str, list[str]]]) -> _Played:
    """Play `calls` on one simulator (its own embedded AWS), timing what is not the engine."""
    stage = _stage()
    outside_engine: list[float] = []
    played = _Played()
    start, cpu_start = time.perf_counter(), time.process_time()
    with simulator(stage) as sim:
        sim.functions = {arn: _timed(fn, outside_engine) for arn, fn in sim.functions.items()}
        sandbox: Any = sim.sandbox
        sandbox.results = _timed(sandbox.results, outside_engine)
        sandbox.alerts = _timed(sandbox.alerts, outside_engine)
        sandbox.drain = _timed(sandbox.drain, outside_engine)  # the outbox, after each call
        for seed, flow, keys in calls:
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
            played.invocations.append(len(survey_path))
            played.per_call.append(len(report.call.lambda_invocations))
    played.seconds = time.perf_counter() - start
    played.cpu_seconds = time.process_time() - cpu_start
    played.outside_engine = sum(outside_engine)
    return played


def cores() -> int:
    """The cores this process may run on (taskset and CPU quotas included)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def all_combinations() -> list[tuple[str, str, str, str, str]]:
    """375 calls, spread over one forked simulator per core; the engine's share is the time
    spent neither in handlers nor reading moto."""
    stage = _stage()
    with simulator(stage) as sim:  # warm imports once: the forked workers inherit them
        sim.run(ON_DEMAND_INBOUND, CallSetup(keys=["1", "5", "5", "5"], seed=-1))
    calls = _calls()
    workers = max(1, cores() * WORKERS_PER_CORE)
    shares = [calls[worker::workers] for worker in range(workers)]
    start = time.perf_counter()
    if workers == 1:
        results = [_play(calls)]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(_play, shares)
    total = time.perf_counter() - start
    engine = sum(r.seconds - r.outside_engine for r in results) / sum(r.seconds for r in results)
    invocations = [n for r in results for n in r.invocations]
    per_call = [n for r in results for n in r.per_call]
    return [
        (f"375 calls (125 score combinations x 3 modes), real handlers on moto, {workers} proc.",
         f"{total:.2f} s", "", "", "≤ 15 s"),
        ("... CPU time of the busiest process (its wall time on an idle core)",
         f"{max(r.cpu_seconds for r in results):.2f} s", "", "", "≤ 15 s"),
        ("share of that time spent in the flow engine itself",
         f"{engine * 100:.1f} %", "", "", "< 10 %"),
        ("synchronous Lambda invocations per completed 3-question survey",
         f"{max(invocations)}", "", "", "≤ 4"),
        ("... per call, with the inbound flow's one eligibility check",
         f"{max(per_call)}", "", "", ""),
    ]  # fmt: skip

"""Test-case benchmark: the project's cases offline, and one case against `simulate` of its call.

Both sides run in the same process on the same embedded AWS, interleaved, so the comparison is
the runner's own cost (parsing, matching, the caller's part) on top of the simulated call.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Final

from connect_survey import PROJECT_ROOT
from connect_survey.config.stage import load_stage
from connect_survey.simulator.simulate import CallSetup
from connect_survey.simulator.testing import case_runner
from connect_survey.test_cases.files import case_paths
from connect_survey.test_cases.results import Verdict

CASES: Final = PROJECT_ROOT / "testcases"
# A case and the `connect-survey simulate` call it plays: the survey flow, answers 5, 4, 3.
SAME_CALL: Final = ("on-demand-survey-answers", "on-demand-survey", ("5", "4", "3"))
ROUNDS: Final = 15


def test_case_benchmarks() -> list[tuple[str, str, str, str, str]]:
    context = json.loads((PROJECT_ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    stage = load_stage(context, "dev").offline
    paths = case_paths([CASES])
    started = time.perf_counter()
    with case_runner(stage) as runner:
        ready = time.perf_counter()
        verdicts = [runner.run(path).verdict for path in paths]
        done = time.perf_counter()
        all_cases, total = done - ready, done - started
        if any(verdict is not Verdict.PASS for verdict in verdicts):
            raise RuntimeError("a project test case does not pass: run connect-survey test")
        stem, flow, keys = SAME_CALL
        case_file = CASES / f"{stem}.json"
        as_case: list[float] = []
        as_call: list[float] = []
        for _ in range(ROUNDS):
            before = time.perf_counter()
            runner.run(case_file)
            as_case.append(time.perf_counter() - before)
            before = time.perf_counter()
            runner.simulator.run(flow, CallSetup(keys=keys))
            as_call.append(time.perf_counter() - before)
    case, call = statistics.median(as_case), statistics.median(as_call)
    return [
        (f"{len(paths)} project test cases offline, one process (with start-up)",
         f"{total:.2f} s", "", "", "≤ 30 s"),
        ("... seconds per case (after start-up)",
         f"{all_cases / len(paths):.3f} s", "", "", ""),
        (f"test case {stem} vs `simulate {flow} --keys {','.join(keys)}`, same process",
         f"{case:.3f} s", f"{call:.3f} s", f"{case / call:.2f}x", "≤ 1.5x"),
    ]  # fmt: skip

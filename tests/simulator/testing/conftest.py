"""One test runner (one embedded AWS) for every runner test of a module, as the CLI runs cases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.config.stage import load_stage
from connect_survey.simulator.testing import case_runner
from tests.test_cases.cases import write

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from connect_survey.simulator.testing import CaseRunner
    from connect_survey.test_cases.results import CaseResult


@pytest.fixture(scope="module")
def runner(context: dict[str, Any]) -> Iterator[CaseRunner]:
    with case_runner(load_stage(context, "dev").offline) as running:
        yield running


@pytest.fixture
def play(runner: CaseRunner, tmp_path: Path) -> Callable[[dict[str, Any]], CaseResult]:
    """Write the case to a file and run it."""

    def run(document: dict[str, Any]) -> CaseResult:
        return runner.run(write(tmp_path, "case", document))

    return run

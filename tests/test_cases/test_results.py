"""Verdicts read the same in both runtimes: the line, the exit status and JUnit XML."""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest

from connect_survey.test_cases.results import CaseResult, Verdict, exit_status, write_junit

if TYPE_CHECKING:
    from pathlib import Path

PASSED = CaseResult("happy path", Verdict.PASS, observations=4, milliseconds=120)
FAILED = CaseResult(
    "low score",
    Verdict.FAIL,
    observations=2,
    observation="offer",
    reason='expected prompt "press 1" never played; the call ended at action ask-effort',
)
REFUSED = CaseResult("bad", Verdict.REFUSED, reason="unknown event type 'Ring'")


def test_lines_are_the_documented_one_line_forms() -> None:
    assert PASSED.line() == "PASS happy path (4 observations, 120 ms)"
    assert FAILED.line() == (
        'FAIL low score: observation offer: expected prompt "press 1" never played; '
        "the call ended at action ask-effort"
    )
    assert REFUSED.line() == "REFUSED bad: unknown event type 'Ring'"


@pytest.mark.parametrize(
    ("results", "status"),
    [([PASSED], 0), ([PASSED, FAILED], 1), ([FAILED, REFUSED], 2), ([], 0)],
)
def test_exit_status_is_0_all_pass_1_a_failure_2_a_refusal(
    results: list[CaseResult], status: int
) -> None:
    assert exit_status(results) == status


def test_junit_counts_failures_and_errors_per_case(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([PASSED, FAILED, REFUSED], path, suite="connect-survey")
    suite = ElementTree.parse(path).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {case.get("name"): case for case in suite}
    assert cases["happy path"].find("failure") is None
    assert cases["low score"].find("failure").get("message") == FAILED.line()  # type: ignore[union-attr]
    assert cases["bad"].find("error") is not None

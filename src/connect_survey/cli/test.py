"""`connect-survey test`: run Amazon Connect test-case files offline, one verdict line per case.

Exit status 0 when every case passes, 1 on any failure, 2 when a case is refused (outside the
documented Testing language) or the command is misused. A refused case is a verdict like the
others, so every case still gets its line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_survey.cli.common import UsageError, stage_from, stage_options
from connect_survey.simulator.testing import run_cases
from connect_survey.test_cases.files import CaseFileError, case_paths
from connect_survey.test_cases.results import exit_status, write_junit

if TYPE_CHECKING:
    import argparse

    from connect_survey.test_cases.results import CaseResult

JUNIT_SUITE = "connect-survey test"


def test_command(args: argparse.Namespace) -> int:
    stage = stage_from(args)
    try:
        paths = case_paths(args.paths)
    except CaseFileError as error:
        raise UsageError(str(error)) from None
    if not paths:
        raise UsageError(
            f"no test cases (*.json) in {', '.join(args.paths)}; give case files or folders"
        )
    results: list[CaseResult] = []
    for result in run_cases(stage, paths):
        results.append(result)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(result.line(), flush=True)
            for entry in result.logged:
                print(f"  LogData {entry['observation']}: {entry['label']} = {_shown(entry)}")
    if args.junit:
        write_junit(results, args.junit, suite=JUNIT_SUITE)
    if not args.json and len(results) > 1:
        print(_summary(results), file=sys.stderr)
    return exit_status(results)


def _shown(entry: dict[str, Any]) -> str:
    value = entry["value"]
    return "(not set)" if value is None else json.dumps(value, ensure_ascii=False)


def _summary(results: list[CaseResult]) -> str:
    counts = {verdict: 0 for verdict in ("PASS", "FAIL", "REFUSED")}
    for result in results:
        counts[str(result.verdict)] += 1
    seconds = sum(result.milliseconds for result in results) / 1000
    return (
        f"{len(results)} cases: {counts['PASS']} passed, {counts['FAIL']} failed, "
        f"{counts['REFUSED']} refused ({seconds:.1f} s)"
    )


def add_test(commands: Any) -> None:
    test = commands.add_parser(
        "test",
        help="run Amazon Connect test cases (testcases/*.json) offline on the stage's flows",
    )
    test.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="a test-case file, or a folder whose *.json files are test cases",
    )  # fmt: skip
    stage_options(test)
    test.add_argument(
        "--junit", type=Path, metavar="FILE",
        help="also write the verdicts as JUnit XML (CodeBuild reports, GitHub checks)",
    )  # fmt: skip
    test.add_argument(
        "--json", action="store_true",
        help="one JSON object per case (with the transcript) instead of a line",
    )  # fmt: skip
    test.set_defaults(command=test_command)

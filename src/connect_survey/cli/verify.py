"""`connect-survey verify`: check a deployed stage (needs the stage's credentials); with
`--live-tests`, also run its deployed test cases on the instance."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from connect_survey.cli.arguments import case_timeout, report_file
from connect_survey.cli.common import PROG, UsageError, plural, stage_options
from connect_survey.config.stage import load_stage, read_context
from connect_survey.test_cases.files import CASES_FOLDER, CaseError, CaseFile, load_cases
from connect_survey.test_cases.live import DEFAULT_CASE_TIMEOUT_SECONDS
from connect_survey.test_cases.results import CaseResult, write_junit
from connect_survey.verify import Clients, describe_error, verify_stage
from connect_survey.verify.live_tests import LiveRunner

if TYPE_CHECKING:
    import argparse

    from connect_survey.config.stage import StageConfig


def verify_command(args: argparse.Namespace) -> int:
    if not args.live_tests and (args.junit or args.live_test_timeout):
        raise UsageError("--junit and --live-test-timeout go with --live-tests")
    config = load_stage(read_context(Path(args.config)), args.stage)
    cases = _live_cases(args, config) if args.live_tests else None
    try:
        clients = Clients.for_stage(config, args.role_arn)
    except (BotoCoreError, ClientError) as error:
        print(f"FAIL  credentials: cannot assume {args.role_arn}: {describe_error(error)}")
        return 1
    checks = verify_stage(config, clients)
    for check in checks:
        print(check)
    failed = sum(not check.passed for check in checks)
    live_failed = 0
    if args.live_tests and cases is None:
        print(
            f"SKIP  live tests: stages.{config.offline.name}.liveTests is false, so no test "
            "cases are deployed"
        )
    elif cases is not None:
        results = _run_live(args, config, clients, cases)
        live_failed = sum(not result.passed for result in results)
    print(f"verify {config.offline.name}: {len(checks)} checks, {failed} failed")
    return 1 if failed or live_failed else 0


def _live_cases(args: argparse.Namespace, config: StageConfig) -> list[CaseFile] | None:
    """The cases the stage deploys (testcases/ beside cdk.json); None when it deploys none."""
    if not config.settings.live_tests:
        return None
    folder = Path(args.config).parent / CASES_FOLDER
    try:
        cases = load_cases([folder]) if folder.is_dir() else []
    except CaseError as error:
        raise UsageError(f"{error} (the stage deploys every case of {folder})") from None
    if not cases:
        raise UsageError(f"{folder} holds no test cases (*.json), so none is deployed to run")
    return cases


def _run_live(
    args: argparse.Namespace, config: StageConfig, clients: Clients, cases: list[CaseFile]
) -> list[CaseResult]:
    stage = config.offline
    runner = LiveRunner(
        connect=clients.connect,
        instance_arn=stage.instance_arn,
        name_prefix=stage.name_prefix,
        stage=stage.name,
        case_timeout=args.live_test_timeout or DEFAULT_CASE_TIMEOUT_SECONDS,
        out=functools.partial(print, flush=True),  # CI logs show progress as it happens
        clock=clients.clock,
        sleep=clients.sleep,
    )
    started = clients.clock()
    results = runner.run(cases)
    failed = sum(not result.passed for result in results)
    skipped = f", {len(runner.skipped)} skipped" if runner.skipped else ""
    print(
        f"live tests {stage.name}: {plural(len(results), 'case')}, {failed} failed{skipped} "
        f"({clients.clock() - started:.0f} s)"
    )
    if args.junit:
        try:
            write_junit(results, args.junit, suite=f"{PROG}.{stage.name}")
        except OSError as error:
            raise UsageError(f"cannot write {args.junit}: {error.strerror}") from None
    return results


def add_verify(commands: Any) -> None:
    """Register `verify` on the CLI's sub-command parsers."""
    verify = commands.add_parser(
        "verify",
        help="check a deployed stage: flows, functions, integrations, table, topic; with "
        "--live-tests, run its test cases on the instance",
    )
    stage_options(verify)
    verify.add_argument("--role-arn", default=None, help="assume this role in the stage's account")
    verify.add_argument(
        "--live-tests",
        action="store_true",
        help=f"also run the stage's deployed test cases ({CASES_FOLDER}/*.json) on the instance, "
        "5 at a time (a stage with liveTests off deploys none: skipped)",
    )
    verify.add_argument(
        "--live-test-timeout",
        type=case_timeout,
        default=None,
        metavar="SECONDS",
        help=f"stop and fail a live case still running after SECONDS "
        f"(default: {DEFAULT_CASE_TIMEOUT_SECONDS})",
    )
    verify.add_argument(
        "--junit", type=report_file, default=None, metavar="FILE", help="write the live results "
        "as JUnit XML (CodeBuild and GitHub show it)",
    )  # fmt: skip
    verify.set_defaults(command=verify_command)

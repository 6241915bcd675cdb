"""`connect-survey verify`: check a deployed stage (needs the stage's credentials)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from connect_survey.cli.common import stage_options
from connect_survey.config.stage import load_stage, read_context
from connect_survey.verify import Clients, describe_error, verify_stage

if TYPE_CHECKING:
    import argparse


def verify_command(args: argparse.Namespace) -> int:
    config = load_stage(read_context(Path(args.config)), args.stage)
    try:
        clients = Clients.for_stage(config, args.role_arn)
    except (BotoCoreError, ClientError) as error:
        print(f"FAIL  credentials: cannot assume {args.role_arn}: {describe_error(error)}")
        return 1
    checks = verify_stage(config, clients)
    for check in checks:
        print(check)
    failed = sum(not check.passed for check in checks)
    print(f"verify {config.offline.name}: {len(checks)} checks, {failed} failed")
    return 1 if failed else 0


def add_verify(commands: Any) -> None:
    """Register `verify` on the CLI's sub-command parsers."""
    verify = commands.add_parser(
        "verify", help="check a deployed stage: flows, functions, integrations, table, topic"
    )
    stage_options(verify)
    verify.add_argument("--role-arn", default=None, help="assume this role in the stage's account")
    verify.set_defaults(command=verify_command)

"""The CloudFormation execution policy a stage account is bootstrapped with, instead of
AdministratorAccess: the services the survey stacks use, and IAM for roles only.

`bootstrap/execution-policy.json` is the document (a customer managed policy, created once per
stage account); `make bootstrap-policy` prints it, `make bootstrap STAGE=…` passes its ARN to
`cdk bootstrap --cloudformation-execution-policies`. docs/security.md says what it does and does
not bound.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, Final

from connect_survey import PROJECT_ROOT
from connect_survey.config.errors import ConfigError
from connect_survey.config.stage import load_stage, read_context

if TYPE_CHECKING:
    from collections.abc import Sequence

    from connect_survey.config.stage import StageConfig

EXECUTION_POLICY_FILE: Final = PROJECT_ROOT / "bootstrap" / "execution-policy.json"
EXECUTION_POLICY_NAME: Final = "connect-survey-cfn-exec"
# IAM's limit for a managed policy document, whitespace not counted.
MANAGED_POLICY_MAX_CHARS: Final = 6144


def execution_policy() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXECUTION_POLICY_FILE.read_text(encoding="utf-8"))
    return document


def execution_policy_arn(config: StageConfig) -> str:
    """Where `make bootstrap` expects the policy: in the stage's account, under its fixed name."""
    offline = config.offline
    return f"arn:{offline.partition}:iam::{offline.account}:policy/{EXECUTION_POLICY_NAME}"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the execution policy's ARN for a stage of cdk.json (the Makefile's helper)."""
    parser = argparse.ArgumentParser(
        prog="python -m connect_survey.infra.bootstrap",
        description="The ARN of the stage's CloudFormation execution policy.",
    )
    parser.add_argument("--stage", required=True, help="a stage of cdk.json")
    arguments = parser.parse_args(argv)
    try:
        config = load_stage(read_context(PROJECT_ROOT / "cdk.json"), arguments.stage)
    except ConfigError as error:
        print(f"connect-survey: {error}", file=sys.stderr)
        return 2
    print(execution_policy_arn(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())

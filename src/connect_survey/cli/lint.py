"""`connect-survey lint`: check Flow Language files, or the stage's flows as rendered."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_survey.cli.arguments import flow_target
from connect_survey.cli.common import (
    FLOW_KEYS_HELP,
    plural,
    require_flow_key,
    stage_from,
    stage_options,
)
from connect_survey.flow_language.lint import lint
from connect_survey.flows.render import to_content

if TYPE_CHECKING:
    import argparse

    from connect_survey.flows.offline import OfflineStage


def lint_command(args: argparse.Namespace) -> int:
    errors = warnings = 0
    stage: OfflineStage | None = None  # loaded for the first flow key: files need no cdk.json
    for target in args.targets:
        if not Path(target).is_file():
            stage = stage or stage_from(args)
            document = stage.render(require_flow_key(stage, target))
            content = to_content(document)
        else:
            content = Path(target).read_text(encoding="utf-8", errors="replace")
            try:
                document = json.loads(content)
            except ValueError as error:
                print(f"{target}: (flow): json: not valid JSON: {error}")
                errors += 1
                continue
        for finding in lint(document, target, content=content):
            print(f"{finding} [{finding.severity}]")
            errors += finding.severity == "error"
            warnings += finding.severity != "error"
    summary = (
        f"{plural(len(args.targets), 'flow')}, {plural(errors, 'error')}, "
        f"{plural(warnings, 'warning')}"
    )
    # Findings alone on stdout when there are errors, so scripts can read them line by line.
    print(summary, file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0


def add_lint(commands: Any) -> None:
    check = commands.add_parser("lint", help="check Flow Language documents")
    check.add_argument(
        "targets", nargs="+", type=flow_target, metavar="PATH_OR_KEY",
        help="Flow Language JSON files, or flow keys of the stage to lint as rendered for it "
        f"({FLOW_KEYS_HELP})",
    )  # fmt: skip
    stage_options(check)
    check.set_defaults(command=lint_command)

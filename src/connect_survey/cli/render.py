"""`connect-survey render`: print a rendered flow for the console's import."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from connect_survey.cli.common import FLOW_KEYS_HELP, require_flow_key, stage_from, stage_options
from connect_survey.flows.render import to_content

if TYPE_CHECKING:
    import argparse


def render_command(args: argparse.Namespace) -> int:
    stage = stage_from(args)
    require_flow_key(stage, args.key, file_too=False)
    print(to_content(stage.render(args.key)))
    # The flow goes to stdout for the console's import; what to re-pick there goes to stderr.
    for value, fix in stage.stand_ins(args.key).items():
        print(f"stand-in {value}: {fix}", file=sys.stderr)
    return 0


def add_render(commands: Any) -> None:
    show = commands.add_parser("render", help="print a rendered flow for the console's import")
    show.add_argument("key", help=f"the flow to render: a flow key of the stage ({FLOW_KEYS_HELP})")
    stage_options(show)
    show.set_defaults(command=render_command)

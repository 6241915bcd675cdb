"""`connect-survey`: simulate, lint and render the project's flows offline.

Like app.py this is an entry point: it reads the stage from cdk.json (stacks.config, which needs
no CDK) and hands plain values to the pure-Python engine in flows/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.catalog import FLOW_KEYS
from flows.engine import FlowError, format_transcript
from flows.lint import lint
from flows.render import RenderError, to_content
from flows.simulate import CallSetup, StubError, simulate
from reports import command as report_commands
from stacks.config import ConfigError, load_stage

if TYPE_CHECKING:
    from collections.abc import Sequence

    from flows.offline import OfflineStage

CDK_JSON = Path("cdk.json")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.command(args)
    except (ConfigError, RenderError, StubError, FlowError, FileNotFoundError) as error:
        print(f"connect-survey: {error}", file=sys.stderr)
        return 2
    return code


def simulate_command(args: argparse.Namespace) -> int:
    setup = CallSetup(
        keys=[k.strip() for k in args.keys.split(",") if k.strip()] if args.keys else [],
        attributes=dict(_pair(a, "--attr") for a in args.attr),
        queues_at_capacity=args.queue_at_capacity,
        hours_open=args.hours == "open",
        stubs=args.lambda_stub,
        seed=args.seed,
        failing_actions=args.fail_action,
    )
    report = simulate(_stage(args), args.flow, setup)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_transcript(report.call))
        for alert in report.alerts:
            print(f"ALERT via {alert['channel']}")
        for result in report.results:
            print(f"STORED {result['attribute']} = {result['score']}")
    return 0


def lint_command(args: argparse.Namespace) -> int:
    errors = 0
    for target in args.targets:
        if target in FLOW_KEYS:
            document = _stage(args).render(target)
            content = to_content(document)
        else:
            content = Path(target).read_text(encoding="utf-8")
            try:
                document = json.loads(content)
            except ValueError as error:
                print(f"{target}: (flow): json: not valid JSON: {error}")
                errors += 1
                continue
        for finding in lint(document, target, content=content):
            print(f"{finding} [{finding.severity}]")
            errors += finding.severity == "error"
    return 1 if errors else 0


def render_command(args: argparse.Namespace) -> int:
    print(to_content(_stage(args).render(args.key)))
    return 0


def _stage(args: argparse.Namespace) -> OfflineStage:
    path = Path(args.config)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run from the project folder or pass --config")
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["context"]
    return load_stage(context, args.stage).offline()


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{option} {text!r}: write NAME=VALUE")
    return name, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-survey", description="Play, lint and render the survey flows offline."
    )
    commands = parser.add_subparsers(required=True)

    def stage_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--stage", default=None, help="stage in cdk.json (default: dev)")
        command.add_argument("--config", default=str(CDK_JSON), help="path to cdk.json")

    sim = commands.add_parser("simulate", help="play a call through a flow with the real handlers")
    sim.add_argument("flow", help=f"a flow key ({', '.join(FLOW_KEYS)}) or a Flow Language file")
    stage_options(sim)
    sim.add_argument("--keys", help="what the caller does at each input: 5,42#,timeout,hangup")
    sim.add_argument("--attr", action="append", default=[], help="NAME=VALUE contact attribute")
    sim.add_argument(
        "--queue-at-capacity", action="append", default=[], metavar="QUEUE",
        help="logical queue name whose transfers fail with QueueAtCapacity",
    )  # fmt: skip
    sim.add_argument("--hours", choices=("open", "closed"), default="open")
    sim.add_argument(
        "--lambda-stub", action="append", default=[], metavar="PATTERN=RESPONSE",
        help="Lambdas whose ARN contains PATTERN answer RESPONSE (JSON), !error or !timeout",
    )  # fmt: skip
    sim.add_argument(
        "--fail-action", action="append", default=[], metavar="ACTION_ID",
        help="make this action take its NoMatchingError branch, as on a Connect platform error",
    )  # fmt: skip
    sim.add_argument("--seed", type=int, default=0)
    sim.add_argument("--json", action="store_true", help="one JSON object instead of a transcript")
    sim.set_defaults(command=simulate_command)

    check = commands.add_parser("lint", help="check Flow Language documents")
    check.add_argument("targets", nargs="+", metavar="PATH_OR_KEY")
    stage_options(check)
    check.set_defaults(command=lint_command)

    show = commands.add_parser("render", help="print a rendered flow for the console's import")
    show.add_argument("key", choices=FLOW_KEYS)
    stage_options(show)
    show.set_defaults(command=render_command)

    report_commands.register(commands, stage_options, lambda args: _stage(args).inputs.survey)
    return parser


if __name__ == "__main__":
    sys.exit(main())

"""`connect-survey`: simulate, lint and render the project's flows offline.

Like app.py this is an entry point: it reads the stage from cdk.json (config.stage, which needs
no CDK) and hands plain values to the pure-Python engine in flows/.

A user mistake is one line on stderr, never a traceback: argument values are checked by `type=`
callables raising `ArgumentTypeError`; what needs the stage (queue names, action ids) raises
`UsageError`; each package's error base is caught once, in `main`. Exit status 2 is a usage
mistake, 1 a failed check (as click does).

Adding a sub-command: write its code in its own module with an `add_<name>(commands)` function
like `add_lint` below, append that function to `COMMANDS`, and, if the module has its own error
base, add it to `USER_ERRORS`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from connect_survey.config.stage import ConfigError, load_stage, read_context
from connect_survey.flow_language.engine import (
    CallerScript,
    FlowError,
    ScriptError,
    UnknownFunctionError,
    format_transcript,
)
from connect_survey.flow_language.lint import lint
from connect_survey.flow_language.spec import E164
from connect_survey.flows.catalog import FLOW_KEYS, OPT_IN_SURVEY, language_key
from connect_survey.flows.render import RenderError, to_content
from connect_survey.reports import command as reports
from connect_survey.reports.records import write_simulated_record
from connect_survey.simulator.sandbox import FAILABLE_SERVICES
from connect_survey.simulator.simulate import (
    DEFAULT_CALLER_NUMBER,
    STUB_ERROR,
    STUB_TIMEOUT,
    WITHHELD,
    CallSetup,
    StubError,
    parse_stubs,
    simulate,
)
from connect_survey.verify import add_verify

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from connect_survey.flows.offline import OfflineStage

CDK_JSON = Path("cdk.json")
PROG = "connect-survey"
KEYS_EXAMPLE = "--keys 1,5,42#,timeout,hangup"
# The flows a stage deploys depend on its languages: help states the rule, errors list the
# chosen stage's keys (OfflineStage.flow_keys).
FLOW_KEYS_HELP = (
    f"{', '.join(FLOW_KEYS)}, and for each further language the stage lists the same keys "
    f"ending in -LANGUAGE, e.g. {language_key(OPT_IN_SURVEY, 'ko-KR')}"
)


class UsageError(Exception):
    """Raised when an argument is well-formed but names nothing the stage has."""


# Every error a user can cause, by package base: one line on stderr and exit status 2.
USER_ERRORS: tuple[type[Exception], ...] = (UsageError, ConfigError, FlowError, RenderError)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as stop:  # --help, or a mistake argparse has already reported
        return stop.code if isinstance(stop.code, int) else 2
    try:
        code: int = args.command(args)
    except USER_ERRORS as error:
        print(f"{PROG}: {_explained(error)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `connect-survey simulate ... | head`: the reader has gone
        _silence_stdout()
        return 1
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


# --- simulate --------------------------------------------------------------------------------


def simulate_command(args: argparse.Namespace) -> int:
    stage = _stage(args)
    if not Path(args.flow).is_file():
        _require_flow_key(stage, args.flow)
    _require_known(args.queue_at_capacity, stage.queues, "--queue-at-capacity", "queue")
    if args.fail_action:  # rendering every flow of the stage only to check the ids given
        _require_known(
            args.fail_action, _action_ids(stage, args.flow), "--fail-action", "action id"
        )
    setup = CallSetup(
        keys=args.keys,
        attributes=dict(args.attr),
        queues_at_capacity=args.queue_at_capacity,
        hours_open=args.hours == "open",
        stubs=args.lambda_stub,
        seed=args.seed,
        failing_actions=args.fail_action,
        failing_services=dict(args.fail_service),
        hangs_up_first=args.hangs_up_first,
        supervisors_available=args.supervisors_available,
        caller_number=args.caller_number,
        caller_surveyed_days_ago=args.caller_surveyed_days_ago,
        # A language the stage lists arrives as the contact's $.LanguageCode: the default
        # inbound flow hands the call to that language's flows, as in Connect.
        **({"language_code": args.language} if args.language else {}),
    )
    report = simulate(stage, args.flow, setup)
    if args.ctr_out:
        queues = [t["queue"] for t in report.call.transfers if "queue" in t]
        write_simulated_record(
            args.ctr_out,
            contact_id=report.call.contact.contact_id,
            initial_contact_id=report.call.contact.initial_contact_id,
            instance_arn=stage.instance_arn,
            account=stage.account,
            attributes=report.call.attributes,
            queue=queues[0] if queues else None,
            disconnect_reason="AGENT_DISCONNECT" if queues else "CUSTOMER_DISCONNECT",
        )
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_transcript(report.call))
        for alert in report.alerts:
            print(f"ALERT via {alert['channel']}")
        for result in report.results:
            print(f"STORED {result['attribute']} = {result['score']}")
        if report.survey_status is not None:
            print(f"STORED survey status {report.survey_status}")
    return 0


def add_simulate(commands: Any) -> None:
    sim = commands.add_parser("simulate", help="play a call through a flow with the real handlers")
    sim.add_argument(
        "flow",
        type=flow_to_play,
        help=f"a flow key of the stage ({FLOW_KEYS_HELP}) or a Flow Language JSON file",
    )
    stage_options(sim)
    sim.add_argument(
        "--keys", type=caller_entries, default=[],
        help="what the caller does at each input, comma-separated: keys (0-9, *, #), timeout "
        "or hangup, e.g. 1,5,42#,timeout,hangup",
    )  # fmt: skip
    sim.add_argument(
        "--attr", action="append", type=attribute, default=[], metavar="NAME=VALUE",
        help="a contact attribute the call starts with (repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--queue-at-capacity", action="append", default=[], metavar="QUEUE",
        help="logical queue name (from the stage's queues) whose transfers fail with "
        "QueueAtCapacity (repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--hours", choices=("open", "closed"), default="open",
        help="what CheckHoursOfOperation finds (default: open)",
    )  # fmt: skip
    sim.add_argument(
        "--lambda-stub", action="append", type=lambda_stub, default=[],
        metavar="PATTERN=RESPONSE",
        help=f"Lambdas whose ARN contains PATTERN answer RESPONSE (a JSON object), {STUB_ERROR} "
        f"or {STUB_TIMEOUT} (repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--fail-action", action="append", default=[], metavar="ACTION_ID",
        help="make this action take its NoMatchingError branch, as on a Connect platform error "
        "(repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--fail-service", action="append", type=failing_service, default=[],
        metavar="SERVICE[=N]",
        help="make the handlers' next N calls (default 1) to sns, events or dynamodb fail, to "
        "watch the outbox retry (repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--hangs-up-first", choices=("agent", "caller"), default="agent",
        help="who ends each conversation with an agent or supervisor; with caller, the "
        "disconnect flow runs with nobody on the line (default: agent)",
    )  # fmt: skip
    sim.add_argument(
        "--supervisors-available", type=agent_count, default=1, metavar="N",
        help="agents available on the supervisor queue, as CheckMetricData sees it (default: 1)",
    )  # fmt: skip
    sim.add_argument(
        "--caller-number", type=caller_number, default=DEFAULT_CALLER_NUMBER,
        metavar="E164|withheld",
        help=f"the caller's number, the callback number (default: {DEFAULT_CALLER_NUMBER})",
    )  # fmt: skip
    sim.add_argument(
        "--seed", type=whole_number, default=0,
        help="seed of the call's randomness: contact id, percentage splits, survey sampling "
        "(default: 0)",
    )  # fmt: skip
    sim.add_argument(
        "--language", default=None, metavar="BCP47",
        help="the caller's language: one the stage lists arrives as the contact's $.LanguageCode "
        "(the inbound flow hands the call to its flows); any other plays the stage as if its "
        "`language` setting were this one (en-US, ko-KR)",
    )  # fmt: skip
    sim.add_argument(
        "--caller-surveyed-days-ago", type=whole_number, default=None, metavar="N",
        help="the caller answered a survey N days ago (checked against sampling.cooldownDays)",
    )  # fmt: skip
    sim.add_argument("--json", action="store_true", help="one JSON object instead of a transcript")
    sim.add_argument(
        "--ctr-out", type=Path, metavar="DIR",
        help="also write the call's contact record (CTR) there, for connect-survey report",
    )  # fmt: skip
    sim.set_defaults(command=simulate_command)


# --- lint ------------------------------------------------------------------------------------


def lint_command(args: argparse.Namespace) -> int:
    errors = warnings = 0
    stage: OfflineStage | None = None  # loaded for the first flow key: files need no cdk.json
    for target in args.targets:
        if not Path(target).is_file():
            stage = stage or _stage(args)
            document = stage.render(_require_flow_key(stage, target))
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
        f"{_count(len(args.targets), 'flow')}, {_count(errors, 'error')}, "
        f"{_count(warnings, 'warning')}"
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


# --- render ----------------------------------------------------------------------------------


def render_command(args: argparse.Namespace) -> int:
    stage = _stage(args)
    _require_flow_key(stage, args.key, file_too=False)
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


def add_reports(commands: Any) -> None:
    """`report` and `generate-ctrs`; their code lives in reports/command.py."""
    reports.register(commands, stage_options, lambda args: _stage(args).inputs.survey)


COMMANDS: tuple[Callable[[Any], None], ...] = (
    add_simulate,
    add_lint,
    add_render,
    add_verify,
    add_reports,
)


# --- argument types: each raises ArgumentTypeError with the fix ------------------------------


def caller_entries(text: str) -> list[str]:
    """`--keys`: comma-separated caller entries, each checked as the engine reads it."""
    entries = [entry.strip() for entry in text.split(",") if entry.strip()]
    for entry in entries:
        try:
            CallerScript([entry])
        except ScriptError:
            fix = (
                f"separate entries with commas: --keys {','.join(entry.replace(';', ' ').split())}"
                if any(sep in entry for sep in "; ")
                else f"write e.g. {KEYS_EXAMPLE}"
            )
            raise argparse.ArgumentTypeError(
                f"{entry!r} is not keys (0-9, *, #), timeout or hangup; {fix}"
            ) from None
    return entries


def caller_number(text: str) -> str:
    """`--caller-number`: an E.164 number or `withheld`."""
    if text == WITHHELD or E164.match(text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: give an E.164 number (+15555550100) or {WITHHELD}")


def agent_count(text: str) -> int:
    """`--supervisors-available`: a whole number, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number, 0 or more")
    return int(text)


def attribute(text: str) -> tuple[str, str]:
    """`--attr`: NAME=VALUE."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE; write e.g. --attr Lang=en")
    return name.strip(), value


def failing_service(text: str) -> tuple[str, int]:
    """`sns`, `events=3`...: a service of the embedded AWS and how many calls to fail."""
    service, sep, count = text.partition("=")
    if service not in FAILABLE_SERVICES:
        known = ", ".join(FAILABLE_SERVICES)
        raise argparse.ArgumentTypeError(f"{service!r} is not a service; use one of: {known}")
    if sep and not (count.isdecimal() and int(count) >= 1):
        raise argparse.ArgumentTypeError(f"{text!r}: N must be a whole number >= 1 (sns=2)")
    return service, int(count) if sep else 1


def lambda_stub(text: str) -> str:
    """`--lambda-stub`: PATTERN=RESPONSE, checked as the simulator reads it."""
    try:
        parse_stubs([text])
    except StubError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def whole_number(text: str) -> int:
    if not text.strip().lstrip("-").isdecimal():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number; write e.g. 7")
    return int(text)


def flow_target(text: str) -> str:
    """A file, or what the command checks against the stage's flow keys (lint reports a file
    that is not JSON as a finding)."""
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a directory; pass Flow Language JSON files (e.g. {text.rstrip('/')}/"
            "*.json) or flow keys of the stage"
        )
    return text


def flow_to_play(text: str) -> str:
    """A file holding a JSON object (a call cannot play anything else), or what the command
    checks against the stage's flow keys."""
    if not Path(flow_target(text)).is_file():
        return text
    try:
        document = json.loads(Path(text).read_text(encoding="utf-8", errors="replace"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Flow Language document: not valid JSON ({error}); pass a flow "
            "key of the stage or a JSON file (`connect-survey lint` shows what is wrong)"
        ) from None
    if not isinstance(document, dict):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Flow Language document: it must be a JSON object with Actions"
        )
    return text


# --- shared ----------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line (no usage block) and exits 2."""

    def error(self, message: str) -> NoReturn:
        option, sep, rest = message.partition(": ")
        # "argument --keys: --keys '5x'..." says the option once.
        if sep and option.startswith("argument ") and rest.startswith(option[9:].split("/")[0]):
            message = rest
        self.exit(2, f"{PROG}: {message} (see {self.prog} --help)\n")


def stage_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--stage", default=None, help="stage in cdk.json (default: dev)")
    command.add_argument("--config", default=str(CDK_JSON), help="path to cdk.json")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Play, lint and render the survey flows offline.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(commands)
    return parser


def _stage(args: argparse.Namespace) -> OfflineStage:
    path = Path(args.config)
    if not path.is_file():
        raise UsageError(f"{path} not found: run from the project folder or pass --config")
    context = read_context(path)
    stage = load_stage(context, args.stage).offline
    spoken = getattr(args, "language", None)
    if spoken and spoken not in stage.languages:
        # A language the stage does not list: play the stage as if cdk.json said
        # `"language": ...` for it. (A listed one is the contact's language code: simulate.)
        stages, name = context["stages"], stage.name
        context = {**context, "stages": {**stages, name: {**stages[name], "language": spoken}}}
        stage = load_stage(context, args.stage).offline
    return stage


def _action_ids(stage: OfflineStage, flow: str) -> set[str]:
    """Every action id a call may reach: the project's flows and the flow file played."""
    documents = [stage.render(key) for key in stage.flow_keys]
    if flow not in stage.flow_keys:
        documents.append(json.loads(Path(flow).read_text(encoding="utf-8")))
    return {
        action["Identifier"]
        for document in documents
        for action in document.get("Actions", [])
        if isinstance(action, dict) and isinstance(action.get("Identifier"), str)
    }


def _require_flow_key(stage: OfflineStage, text: str, *, file_too: bool = True) -> str:
    """`text` if the stage deploys a flow of that key; else a UsageError listing its keys."""
    if text not in stage.flow_keys:
        keys = ", ".join(stage.flow_keys)
        if file_too:
            raise UsageError(
                f"{text!r} is neither a flow key of stage {stage.name} ({keys}) nor a file"
            )
        raise UsageError(f"{text!r} is not a flow key of stage {stage.name}; choose one of {keys}")
    return text


def _require_known(names: Sequence[str], known: Any, option: str, what: str) -> None:
    for name in names:
        if name not in known:
            raise UsageError(f"{option} {name!r}: unknown {what}; choose one of {_listed(known)}")


def _listed(names: Any) -> str:
    return ", ".join(sorted(names))


def _explained(error: Exception) -> str:
    if isinstance(error, UnknownFunctionError):
        return (
            f"{error}; it is none of the project's handlers: stub it with --lambda-stub "
            "PATTERN=RESPONSE"
        )
    return str(error)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())

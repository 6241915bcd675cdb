"""`connect-survey simulate`: play a call through the stage's flows with the real handlers."""

from __future__ import annotations

import json
import shlex
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from connect_survey.cli.arguments import (
    agent_count,
    attribute,
    caller_entries,
    caller_number,
    failing_service,
    flow_to_play,
    lambda_stub,
    whole_number,
)
from connect_survey.cli.common import (
    FLOW_KEYS_HELP,
    PROG,
    USER_ERRORS,
    Parser,
    UsageError,
    explained,
    plural,
    require_flow_key,
    require_known,
    stage_from,
    stage_options,
)
from connect_survey.flow_language.engine import format_transcript
from connect_survey.reports.records import write_simulated_record
from connect_survey.simulator.sandbox import FAULT_FAILURE, FAULT_REDELIVERY
from connect_survey.simulator.simulate import (
    DEFAULT_CALLER_NUMBER,
    STUB_ERROR,
    STUB_TIMEOUT,
    CallSetup,
    Simulator,
    simulate,
    simulator,
)
from connect_survey.simulator.testing.record import RecordError, record_case

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping

    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import Report

STDIN = "-"  # --calls - reads the calls from standard input
# What a bad line of a --calls file raises: a user error, or shlex's ValueError (open quote).
LINE_ERRORS: tuple[type[Exception], ...] = (ValueError, *USER_ERRORS)


def simulate_command(args: argparse.Namespace) -> int:
    if args.calls is not None:
        return simulate_calls(args)
    if args.flow is None:
        raise UsageError("name the flow to play, or give --calls FILE")
    stage, setup = prepare(args)
    report = play(args, stage, setup)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_transcript(report.call))
        for fault in report.faults:
            print(fault_line(fault))
        for alert in report.alerts:
            # Sent by the sweeper, after the stream's retries gave up: when, in schedule time.
            late = next((s["after_seconds"] for s in report.sweeps if alert in s["alerts"]), None)
            print(f"ALERT via {alert['channel']}" + (f" (swept {late:g} s later)" if late else ""))
            if alert["channel"] == "task":
                print(format_task(alert))
        for result in report.results:
            print(f"STORED {result['attribute']} = {result['score']}")
        if report.survey_status is not None:
            print(f"STORED survey status {report.survey_status}")
    return 0


def fault_line(fault: dict[str, Any]) -> str:
    """One line of the transcript for what the outbox went through (Sandbox.faults)."""
    records = plural(len(fault.get("records", [])), "record")  # --json lists their numbers
    if fault["event"] == FAULT_FAILURE:
        return (
            f"FAILED {fault['service']} {fault['operation']} in {fault['function']}: "
            f"{fault['error']} (--fail-service)"
        )
    if fault["event"] == FAULT_REDELIVERY:
        return (
            f"RETRY the stream delivers {records} to {fault['function']} again "
            f"(delivery {fault['delivery']})"
        )
    return (
        f"DEAD LETTER {fault['function']} gave up on {records} after {fault['attempts']} attempts"
    )


def prepare(
    args: argparse.Namespace, stage_of: Callable[[argparse.Namespace], OfflineStage] = stage_from
) -> tuple[OfflineStage, CallSetup]:
    """The stage and the call's set-up, every usage check done: nothing has played yet."""
    stage = stage_of(args)
    if not Path(args.flow).is_file():
        require_flow_key(stage, args.flow)
    require_known(args.queue_at_capacity, stage.queues, "--queue-at-capacity", "queue")
    for option, given in (
        ("--fail-action", args.fail_action),
        ("--hang-up-during", args.hang_up_during),
    ):
        if given:  # rendering every flow of the stage only to check the ids given
            require_known(given, action_ids(stage, args.flow), option, "action id")
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
        absent_participant=args.absent_participant,
        hang_up_during=args.hang_up_during,
        supervisors_available=args.supervisors_available,
        caller_number=args.caller_number,
        caller_surveyed_days_ago=args.caller_surveyed_days_ago,
        # A language the stage lists arrives as the contact's $.LanguageCode: the default
        # inbound flow hands the call to that language's flows, as in Connect.
        **({"language_code": args.language} if args.language else {}),
    )
    if getattr(args, "save_test", None):
        refuse_unrecordable(args, stage)
    return stage, setup


def play(
    args: argparse.Namespace,
    stage: OfflineStage,
    setup: CallSetup,
    on: Simulator | None = None,
) -> Report:
    """One call on a fresh embedded AWS (`on` one already running, emptied first), with what
    it is asked to write (test case, CTR)."""
    report = on.run_fresh(args.flow, setup) if on else simulate(stage, args.flow, setup)
    if getattr(args, "save_test", None):
        save_test(args, stage, setup, report)
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
    return report


def simulate_calls(args: argparse.Namespace) -> int:
    """Every call of a --calls file, in one process: one embedded AWS per stage, emptied
    before each call, so each call stores and prints what it would alone.

    Every line is parsed and checked before the first call plays: a bad line stops the run
    with nothing played. A call that fails while it plays (say, a flow file invoking an
    unknown function) stops the run at its line; the lines before it have been printed.
    """
    if args.flow is not None:
        raise UsageError("--calls FILE names the flows in its lines: give no flow as well")
    if args.save_test:
        raise UsageError("--save-test records one call: it does not go with --calls")
    source = "<stdin>" if args.calls == STDIN else args.calls
    line_parser = call_line_parser(args)
    stages: dict[tuple[str, str | None, str | None], OfflineStage] = {}

    def stage_of(line_args: argparse.Namespace) -> OfflineStage:
        key = (line_args.config, line_args.stage, line_args.language)
        if key not in stages:
            stages[key] = stage_from(line_args)
        return stages[key]

    planned = []
    for number, line in read_call_lines(args.calls):
        try:
            line_args = line_parser.parse_args(shlex.split(line))
            planned.append((number, line_args, *prepare(line_args, stage_of)))
        except LINE_ERRORS as error:
            raise UsageError(f"{source}:{number}: {explained(error)}") from None
    with ExitStack() as running:
        current: tuple[OfflineStage, Simulator] | None = None
        for number, line_args, stage, setup in planned:
            if current is None or current[0] is not stage:  # one embedded AWS at a time
                running.close()
                current = stage, running.enter_context(simulator(stage))
            try:
                report = play(line_args, stage, setup, on=current[1])
            except USER_ERRORS as error:
                raise UsageError(f"{source}:{number}: {explained(error)}") from None
            if args.json:
                print(json.dumps(report.to_json()), flush=True)
            else:
                print(call_summary(number, line_args.flow, report), flush=True)
    return 0


def read_call_lines(name: str) -> list[tuple[int, str]]:
    """The non-empty lines of a --calls file (`-`: standard input), with their numbers."""
    if name == STDIN:
        text = sys.stdin.read()
    else:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--calls {name}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise UsageError(f"--calls {name}: not UTF-8 text") from None
    lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise UsageError(f"--calls {name}: no calls in it (one call's arguments per line)")
    return lines


def call_summary(number: int, flow: str, report: Report) -> str:
    """One line for one call of a --calls file."""
    stored = " ".join(f"{r['attribute']}={r['score']}" for r in report.results) or "nothing"
    alerts = ", ".join(alert["channel"] for alert in report.alerts) or "none"
    return (
        f"{number}: {flow}: contact {report.call.contact.contact_id}, ended by "
        f"{report.call.ended_by}; survey {report.survey_status or 'not stored'}; stored "
        f"{stored}; alerts {alerts}"
    )


class _LineParser(Parser):
    """The arguments of one line of a --calls file: a mistake raises, naming no line yet."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.one_line(message))


def call_line_parser(args: argparse.Namespace) -> argparse.ArgumentParser:
    """What one line of a --calls file may say: a call's arguments; the file's --stage and
    --config are the default."""
    line = _LineParser(prog=f"{PROG} simulate", add_help=False)
    call_arguments(line, flow_optional=False)
    line.set_defaults(stage=args.stage, config=args.config)
    return line


def format_task(task: Mapping[str, Any]) -> str:
    """A follow-up task's lines under its ALERT line: what the supervisor sees, and where."""
    queue = task["queue"] or f"not queued ({task['routing']})"
    references = ", ".join(f"{name}={value}" for name, value in task["references"].items())
    return "\n".join(
        (
            f"  name: {task['name']}",
            f"  queue: {queue}",
            f"  references: {references}",
            f"  RelatedContactId: {task['relatedContactId']}",
        )
    )


def add_simulate(commands: Any) -> None:
    sim = commands.add_parser("simulate", help="play a call through a flow with the real handlers")
    call_arguments(sim, flow_optional=True)
    sim.add_argument("--json", action="store_true", help="one JSON object instead of a transcript")
    sim.add_argument(
        "--calls", metavar="FILE",
        help="play many calls in one process: each non-empty line holds one call's arguments as "
        "they would follow `connect-survey simulate` (shell quoting); - reads standard input. "
        "Prints one summary line per call (with --json, one JSON object per line). Every line "
        "is checked before the first call plays: a bad line is named and nothing plays",
    )  # fmt: skip
    sim.add_argument(
        "--save-test", type=Path, metavar="FILE",
        help="also write the call as an Amazon Connect test case (run it with connect-survey "
        "test); the recording ends where the call is queued",
    )  # fmt: skip
    sim.set_defaults(command=simulate_command)


def call_arguments(sim: argparse.ArgumentParser, *, flow_optional: bool) -> None:
    """The arguments of one call: on the command line, or on a line of a --calls file."""
    flow_help = f"a flow key of the stage ({FLOW_KEYS_HELP}) or a Flow Language JSON file"
    if flow_optional:
        sim.add_argument("flow", type=flow_to_play, nargs="?", default=None, help=flow_help)
    else:
        sim.add_argument("flow", type=flow_to_play, help=flow_help)
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
        help="make the handlers' next N calls (default 1) to sns, events, dynamodb or connect "
        "(StartTaskContact) fail, to watch the outbox retry (repeatable)",
    )  # fmt: skip
    sim.add_argument(
        "--hangs-up-first", choices=("agent", "caller"), default="agent",
        help="who ends each conversation with an agent or supervisor; with caller, the "
        "disconnect flow runs with nobody on the line (default: agent)",
    )  # fmt: skip
    sim.add_argument(
        "--absent-participant", choices=("error", "skip"), default="error",
        help="what a prompt or input does with nobody on the line, which AWS leaves open: take "
        "its error branch, or be skipped to its NextAction (default: error)",
    )  # fmt: skip
    sim.add_argument(
        "--hang-up-during", action="append", default=[], metavar="ACTION_ID",
        help="the caller hangs up while this action's prompt plays (repeatable)",
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
    sim.add_argument(
        "--ctr-out", type=Path, metavar="DIR",
        help="also write the call's contact record (CTR) there, for connect-survey report",
    )  # fmt: skip


# Options whose effect no Testing-language construct can reproduce, with their default values.
UNRECORDABLE = {
    "fail_action": [],
    "fail_service": [],
    "hours": "open",
    "hangs_up_first": "agent",
    "supervisors_available": 1,
    "caller_surveyed_days_ago": None,
    "language": None,
    "seed": 0,
}


def refuse_unrecordable(args: argparse.Namespace, stage: OfflineStage) -> None:
    """--save-test records only what a test case can say: keys, attributes, the caller's
    number, stubbed functions and full queues."""
    if args.flow not in stage.flow_keys:
        raise UsageError(f"--save-test: {args.flow!r} is a file; a test case starts at a flow key")
    for name, default in UNRECORDABLE.items():
        if getattr(args, name) != default:
            option = "--" + name.replace("_", "-")
            raise UsageError(
                f"--save-test cannot record {option}: the Testing language has no construct for "
                "it; leave it out (keys, --attr, --caller-number, --lambda-stub and "
                "--queue-at-capacity are recorded)"
            )


def save_test(args: argparse.Namespace, stage: OfflineStage, setup: CallSetup, report: Any) -> None:
    path: Path = args.save_test
    command = shlex.join(["connect-survey", "simulate", *sys.argv[2:]])
    try:
        case = record_case(report, stage, args.flow, setup, name=path.stem, command=command)
    except RecordError as error:
        raise UsageError(f"--save-test: {error}") from None
    path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def action_ids(stage: OfflineStage, flow: str) -> set[str]:
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

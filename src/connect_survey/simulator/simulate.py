"""Play a call offline: the project's rendered flows, its real handlers on an embedded AWS.

`simulate()` is what `connect-survey simulate` runs and what the scenario tests call, so the
tests exercise exactly the command users run.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine import (
    CallResult,
    Flow,
    LambdaTimeout,
    SimulatedContact,
    Simulation,
)
from connect_survey.flows.catalog import FOLLOW_UP_TASK, SUPERVISOR_QUEUE
from connect_survey.lambda_asset.survey import sampling
from connect_survey.lambda_asset.survey.contract import (
    ELIGIBILITY_FUNCTION,
    FOLLOW_UP_ROUTING_ATTRIBUTE,
)
from connect_survey.simulator.sandbox import Sandbox, embedded_aws

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.run import AbsentParticipant
    from connect_survey.flow_language.engine.state import HangsUpFirst
    from connect_survey.flows.offline import OfflineStage

Handler = Callable[[dict[str, Any], Any], Any]
STUB_ERROR = "!error"
DEFAULT_CALLER_NUMBER = "+15555550100"  # an example E.164 number (555-01xx is for fiction)
WITHHELD = "withheld"
# What the contact's address reads when the caller withholds the number. Connect does not say
# (a word, nothing, or a carrier's keypad placeholder such as +266696687); the stage's one test
# (`sampling.withheldPatterns`) treats them alike, so any of them may be played with
# --caller-number.
WITHHELD_ADDRESS = "anonymous"
QUEUED = "queued"  # a follow-up task its flow transferred to a queue
STUB_TIMEOUT = "!timeout"


class StubError(ValueError):
    """Raised for a `--lambda-stub` that is not PATTERN=JSON-object, !error or !timeout."""


class StubbedLambdaError(RuntimeError):
    """Raised by a stub told to fail (`!error`): the flow takes its error branch."""


@dataclass(frozen=True)
class CallSetup:
    """What the caller and the world do during one simulated call."""

    keys: Sequence[str] = ()
    attributes: Mapping[str, str] = field(default_factory=dict)
    queues_at_capacity: Sequence[str] = ()
    hours_open: bool = True
    stubs: Sequence[str] = ()  # "PATTERN=RESPONSE"
    seed: int = 0
    failing_actions: Sequence[str] = ()  # action ids that take their NoMatchingError branch
    # service (sns, events, dynamodb) → how many of the handlers' next calls to it fail
    failing_services: Mapping[str, int] = field(default_factory=dict)
    hangs_up_first: HangsUpFirst = "agent"  # who ends each conversation with an agent
    # What a prompt or input does with nobody on the line: its error branch, or skipped on.
    absent_participant: AbsentParticipant = "error"
    hang_up_during: Sequence[str] = ()  # action ids whose prompt the caller hangs up in
    supervisors_available: int = 1  # what CheckMetricData sees on the supervisor queue
    caller_number: str = DEFAULT_CALLER_NUMBER  # E.164, or "withheld"
    caller_surveyed_days_ago: int | None = None  # preload the caller's last survey
    language_code: str = "en-US"  # the contact's $.LanguageCode (Connect's default: en-US)


@dataclass
class Report:
    """A finished call: the engine's result, and what the embedded AWS holds for the contact.

    Stored answers and alerts are read from moto when first asked for, not after every call:
    reading them costs more than playing the call.
    """

    call: CallResult
    sandbox: Sandbox
    # What the outbox went through during the call, in order (Sandbox.faults): injected
    # failures, the stream's redeliveries, dead letters.
    faults: list[dict[str, Any]] = field(default_factory=list)
    # The sweeps after a call whose stream gave up on a record or failed one: what each found
    # and did, and the alerts it sent.
    sweeps: list[dict[str, Any]] = field(default_factory=list)

    @cached_property
    def results(self) -> list[dict[str, str]]:
        return self.sandbox.results(self.call.contact.contact_id)

    @cached_property
    def alerts(self) -> list[dict[str, Any]]:
        return self.sandbox.alerts(self.call.contact.contact_id)

    @cached_property
    def survey_status(self) -> str | None:
        """The status the finish handler stored for the contact (None: nothing stored)."""
        return self.sandbox.survey_status(self.call.contact.contact_id)

    def read_back(self) -> Report:
        """Read the stored answers and alerts now, while the embedded AWS still runs."""
        _ = self.results, self.alerts, self.survey_status
        return self

    @property
    def eligibility(self) -> dict[str, str] | None:
        """The eligibility handler's decision (None: not asked, or it failed)."""
        suffix = f":function:{self.sandbox.stage.resource_name(ELIGIBILITY_FUNCTION)}"
        for invocation in self.call.lambda_invocations:
            if str(invocation["function"]).endswith(suffix):
                response = invocation.get("response")
                return dict(response) if isinstance(response, dict) else None
        return None

    @property
    def language(self) -> str:
        """The language the call went on in: that of the last of the stage's flows it played
        (a caller may be handed from the default language's inbound flow to another's)."""
        stage = self.sandbox.stage
        played = [name for name in self.call.flows if name in stage.flow_keys]
        return (played and stage.spec(played[-1]).language) or stage.inputs.language

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "eligibility": self.eligibility,
            "flows": self.call.flows,
            "prompts": self.call.prompts,
            "attributes": self.call.attributes,
            "transfers": self.call.transfers,
            "callbacks": self.call.callbacks,
            "lambda_invocations": self.call.lambda_invocations,
            "alerts": self.alerts,
            "sweeps": [
                {**sweep, "alerts": [a for a in sweep["alerts"] if a in self.alerts]}
                for sweep in self.sweeps
            ],
            "results": self.results,
            "survey_status": self.survey_status,
            "faults": self.faults,
            "ended_by": self.call.ended_by,
            "contact_id": self.call.contact.contact_id,
        }


class Simulator:
    """Runs calls against one stage; keep it open to run many calls on the same embedded AWS."""

    def __init__(self, stage: OfflineStage, sandbox: Sandbox) -> None:
        self.stage = stage
        self.sandbox = sandbox
        self.flows = {spec.key: Flow(spec.key, stage.render(spec.key)) for spec in stage.flows}
        self.flows_by_arn = {stage.flow_arn(key): flow for key, flow in self.flows.items()}
        self.queue_names = {arn: name for name, arn in stage.queues.items()}
        self.functions = sandbox.functions()

    def flow(self, reference: str) -> Flow:
        """A flow by key, or any Flow Language JSON file by path."""
        if reference in self.flows:
            return self.flows[reference]
        path = Path(reference)
        if not path.is_file():
            raise FileNotFoundError(
                f"{reference!r} is neither a flow key of stage {self.stage.name} "
                f"({', '.join(self.stage.flow_keys)}) nor a file"
            )
        return Flow(path.name, json.loads(path.read_text(encoding="utf-8")))

    def run(self, flow: str | Flow, setup: CallSetup = CallSetup()) -> Report:
        start = self.flow(flow) if isinstance(flow, str) else flow
        rng = random.Random(setup.seed)
        contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        stubs = parse_stubs(setup.stubs)
        sampling.sampler.seed(setup.seed)  # the same seed samples the same callers
        if setup.caller_surveyed_days_ago is not None and setup.caller_number:
            self.sandbox.remember_caller(
                setup.caller_number, days_ago=setup.caller_surveyed_days_ago
            )
        simulation = Simulation(
            functions=lambda arn: _stub_for(arn, stubs) or self.functions.get(arn),
            flows=self.flows_by_arn,
            queues=self.queue_names,
            queues_at_capacity=setup.queues_at_capacity,
            hours_open=setup.hours_open,
            seed=setup.seed,
            contact=SimulatedContact(
                contact_id=contact_id,
                initial_contact_id=contact_id,
                previous_contact_id=contact_id,
                instance_arn=self.stage.instance_arn,
                customer_address=(
                    WITHHELD_ADDRESS if setup.caller_number == WITHHELD else setup.caller_number
                ),
                language_code=setup.language_code,
            ),
            hangs_up_first=setup.hangs_up_first,
            absent_participant=setup.absent_participant,
            hang_up_during=setup.hang_up_during,
            agents_available={SUPERVISOR_QUEUE: setup.supervisors_available},
            # A cold import of a handler on a loaded laptop is not what the time limit guards.
            enforce_time_limits=False,
            failing_actions=setup.failing_actions,
        )
        faults_before = len(self.sandbox.faults)
        for service, calls in setup.failing_services.items():
            self.sandbox.fail_next(service, calls)
        invocations = len(self.sandbox.stream.invocations)
        # Started at a survey flow, the call is that flow running as the contact's disconnect
        # flow: the hook stays set, so a supervisor transfer brings it back.
        key = start.name if isinstance(flow, str) else None
        as_disconnect = key in self.flows and self.stage.spec(key).is_survey if key else False
        call = simulation.run(
            start,
            inputs=list(setup.keys),
            attributes=dict(setup.attributes),
            disconnect_flow=self.stage.flow_arn(start.name) if as_disconnect else None,
        )
        self.sandbox.drain()  # the stream keeps retrying after the call ended
        # What the stream failed, the sweeper finishes on its schedule (not swept otherwise:
        # a sweep finds nothing, and costs more than a call).
        sweeps = []
        if setup.failing_services or self.sandbox.stream_failed_since(invocations):
            sweeps = self.sandbox.sweep_until_done()
        self._route_tasks(setup)
        return Report(
            call=call, sandbox=self.sandbox, faults=self.sandbox.faults[faults_before:],
            sweeps=sweeps,
        )  # fmt: skip

    def run_fresh(self, flow: str, setup: CallSetup = CallSetup()) -> Report:
        """One call as `simulate` plays it, on this embedded AWS emptied first (no other
        started): many calls in one process, each as if alone."""
        parse_stubs(setup.stubs)  # a malformed stub fails before anything is reset
        self.sandbox.reset()
        return self.run(flow, setup).read_back()

    def _route_tasks(self, setup: CallSetup) -> None:
        """Play the stage's task flow for each follow-up task started since, as Connect runs
        it for a new task: where it queued the task, or why it could not."""
        tasks = self.sandbox.tasks
        if tasks is None:
            return
        flow = self.flows[FOLLOW_UP_TASK]
        for task in tasks.tasks:
            if task.routing:
                continue
            contact = SimulatedContact(
                contact_id=task.contact_id,
                initial_contact_id=task.contact_id,
                previous_contact_id=task.contact_id,
                channel="TASK",
                instance_arn=self.stage.instance_arn,
                initiation_method="API",
                customer_address="",
                system_address="",
            )
            simulation = Simulation(
                flows=self.flows_by_arn,
                queues=self.queue_names,
                queues_at_capacity=setup.queues_at_capacity,
                failing_actions=setup.failing_actions,
                contact=contact,
            )
            routed = simulation.run(flow, attributes=task.attributes)
            queued = [t["queue"] for t in routed.transfers if "queue" in t]
            outcome = routed.attributes.get(FOLLOW_UP_ROUTING_ATTRIBUTE, QUEUED)
            task.routing = {"queue": queued[0] if queued else None, "outcome": outcome}


@contextmanager
def simulator(stage: OfflineStage) -> Iterator[Simulator]:
    with embedded_aws(stage) as sandbox:
        yield Simulator(stage, sandbox)


def simulate(stage: OfflineStage, flow: str, setup: CallSetup = CallSetup()) -> Report:
    """One call on a fresh embedded AWS."""
    parse_stubs(setup.stubs)  # a malformed stub fails before the embedded AWS starts
    with simulator(stage) as sim:
        return sim.run(flow, setup).read_back()


def parse_stubs(specs: Sequence[str]) -> list[tuple[str, Handler]]:
    """`PATTERN=RESPONSE` pairs as (pattern, handler); the first matching pattern wins."""
    stubs = []
    for spec in specs:
        pattern, sep, response = spec.partition("=")
        if not sep or not pattern:
            raise StubError(f"--lambda-stub {spec!r}: write PATTERN=RESPONSE")
        stubs.append((pattern, _stub(spec, response)))
    return stubs


def _stub(spec: str, response: str) -> Handler:
    if response == STUB_ERROR:

        def fail(event: dict[str, Any], context: Any) -> Any:
            raise StubbedLambdaError(f"stubbed failure ({spec})")

        return fail
    if response == STUB_TIMEOUT:

        def slow(event: dict[str, Any], context: Any) -> Any:
            raise LambdaTimeout(f"stubbed timeout ({spec})")

        return slow
    try:
        answer = json.loads(response)
    except ValueError as error:
        raise StubError(f"--lambda-stub {spec!r}: RESPONSE is not JSON ({error})") from None
    if not isinstance(answer, dict):
        raise StubError(
            f"--lambda-stub {spec!r}: RESPONSE must be a JSON object, !error or !timeout"
        )
    return lambda event, context: dict(answer)


def _stub_for(arn: str, stubs: Sequence[tuple[str, Handler]]) -> Handler | None:
    return next((handler for pattern, handler in stubs if pattern in arn), None)

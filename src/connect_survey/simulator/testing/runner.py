"""Run test-case files offline: the stage's rendered flows, the real handlers, one embedded AWS.

Every case runs in the same process on the same embedded AWS (no start-up per case); each gets
a contact of its own, and the callers' cooldown is forgotten between cases, so a case's verdict
does not depend on the cases run before it.
"""

from __future__ import annotations

import random
import time
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from connect_survey.flow_language.engine import FlowError, SimulatedContact, Simulation
from connect_survey.lambda_asset.survey import sampling
from connect_survey.simulator.simulate import simulator
from connect_survey.simulator.testing.player import CasePlayer, StopCall
from connect_survey.test_cases.files import CaseError, case_paths, load_case
from connect_survey.test_cases.language import (
    FlowActionType,
    MessageKind,
    Override,
    Speak,
    Substitute,
    TestContent,
    parse_content,
)
from connect_survey.test_cases.references import offline_resources, resolve_case
from connect_survey.test_cases.results import CaseResult, Verdict

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from connect_survey.flow_language.engine import Flow
    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import Simulator
    from connect_survey.test_cases.files import CaseFile

SAMPLING_SEED: Final = 0  # the draw `connect-survey simulate` makes by default


class OfflineRefusalError(CaseError):
    """Raised for a documented construct the simulator cannot play (Lex, audio, hours ARNs)."""


class CaseRunner:
    """Runs cases one after another on one simulator (one embedded AWS)."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.stage = simulator.stage
        self.resources = offline_resources(simulator.stage)
        self._runs = 0

    def run(self, path: Path) -> CaseResult:
        """The verdict of the case in `path`: PASS, FAIL, or REFUSED when it cannot run."""
        started = time.perf_counter()
        self._runs += 1
        try:
            case = resolve_case(load_case(path), self.resources)
            content = parse_content(case.content)
            refuse_offline(content)
            flow = self._entry_flow(case)
        except CaseError as error:
            return CaseResult(path.stem, Verdict.REFUSED, reason=str(error), milliseconds=0)
        player = CasePlayer(
            content, functions=self.simulator.functions.get, queue_names=self.simulator.queue_names
        )
        stop: StopCall | None = None
        failure = ""
        try:
            self._call(case, flow, player)
        except StopCall as stopped:
            stop = stopped
        except FlowError as error:  # the flow itself is broken: Connect would drop the call
            failure = f"the flow failed: {error}"
        finally:
            self.simulator.sandbox.drain()
        outcome = player.finish(stop)
        milliseconds = round((time.perf_counter() - started) * 1000)
        transcript = [*player.transcript, *_unused(player)]
        if failure or not outcome.passed:
            return CaseResult(
                path.stem,
                Verdict.FAIL,
                observations=len(player.matched),
                milliseconds=milliseconds,
                observation=None if failure else outcome.observation,
                reason=failure or outcome.reason,
                transcript=transcript,
                logged=player.logged,
            )
        return CaseResult(
            path.stem,
            Verdict.PASS,
            observations=len(content.observations),
            milliseconds=milliseconds,
            transcript=transcript,
            logged=player.logged,
        )

    def _call(self, case: CaseFile, flow: Flow, player: CasePlayer) -> None:
        rng = random.Random(f"{case.path.stem}:{self._runs}")
        contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        sampling.sampler.seed(SAMPLING_SEED)
        self.simulator.sandbox.forget_callers()
        simulation = Simulation(
            functions=player.function,
            flows=self.simulator.flows_by_arn,
            queues=self.simulator.queue_names,
            contact=SimulatedContact(
                contact_id=contact_id,
                initial_contact_id=contact_id,
                previous_contact_id=contact_id,
                instance_arn=self.stage.instance_arn,
                # No SourcePhoneNumber: the contact has no number to read or call back.
                customer_address=case.source_phone_number or "",
            ),
            # Once queued the call waits for an agent nobody simulates; if the case hung up
            # first, the caller leaves the queue.
            hangs_up_first="caller",
            enforce_time_limits=False,  # as `simulate`: a cold import is not what limits guard
        )
        simulation.run(flow, attributes=case.attributes, caller=player, observer=player)

    def _entry_flow(self, case: CaseFile) -> Flow:
        flow = self.simulator.flows_by_arn.get(case.flow_id)
        if flow is None:
            raise CaseError(
                f"{case.path}: EntryPoint FlowId {case.flow_id} is none of stage "
                f"{self.stage.name}'s flows; write {{{{flow:KEY}}}} with one of "
                f"{', '.join(self.stage.flow_keys)}"
            )
        return flow


def refuse_offline(content: TestContent) -> None:
    """Refuse what the language has but no offline call can play, in one line."""
    for observation in content.observations:
        where = f"observation {observation.identifier}"
        message = observation.event.message
        if message is not None and message.kind is MessageKind.MEDIA:
            raise OfflineRefusalError(
                f"{where}: a Media message is audio, which the simulator cannot compare; "
                "observe the prompt's Text or PromptId"
            )
        for action in observation.actions:
            if isinstance(action, Speak):
                raise OfflineRefusalError(
                    f"{where}, action {action.identifier}: an Utterance needs a Lex bot and no "
                    "flow of this project uses one; refused offline (send DtmfInput)"
                )
            if (
                isinstance(action, Override)
                and action.action_type is FlowActionType.CHECK_HOURS_OF_OPERATION
                and isinstance(action.strategy, Substitute)
            ):
                raise OfflineRefusalError(
                    f"{where}, action {action.identifier}: the hours of a substituted resource "
                    "are unknown offline; mock the result (InHours or OutOfHours) instead"
                )


def _unused(player: CasePlayer) -> list[dict[str, object]]:
    return [{"test": "override never used", "override": o} for o in player.unused_overrides]


@contextmanager
def case_runner(stage: OfflineStage) -> Iterator[CaseRunner]:
    """A runner on one embedded AWS for `stage`, for as many cases as needed."""
    with simulator(stage) as sim:
        yield CaseRunner(sim)


def run_cases(stage: OfflineStage, paths: Iterable[Path | str]) -> Iterator[CaseResult]:
    """Each case under `paths` (case files, or folders of them) run offline, in order."""
    found = case_paths(paths)
    with case_runner(stage) as runner:
        for path in found:
            yield runner.run(path)

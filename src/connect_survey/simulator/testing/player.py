"""One test case played on one simulated call, with Connect's test-runner semantics.

The player is both the call's caller and its observer (`flow_language.engine.CallObserver`):
- an observation no other observation names is active from the start;
- an event that matches an active observation runs its actions in NextAction order, then
  activates its NextObservations (an observation without Usage is then done);
- an event no active observation waits for is ignored.

Events: TestInitiated before the first action; MessageReceived when the caller has heard
something and the call next waits on them (`matching.Message`); FlowActionStarted as an
observable flow action starts; TestCompleted when the call or the test ends. The caller presses
the keys the case sends when the flow next reads input, and stays silent otherwise; a caller's
Disconnect ends the running flow at once (the disconnect flow, if set, runs with nobody there).
A successful queue transfer ends the call for the test: no agent is simulated, as in Connect.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine import End, Ending, Entry, EventKind, LambdaTimeout
from connect_survey.flow_language.engine.caller import HANG_UP, TIMEOUT
from connect_survey.flow_language.engine.state import Queue
from connect_survey.flow_language.engine.transitions import branch_on, fail
from connect_survey.flow_language.spec import HOURS_RESULTS
from connect_survey.simulator.testing.contact_data import contact_document, problem, read
from connect_survey.simulator.testing.matching import (
    Message,
    flow_action_matches,
    heard,
    message_matches,
)
from connect_survey.simulator.testing.overrides import OverrideBook
from connect_survey.test_cases.language import (
    OBSERVABLE,
    Assertion,
    EndTest,
    EventType,
    FlowActionType,
    HangUp,
    LogData,
    MockError,
    MockResult,
    Override,
    PressKeys,
    Substitute,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from connect_survey.flow_language.engine import Action as FlowAction
    from connect_survey.flow_language.engine import Event as LogEntry
    from connect_survey.flow_language.engine import Handler, Outcome, Run
    from connect_survey.flow_language.engine.state import CallState
    from connect_survey.test_cases.language import Action, Observation, TestContent

IN_HOURS = "InHours"
TIME_LIMIT_EXCEEDED = "TimeLimitExceeded"
# Entries of the call log after which what the caller heard is delivered as one message.
DELIVERED_AFTER = frozenset({EventKind.END, EventKind.FLOW, EventKind.HANG_UP})
PAST_TENSE = {
    EventType.MESSAGE_RECEIVED: "played",
    EventType.FLOW_ACTION_STARTED: "started",
    EventType.TEST_INITIATED: "happened",
    EventType.TEST_COMPLETED: "happened",
}


class MockedLambdaError(RuntimeError):
    """Raised by a Lambda function a case mocked with the error NoMatchingError."""


class Stop(StrEnum):
    """Why a test stopped its call before the call ended by itself."""

    END_TEST = "end-test"  # an EndTest action
    FAILED = "failed"  # an assertion or a Usage did not hold
    QUEUED = "queued"  # the call waits in a queue, where no agent is simulated


class StopCall(Exception):
    """Raised from inside the call to stop it: the test ended, failed, or the call is queued."""

    def __init__(self, how: Stop, observation: str | None = None, reason: str = "") -> None:
        super().__init__(reason or how)
        self.how = how
        self.observation = observation
        self.reason = reason


@dataclass(frozen=True)
class CaseOutcome:
    """How the case went: passed, or the observation that did not hold and why."""

    passed: bool
    observation: str | None = None
    reason: str = ""


class CasePlayer:
    """Plays one case: the caller and the observer of its one call."""

    def __init__(
        self,
        content: TestContent,
        *,
        functions: Callable[[str], Handler | None],
        queue_names: Mapping[str, str],
    ) -> None:
        self.content = content
        self._functions = functions
        self._queue_names = queue_names
        self._active: dict[str, int] = {}  # observation -> matches since it became active
        self.matched: Counter[str] = Counter()
        self._heard: list[str] = []
        self._prompt_ids: list[str] = []
        self._keys: list[str] = []
        self._hang_up = False  # the case made the caller hang up; the call has not seen it yet
        self._handlers: dict[str, Handler] = {}  # Lambda ARN -> what its next invocation runs
        self._overrides = OverrideBook()
        self._ended_by: str | None = None  # the observation whose EndTest ended the test
        self._queued = ""
        self.state: CallState | None = None
        self.at = ""  # the action the call was at
        self.transcript: list[dict[str, Any]] = []
        self.logged: list[dict[str, Any]] = []

    # -- the engine's resolvers and the caller ------------------------------------------------

    def function(self, arn: str) -> Handler | None:
        """The handler an invocation of `arn` runs: the case's mock for it, else the stage's."""
        return self._handlers.pop(arn, None) or self._functions(arn)

    def next(self) -> Entry:
        """The flow waits for the caller: what they heard is delivered, then they answer."""
        self._deliver()
        if self._hang_up:
            self._hang_up = False
            return Entry(HANG_UP)
        if self._keys:
            keys = "".join(self._keys)
            self._keys.clear()
            return Entry("keys", keys)
        return Entry(TIMEOUT)

    @property
    def remaining(self) -> list[str]:
        return list(self._keys)

    # -- the observer -------------------------------------------------------------------------

    def call_started(self, state: CallState) -> None:
        self.state = state
        for identifier in self.content.starting:
            self._activate(identifier)
        self._happen(EventType.TEST_INITIATED)

    def event_logged(self, event: LogEntry) -> None:
        self.transcript.append(
            {
                "call": str(event.kind),
                "flow": event.flow,
                "action": event.action,
                "text": event.text,
            }
        )
        if event.kind is EventKind.PROMPT:
            text, prompt_id = heard(event.text, str(event.data.get("source", "")))
            if text is not None:
                self._heard.append(text)
            if prompt_id is not None:
                self._prompt_ids.append(prompt_id)
        elif event.kind in DELIVERED_AFTER:
            self._deliver()
        elif event.kind is EventKind.TRANSFER and event.data.get("ok"):
            self._deliver()
            if self._hang_up:  # the caller hangs up in the queue: the call goes on without them
                self._hang_up = False
                return
            self._queued = str(event.data.get("queue", ""))
            raise StopCall(Stop.QUEUED)

    def action_starting(self, run: Run, action: FlowAction) -> Outcome | None:
        self.state = run.state
        self.at = action.identifier
        if self._hang_up:
            self._hang_up = False
            if run.state.customer_present:
                self._note("hang-up", text="the caller hangs up")
                return End(Ending.CALLER_HUNG_UP)
        if action.type not in OBSERVABLE:
            return None
        parameters = _observed_parameters(run, action)
        self._deliver()
        # An override applies to the next run that starts after it was registered.
        resource = next(iter(parameters.values()), "")
        override = self._overrides.take(action.type, resource)
        self._happen(EventType.FLOW_ACTION_STARTED, flow_action=(action.type, parameters))
        return self._apply(run, action, override, resource) if override else None

    # -- the end ------------------------------------------------------------------------------

    def finish(self, stop: StopCall | None) -> CaseOutcome:
        """The verdict once the call has ended or been stopped."""
        if stop is not None and stop.how is Stop.FAILED:
            return CaseOutcome(False, stop.observation, stop.reason)
        if stop is not None and stop.how is Stop.END_TEST:
            self._ended_by = stop.observation
        else:
            self._deliver()
        try:
            self._happen(EventType.TEST_COMPLETED)
        except StopCall as late:
            if late.how is Stop.FAILED:
                return CaseOutcome(False, late.observation, late.reason)
        for observation in self.content.observations:
            count = self._active.get(observation.identifier)
            if count is not None and count < observation.usage.minimum:
                return CaseOutcome(False, observation.identifier, self._missing(observation, count))
        return CaseOutcome(True)

    def _missing(self, observation: Observation, count: int) -> str:
        event = observation.event
        verb = PAST_TENSE[event.type]
        if count:
            what = (
                f"expected {event.describe()} {observation.usage.minimum} times; it {verb} {count}"
            )
        else:
            what = f"expected {event.describe()} never {verb}"
        return f"{what}; {self.ending}"

    @property
    def ending(self) -> str:
        at = f"at action {self.at}" if self.at else "before the call's first action"
        if self._ended_by is not None:
            return f"the test ended {at} (EndTest in observation {self._ended_by})"
        if self._queued:
            return f"the call ended {at} (queued on {self._queued}: no agent is simulated)"
        return f"the call ended {at}"

    @property
    def unused_overrides(self) -> list[str]:
        return [override.identifier for override in self._overrides.unused]

    # -- events and observations --------------------------------------------------------------

    def _deliver(self) -> None:
        if not self._heard and not self._prompt_ids:
            return
        message = Message(tuple(self._heard), tuple(self._prompt_ids))
        self._heard.clear()
        self._prompt_ids.clear()
        self._note("message", text=message.text, prompts=list(message.prompt_ids))
        self._happen(EventType.MESSAGE_RECEIVED, message=message)

    def _happen(
        self,
        kind: EventType,
        *,
        message: Message | None = None,
        flow_action: tuple[str, dict[str, str]] | None = None,
    ) -> None:
        """Every active observation waiting for this event matches it, in document order."""
        waiting = [
            observation
            for observation in self.content.observations
            if observation.identifier in self._active
            and _waits_for(observation, kind, message, flow_action)
        ]
        for observation in waiting:
            self._match(observation)

    def _match(self, observation: Observation) -> None:
        identifier = observation.identifier
        count = self._active[identifier] + 1
        maximum = observation.usage.maximum
        if maximum is not None and count > maximum:
            verb = PAST_TENSE[observation.event.type]
            usage = observation.usage.describe()
            reason = (
                f"{observation.event.describe()} {verb} at action {self.at}, which Usage "
                f"{usage} forbids"
                if maximum == 0
                else f"{observation.event.describe()} {verb} {count} times, more than Usage "
                f"{usage} allows (the last at action {self.at})"
            )
            raise StopCall(Stop.FAILED, identifier, reason)
        self._active[identifier] = count
        self.matched[identifier] += 1
        self._note("matched", observation=identifier, event=observation.event.describe())
        for action in observation.actions:
            self._act(observation, action)
        if observation.usage.done_when_matched:
            del self._active[identifier]
        for following in observation.next_observations:
            self._activate(following)

    def _activate(self, identifier: str) -> None:
        self._active.setdefault(identifier, 0)

    def _act(self, observation: Observation, action: Action) -> None:
        state = self.state
        assert state is not None  # every event comes after call_started
        if isinstance(action, PressKeys):
            self._keys.append(action.keys)
            self._note("keys", keys=action.keys)
        elif isinstance(action, HangUp):
            self._hang_up = state.customer_present
            self._note("disconnect", present=state.customer_present)
        elif isinstance(action, Override):
            self._overrides.add(action)
            self._note("override", override=action.identifier, resource=action.resource)
        elif isinstance(action, Assertion):
            wrong = problem(action, state)
            self._note("assert", action=action.identifier, holds=wrong is None)
            if wrong is not None:
                raise StopCall(Stop.FAILED, observation.identifier, f"{action.identifier}: {wrong}")
        elif isinstance(action, LogData):
            document = contact_document(state)
            for label, path in action.expressions:
                entry = {"observation": observation.identifier, "label": label}
                self.logged.append({**entry, "value": read(document, path)})
        elif isinstance(action, EndTest):
            self._note("end-test", observation=observation.identifier)
            raise StopCall(Stop.END_TEST, observation.identifier)
        else:  # Speak: refused before the call (`offline_problem`)
            raise TypeError(f"{type(action).__name__} cannot be played offline")

    def _apply(
        self, run: Run, action: FlowAction, override: Override, resource: str
    ) -> Outcome | None:
        """Make this run of the flow action behave as the override says."""
        self._note("override used", override=override.identifier, action=action.identifier)
        strategy = override.strategy
        if override.action_type is FlowActionType.INVOKE_LAMBDA_FUNCTION:
            if isinstance(strategy, Substitute):
                handler = self._functions(strategy.arn)
                if handler is None:
                    raise StopCall(
                        Stop.FAILED,
                        None,
                        f"override {override.identifier}: SubstituteArn {strategy.arn} is no "
                        "function of the stage",
                    )
            else:
                handler = _mocked(strategy)
            self._handlers[resource] = handler
            return None
        if override.action_type is FlowActionType.TRANSFER_CONTACT_TO_QUEUE:
            if isinstance(strategy, Substitute):
                name = self._queue_names.get(strategy.arn, strategy.arn)
                run.state.queue = Queue(strategy.arn, name)
                return None
            assert isinstance(strategy, MockError)
            return fail(run, action, strategy.error, f"mocked by {override.identifier}")
        # CheckHoursOfOperation (a substituted hours resource is refused before the call).
        if isinstance(strategy, MockError):
            return fail(run, action, strategy.error, f"mocked by {override.identifier}")
        assert isinstance(strategy, MockResult)
        in_hours, out_of_hours = HOURS_RESULTS
        return branch_on(run, action, in_hours if strategy.value == IN_HOURS else out_of_hours)

    def _note(self, what: str, **details: Any) -> None:
        self.transcript.append({"test": what, **details})


def _waits_for(
    observation: Observation,
    kind: EventType,
    message: Message | None,
    flow_action: tuple[str, dict[str, str]] | None,
) -> bool:
    event = observation.event
    if event.type is not kind:
        return False
    if event.message is not None:
        return message is not None and message_matches(event.message, message)
    if event.flow_action is not None:
        return flow_action is not None and flow_action_matches(event.flow_action, *flow_action)
    return True


def _observed_parameters(run: Run, action: FlowAction) -> dict[str, str]:
    """The resource parameters of an observable flow action, as the call resolves them."""
    given = action.parameters
    found: dict[str, str] = {}
    if action.type == FlowActionType.INVOKE_LAMBDA_FUNCTION:
        if isinstance(given.get("LambdaFunctionARN"), str):
            found["LambdaFunctionARN"] = run.text(action, given["LambdaFunctionARN"])
    elif action.type == FlowActionType.CHECK_HOURS_OF_OPERATION:
        if isinstance(given.get("HoursOfOperationId"), str):
            found["HoursOfOperationId"] = run.value(action, given["HoursOfOperationId"])
    elif action.type == FlowActionType.TRANSFER_CONTACT_TO_QUEUE:
        # Without a QueueId of its own the transfer goes to the contact's working queue.
        queue = run.state.queue
        if isinstance(given.get("QueueId"), str):
            found["QueueId"] = run.value(action, given["QueueId"])
        elif queue is not None and not queue.name.startswith("agent:"):
            found["QueueId"] = queue.reference
        if isinstance(given.get("AgentId"), str):
            found["AgentId"] = run.value(action, given["AgentId"])
    return found


def _mocked(strategy: MockResult | MockError) -> Handler:
    """A Lambda function answering as the MockResponse says, after its DelaySeconds."""

    def answer(event: dict[str, Any], context: Any) -> Any:
        delay = strategy.delay_seconds * 1000
        if delay and delay >= context.get_remaining_time_in_millis():
            raise LambdaTimeout(f"mocked delay of {strategy.delay_seconds:g} s")
        if isinstance(strategy, MockError):
            if strategy.error == TIME_LIMIT_EXCEEDED:
                raise LambdaTimeout(f"mocked {TIME_LIMIT_EXCEEDED}")
            raise MockedLambdaError(f"mocked {strategy.error}")
        return dict(strategy.loaded_data or {})

    return answer

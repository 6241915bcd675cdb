"""A whole simulated call: the first flow, transfers to flows and queues, disconnect flows.

After a successful TransferContactToQueue an agent answers; then the agent or the caller hangs
up first (`hangs_up_first`). Once the contact has a disconnect flow (event hook
`CustomerRemaining`) it runs on every disconnect with the same attributes: after the agent hung
up with the caller still there (the survey case), and with no caller at all when the caller hung
up first or a flow ended the call itself. A transfer made from the disconnect flow (a supervisor)
ends the same way, so the disconnect flow runs again; the disconnect flow ending the call does
not start it once more.

With nobody on the line a participant action takes its error branch, or with
`absent_participant="skip"` goes on to its NextAction: the docs leave it open, so a flow should be
played both ways. `hang_up_during` names the actions whose prompt the caller hangs up in.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from connect_survey.flow_language.engine.actions import ACTIONS
from connect_survey.flow_language.engine.caller import Caller, CallerScript
from connect_survey.flow_language.engine.errors import (
    FlowRunLimitError,
    StepLimitError,
    UnknownFlowError,
    UnsupportedActionError,
)
from connect_survey.flow_language.engine.run import (
    AbsentParticipant,
    End,
    Ending,
    FlowResolver,
    FunctionResolver,
    QueueResolver,
    Run,
    Services,
)
from connect_survey.flow_language.engine.state import (
    CallResult,
    CallState,
    EndedBy,
    EventKind,
    HangsUpFirst,
    SimulatedContact,
)
from connect_survey.flow_language.engine.transitions import fail
from connect_survey.flow_language.spec import CUSTOMER_REMAINING, NO_MATCHING_ERROR

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Flow
    from connect_survey.flow_language.engine.invoke import Handler
    from connect_survey.flow_language.engine.observer import CallObserver

T = TypeVar("T")


class Simulation:
    """The surroundings of simulated calls: handlers, flows, queues, hours, dice and limits.

    Resolvers may be mappings or callables; `queues=None` names each queue by its reference.
    """

    def __init__(
        self,
        *,
        functions: Mapping[str, Handler] | FunctionResolver | None = None,
        flows: Mapping[str, Flow] | FlowResolver | None = None,
        queues: Mapping[str, str] | QueueResolver | None = None,
        queues_at_capacity: Collection[str] = (),
        hours_open: bool = True,
        seed: int = 0,
        contact: SimulatedContact | None = None,
        max_flow_runs: int = 10,
        max_steps: int = 1000,
        enforce_time_limits: bool = True,
        failing_actions: Collection[str] = (),
        hangs_up_first: HangsUpFirst = "agent",
        agents_available: Mapping[str, int] | None = None,
        dialable: Callable[[str], bool] | None = None,
        absent_participant: AbsentParticipant = "error",
        hang_up_during: Collection[str] = (),
    ) -> None:
        if max_flow_runs < 1 or max_steps < 1:
            raise ValueError(
                f"max_flow_runs ({max_flow_runs}) and max_steps ({max_steps}) must be at least 1"
            )
        self.functions: FunctionResolver = _resolver(functions or {})
        self.flows: FlowResolver = _resolver(flows or {})
        self.queues: QueueResolver = _resolver(queues) if queues is not None else (lambda r: r)
        self.queues_at_capacity = frozenset(queues_at_capacity)
        self.hours_open = hours_open
        self.seed = seed
        self.contact = contact or SimulatedContact()
        self.max_flow_runs = max_flow_runs
        self.max_steps = max_steps
        self.enforce_time_limits = enforce_time_limits
        self.failing_actions = frozenset(failing_actions)
        if hangs_up_first not in ("agent", "caller"):
            raise ValueError(f"hangs_up_first must be agent or caller, got {hangs_up_first!r}")
        self.hangs_up_first: HangsUpFirst = hangs_up_first
        self.agents_available = dict(agents_available or {})
        self.dialable = dialable or (lambda number: True)
        if absent_participant not in ("error", "skip"):
            raise ValueError(
                f"absent_participant must be error or skip, got {absent_participant!r}"
            )
        self.absent_participant: AbsentParticipant = absent_participant
        self.hang_up_during = frozenset(hang_up_during)

    def run(
        self,
        flow: Flow,
        *,
        inputs: Sequence[str] = (),
        attributes: Mapping[str, str] | None = None,
        disconnect_flow: str | None = None,
        caller: Caller | None = None,
        observer: CallObserver | None = None,
    ) -> CallResult:
        """Play one call from `flow`, the caller keying in `inputs` one entry per input.

        `disconnect_flow` (a flow reference) starts the call as that contact's disconnect flow:
        the hook is already set, and `flow` runs as it does after the conversation ended.
        `caller` answers each input instead of `inputs`; `observer` follows the call.
        """
        initial = dict(attributes or {})
        for key, value in initial.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"attributes[{key!r}]: {value!r} must be a string")
        if caller is not None and inputs:
            raise ValueError("give the caller's inputs or a caller, not both")
        caller = caller or CallerScript(inputs)
        state = CallState(
            contact=self.contact, attributes=initial, language_code=self.contact.language_code
        )
        if observer is not None:
            state.listener = observer.event_logged
        if disconnect_flow is not None:
            state.hooks[CUSTOMER_REMAINING] = disconnect_flow
        services = Services(
            caller=caller,
            functions=self.functions,
            flows=self.flows,
            queues=self.queues,
            queues_at_capacity=self.queues_at_capacity,
            hours_open=self.hours_open,
            random=random.Random(self.seed),
            enforce_time_limits=self.enforce_time_limits,
            failing_actions=self.failing_actions,
            agents_available=self.agents_available,
            dialable=self.dialable,
            absent_participant=self.absent_participant,
            hang_up_during=self.hang_up_during,
            observer=observer,
        )
        if observer is not None:
            observer.call_started(state)
        ended_by = self._play(flow, state, services, as_disconnect_flow=disconnect_flow is not None)
        return CallResult.from_state(state, ended_by, caller.remaining)

    def _play(
        self, flow: Flow, state: CallState, services: Services, *, as_disconnect_flow: bool
    ) -> EndedBy:
        why = "the call starts"
        in_disconnect_flow = as_disconnect_flow
        ended_by: EndedBy = "flow"
        if as_disconnect_flow:
            why = "as the disconnect flow"
            if self.hangs_up_first == "caller":
                state.customer_present = False
                why, ended_by = f"{why}: the caller hung up first", "caller"
        while True:
            if len(state.flows) == self.max_flow_runs:
                raise FlowRunLimitError(
                    flow.name, "", f"the call ran {self.max_flow_runs} flows; is it looping?"
                )
            state.log(EventKind.FLOW, flow.name, "", f"{flow.name} ({why})", why=why)
            end = run_flow(Run(flow, state, services), self.max_steps)
            if end.how is Ending.FLOW_TRANSFER and end.flow is not None:
                flow, why = end.flow, f"transfer from {flow.name}"
                continue
            if end.how is Ending.QUEUE_TRANSFER:
                who = self.hangs_up_first
                text = "the agent hangs up" if who == "agent" else "the caller hangs up"
                state.log(EventKind.HANG_UP, flow.name, "", text, who=who)
                if who == "caller":
                    state.customer_present = False
                why = f"disconnect flow: the {who} hung up first"
                ended_by = who
            elif end.how is Ending.CALLER_HUNG_UP:
                state.customer_present = False
                why, ended_by = "disconnect flow: the caller hung up", "caller"
            elif not in_disconnect_flow:
                why = f"disconnect flow: {flow.name} ended the call"
                state.customer_present = False
            if in_disconnect_flow and end.how is not Ending.QUEUE_TRANSFER:
                # The disconnect flow ending the call itself does not start it again.
                return (
                    ended_by
                    if end.how is Ending.CALLER_HUNG_UP or not state.customer_present
                    else "flow"
                )
            hook = state.hooks.get(CUSTOMER_REMAINING)
            if hook is None:
                return ended_by
            disconnect_flow = services.flows(hook)
            if disconnect_flow is None:
                raise UnknownFlowError(flow.name, "", hook)
            # A disconnect flow is a new flow run: the last Lambda answer and stored input
            # belong to the run that made them.
            state.external, state.stored_input = {}, None
            flow, in_disconnect_flow = disconnect_flow, True


def run_flow(run: Run, max_steps: int) -> End:
    """Run one flow from its start action until it ends."""
    flow = run.flow
    run.state.flows.append(flow.name)
    action_id = flow.start
    for _ in range(max_steps):
        action = flow.actions[action_id]  # the linter has checked every transition's target
        run.state.visited.append((flow.name, action_id))
        implementation = ACTIONS.get(action.type)
        if implementation is None:
            raise UnsupportedActionError(flow.name, action_id, action.type)
        observer = run.services.observer
        answered = observer.action_starting(run, action) if observer is not None else None
        if answered is not None:
            outcome: str | End = answered
        elif action_id in run.services.failing_actions:
            outcome = fail(run, action, NO_MATCHING_ERROR, "failed by the run")
        else:
            outcome = implementation(run, action)
        if isinstance(outcome, End):
            return outcome
        action_id = outcome
    raise StepLimitError(flow.name, action_id, f"more than {max_steps} steps in one flow run")


def _resolver(source: Mapping[str, T] | Callable[[str], T | None]) -> Callable[[str], T | None]:
    if isinstance(source, Mapping):
        return source.get
    return source

"""A whole simulated call: the first flow, transfers to flows and queues, disconnect flows.

After a successful TransferContactToQueue an agent answers and, later, hangs up first; if the
contact has a disconnect flow (event hook `CustomerRemaining`) it then runs with the same
attributes. A transfer made from the disconnect flow (a supervisor) ends the same way, so the
disconnect flow runs again. A caller who hangs up ends the call: no disconnect flow runs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from flows.engine.actions import ACTIONS
from flows.engine.caller import CallerScript
from flows.engine.errors import (
    FlowRunLimitError,
    MissingActionError,
    StepLimitError,
    UnknownFlowError,
    UnsupportedActionError,
)
from flows.engine.run import (
    End,
    Ending,
    FlowResolver,
    FunctionResolver,
    QueueResolver,
    Run,
    Services,
)
from flows.engine.state import CallResult, CallState, EndedBy, EventKind, SimulatedContact
from flows.engine.transitions import fail
from flows.language import CUSTOMER_REMAINING, NO_MATCHING_ERROR

if TYPE_CHECKING:
    from flows.engine.document import Flow
    from flows.engine.invoke import Handler

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

    def run(
        self,
        flow: Flow,
        *,
        inputs: Sequence[str] = (),
        attributes: Mapping[str, str] | None = None,
    ) -> CallResult:
        """Play one call from `flow`, the caller keying in `inputs` one entry per input."""
        initial = dict(attributes or {})
        for key, value in initial.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"attributes[{key!r}]: {value!r} must be a string")
        caller = CallerScript(inputs)
        state = CallState(contact=self.contact, attributes=initial)
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
        )
        ended_by = self._play(flow, state, services)
        return CallResult.from_state(state, ended_by, caller.remaining)

    def _play(self, flow: Flow, state: CallState, services: Services) -> EndedBy:
        why = "the call starts"
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
            if end.how is Ending.CALLER_HUNG_UP:
                return "caller"
            if end.how is not Ending.QUEUE_TRANSFER:
                return "flow"
            state.log(EventKind.HANG_UP, flow.name, "", "the agent hangs up", who="agent")
            hook = state.hooks.get(CUSTOMER_REMAINING)
            if hook is None:
                return "agent"
            disconnect_flow = services.flows(hook)
            if disconnect_flow is None:
                raise UnknownFlowError(flow.name, "", hook)
            # A disconnect flow is a new flow run: the last Lambda answer and stored input
            # belong to the run that made them.
            state.external, state.stored_input = {}, None
            flow, why = disconnect_flow, "disconnect flow: the agent hung up first"


def run_flow(run: Run, max_steps: int) -> End:
    """Run one flow from its start action until it ends."""
    flow = run.flow
    run.state.flows.append(flow.name)
    action_id, came_from = flow.start, ""
    for _ in range(max_steps):
        action = flow.actions.get(action_id)
        if action is None:
            raise MissingActionError(flow.name, came_from, action_id)
        run.state.visited.append((flow.name, action_id))
        implementation = ACTIONS.get(action.type)
        if implementation is None:
            raise UnsupportedActionError(flow.name, action_id, action.type)
        if action_id in run.services.failing_actions:
            outcome: str | End = fail(run, action, NO_MATCHING_ERROR, "failed by the run")
        else:
            outcome = implementation(run, action)
        if isinstance(outcome, End):
            return outcome
        action_id, came_from = outcome, action_id
    raise StepLimitError(flow.name, action_id, f"more than {max_steps} steps in one flow run")


def _resolver(source: Mapping[str, T] | Callable[[str], T | None]) -> Callable[[str], T | None]:
    if isinstance(source, Mapping):
        return source.get
    return source

"""What an action function gets (`Run`) and what it may return (`Outcome`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from connect_survey.flow_language.engine.document import Action, Flow
from connect_survey.flow_language.engine.invoke import Handler
from connect_survey.flow_language.engine.references import dynamic, resolve

if TYPE_CHECKING:
    import random

    from connect_survey.flow_language.engine.caller import Caller
    from connect_survey.flow_language.engine.observer import CallObserver
    from connect_survey.flow_language.engine.state import CallState, EventKind

FlowResolver = Callable[[str], Flow | None]
"""Flow ARN or id (as written in a flow) → the flow, or None when unknown."""
FunctionResolver = Callable[[str], Handler | None]
"""Lambda ARN (as written in a flow) → its handler, or None when unknown."""
QueueResolver = Callable[[str], str | None]
"""Queue ARN or id (as written in a flow) → the queue's logical name, or None when unknown."""


class Ending(StrEnum):
    """How a flow run stopped."""

    DISCONNECT = "disconnect"  # DisconnectParticipant: the flow hung up
    END_FLOW = "end-flow"  # EndFlowExecution
    CALLER_HUNG_UP = "caller-hung-up"
    QUEUE_TRANSFER = "queue-transfer"  # an agent took the call
    FLOW_TRANSFER = "flow-transfer"  # TransferToFlow: `flow` runs next


@dataclass(frozen=True)
class End:
    """The flow run is over; `flow` is the next flow for a TransferToFlow."""

    how: Ending
    flow: Flow | None = None


Outcome = str | End
"""What an action returns: the id of the next action, or the end of the flow run."""

AbsentParticipant = Literal["error", "skip"]
"""What a participant action does with nobody on the line, which the docs leave open: it takes
its error branch (NoMatchingError), or it is skipped to its NextAction."""


@dataclass
class Services:
    """The call's surroundings: the caller, handlers, other flows, queues, clock and dice."""

    caller: Caller
    functions: FunctionResolver
    flows: FlowResolver
    queues: QueueResolver
    queues_at_capacity: Collection[str]
    hours_open: bool
    random: random.Random
    enforce_time_limits: bool
    invocations: int = 0
    # Action ids that fail as Connect's blocks do on a platform error (NoMatchingError).
    failing_actions: Collection[str] = ()
    # Queue name -> agents available on it (what CheckMetricData sees); others have one.
    agents_available: Mapping[str, int] = field(default_factory=dict)
    # Whether the instance may dial a (valid E.164) callback number.
    dialable: Callable[[str], bool] = lambda number: True
    # How a participant action behaves with nobody on the line (see AbsentParticipant).
    absent_participant: AbsentParticipant = "error"
    # Action ids whose prompt the caller hangs up during (the flow run ends there).
    hang_up_during: Collection[str] = ()
    # A client following the call (a test runner): it sees each action before it runs.
    observer: CallObserver | None = None


@dataclass
class Run:
    """One run of one flow within the call."""

    flow: Flow
    state: CallState
    services: Services

    def value(self, action: Action, raw: str) -> str:
        """A "static or single JSONPath" parameter value."""
        return resolve(self.state, raw, action.flow, action.identifier)

    def text(self, action: Action, raw: str) -> str:
        """A "static or dynamic" parameter value (references inside text are replaced)."""
        return dynamic(self.state, raw, action.flow, action.identifier)

    def log(self, action: Action, kind: EventKind, text: str, /, **data: Any) -> None:
        self.state.log(kind, self.flow.name, action.identifier, text, **data)


ActionFunction = Callable[[Run, Action], Outcome]
"""The one signature every action implementation has."""

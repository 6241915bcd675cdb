"""A simulator for Amazon Connect Flow Language documents, faithful to AWS's documented semantics.

    from flows.engine import Flow, Simulation, format_transcript

    simulation = Simulation(functions={score_arn: score_handler}, flows={survey_arn: survey})
    result = simulation.run(Flow("on-demand-inbound", document), inputs=["1", "5", "4", "3"])
    print(format_transcript(result))

Pure standard library: handlers are plain callables `handler(event, context)`.
"""

from __future__ import annotations

from flows.engine.actions import ACTIONS
from flows.engine.call import Simulation, run_flow
from flows.engine.caller import CallerScript, ScriptError
from flows.engine.document import Action, Flow
from flows.engine.errors import (
    DeadEndError,
    FlowError,
    FlowRunLimitError,
    InvalidFlowError,
    InvalidParameterError,
    MissingActionError,
    StepLimitError,
    UnknownFlowError,
    UnknownFunctionError,
    UnknownQueueError,
    UnsupportedActionError,
    UnsupportedReferenceError,
)
from flows.engine.invoke import Handler, LambdaContext, LambdaTimeout, contact_flow_event
from flows.engine.state import CallResult, EndedBy, Event, EventKind, SimulatedContact
from flows.engine.transcript import format_transcript

__all__ = [
    "ACTIONS",
    "Action",
    "CallResult",
    "CallerScript",
    "DeadEndError",
    "EndedBy",
    "Event",
    "EventKind",
    "Flow",
    "FlowError",
    "FlowRunLimitError",
    "Handler",
    "InvalidFlowError",
    "InvalidParameterError",
    "LambdaContext",
    "LambdaTimeout",
    "MissingActionError",
    "ScriptError",
    "SimulatedContact",
    "Simulation",
    "StepLimitError",
    "UnknownFlowError",
    "UnknownFunctionError",
    "UnknownQueueError",
    "UnsupportedActionError",
    "UnsupportedReferenceError",
    "contact_flow_event",
    "format_transcript",
    "run_flow",
]

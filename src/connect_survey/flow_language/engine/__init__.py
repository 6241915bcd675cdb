"""A simulator for Amazon Connect Flow Language documents, faithful to AWS's documented semantics.

    from connect_survey.flow_language.engine import Flow, Simulation, format_transcript

    simulation = Simulation(functions={score_arn: score_handler}, flows={survey_arn: survey})
    result = simulation.run(Flow("on-demand-inbound", document), inputs=["1", "5", "4", "3"])
    print(format_transcript(result))

Pure standard library: handlers are plain callables `handler(event, context)`.
"""

from __future__ import annotations

from connect_survey.flow_language.engine.actions import ACTIONS
from connect_survey.flow_language.engine.call import Simulation, run_flow
from connect_survey.flow_language.engine.caller import Caller, CallerScript, Entry, ScriptError
from connect_survey.flow_language.engine.document import Action, Flow
from connect_survey.flow_language.engine.errors import (
    DeadEndError,
    FlowError,
    FlowRunLimitError,
    InvalidFlowError,
    StepLimitError,
    UnknownFlowError,
    UnknownFunctionError,
    UnknownQueueError,
    UnsupportedActionError,
    UnsupportedReferenceError,
)
from connect_survey.flow_language.engine.invoke import (
    Handler,
    LambdaContext,
    LambdaTimeout,
    contact_flow_event,
)
from connect_survey.flow_language.engine.observer import CallObserver
from connect_survey.flow_language.engine.run import End, Ending, Outcome, Run
from connect_survey.flow_language.engine.state import (
    CallResult,
    EndedBy,
    Event,
    EventKind,
    SimulatedContact,
)
from connect_survey.flow_language.engine.transcript import format_transcript

__all__ = [
    "ACTIONS",
    "Action",
    "CallObserver",
    "CallResult",
    "Caller",
    "CallerScript",
    "DeadEndError",
    "End",
    "EndedBy",
    "Ending",
    "Entry",
    "Event",
    "EventKind",
    "Flow",
    "FlowError",
    "FlowRunLimitError",
    "Handler",
    "InvalidFlowError",
    "LambdaContext",
    "LambdaTimeout",
    "Outcome",
    "Run",
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

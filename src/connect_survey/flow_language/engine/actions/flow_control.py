"""Flow control actions: they only choose the path (Compare, Loop, hours, percentages...).

https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.engine.actions.contact import queue_parameter
from connect_survey.flow_language.engine.actions.params import choice, integer, required, resolved
from connect_survey.flow_language.engine.actions.registry import implements
from connect_survey.flow_language.engine.errors import InvalidParameterError, UnknownFlowError
from connect_survey.flow_language.engine.run import End, Ending, Outcome, Run
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.engine.transitions import branch_on, fail, succeed
from connect_survey.flow_language.spec import (
    AGENT_METRIC_CONDITION,
    AGENT_METRIC_TYPES,
    CONTINUE_LOOPING,
    DONE_LOOPING,
    HOURS_RESULTS,
    MAX_PERCENT,
    NO_MATCHING_ERROR,
    PERCENTAGES,
    WAIT_COMPLETED,
)

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action


@implements("Compare")
def compare(run: Run, action: Action) -> Outcome:
    path = required(action, "ComparisonValue")
    value = run.value(action, path)
    run.log(action, EventKind.BRANCH, f"{path} is {value!r}", value=value)
    return branch_on(run, action, value)


@implements("Loop")
def loop(run: Run, action: Action) -> Outcome:
    """ContinueLooping LoopCount times for the same action, then DoneLooping once, then reset."""
    raw = resolved(run, action, required(action, "LoopCount"))
    try:
        count = integer(action, "LoopCount", raw)
    except InvalidParameterError as error:
        return fail(run, action, NO_MATCHING_ERROR, error.message)
    key = (action.flow, action.identifier)
    done = run.state.loop_counters.get(key, 0)
    if done < count:
        run.state.loop_counters[key] = done + 1
        run.log(action, EventKind.BRANCH, f"loop {done + 1} of {count}")
        return branch_on(run, action, CONTINUE_LOOPING)
    run.state.loop_counters.pop(key, None)
    run.log(action, EventKind.BRANCH, f"loop done after {count}")
    return branch_on(run, action, DONE_LOOPING)


@implements("CheckMetricData")
def check_metric_data(run: Run, action: Action) -> Outcome:
    """The queue's real-time metric as the result the conditions compare.

    Agents available, staffed and online are one figure here (what `agents_available` says for
    the queue, one by default); a simulated queue holds no contacts.
    https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkmetricdata.html
    """
    metric = choice(action, "MetricType")
    if metric in AGENT_METRIC_TYPES:
        for branch in action.conditions:
            written = (branch.condition.get("Operator"), *branch.condition.get("Operands", []))
            if written != AGENT_METRIC_CONDITION:
                raise InvalidParameterError(
                    action.flow,
                    action.identifier,
                    f"{metric} supports only the condition {' '.join(AGENT_METRIC_CONDITION)}",
                )
    queue = queue_parameter(run, action) or run.state.queue
    if queue is None:
        return fail(run, action, NO_MATCHING_ERROR, "no queue to read metrics of")
    value = run.services.agents_available.get(queue.name, 1) if metric in AGENT_METRIC_TYPES else 0
    run.log(action, EventKind.BRANCH, f"{metric} on {queue.name} is {value}", value=value)
    return branch_on(run, action, str(value))


@implements("TransferToFlow")
def transfer_to_flow(run: Run, action: Action) -> Outcome:
    reference = run.value(action, required(action, "ContactFlowId"))
    target = run.services.flows(reference)
    if target is None:
        raise UnknownFlowError(action.flow, action.identifier, reference)
    run.log(action, EventKind.END, f"transfer to flow {target.name}", flow=target.name)
    return End(Ending.FLOW_TRANSFER, target)


@implements("EndFlowExecution")
def end_flow_execution(run: Run, action: Action) -> Outcome:
    run.log(action, EventKind.END, "end of flow")
    return End(Ending.END_FLOW)


@implements("CheckHoursOfOperation")
def check_hours_of_operation(run: Run, action: Action) -> Outcome:
    is_open = run.services.hours_open
    run.log(action, EventKind.BRANCH, "in hours" if is_open else "out of hours", open=is_open)
    in_hours, out_of_hours = HOURS_RESULTS
    return branch_on(run, action, in_hours if is_open else out_of_hours)


@implements("DistributeByPercentage")
def distribute_by_percentage(run: Run, action: Action) -> Outcome:
    number = run.services.random.randint(PERCENTAGES.low, MAX_PERCENT)
    run.log(action, EventKind.BRANCH, f"random number {number}", number=number)
    return branch_on(run, action, str(number))


@implements("UpdateFlowLoggingBehavior")
def update_flow_logging_behavior(run: Run, action: Action) -> Outcome:
    behavior = choice(action, "FlowLoggingBehavior")
    run.log(action, EventKind.SETTING, f"flow logging {behavior}", logging=behavior)
    return succeed(action)


@implements("Wait")
def wait(run: Run, action: Action) -> Outcome:
    """No event ever interrupts a simulated wait: it completes."""
    if "TimeoutSeconds" in action.parameters:
        raw = resolved(run, action, action.parameters["TimeoutSeconds"])
        integer(action, "TimeoutSeconds", raw)
    run.log(action, EventKind.BRANCH, WAIT_COMPLETED)
    return branch_on(run, action, WAIT_COMPLETED) if action.conditions else succeed(action)

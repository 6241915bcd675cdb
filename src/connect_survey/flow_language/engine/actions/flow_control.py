"""Flow control actions: they only choose the path (Compare, Loop, hours, percentages...).

https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.engine.actions.contact import queue_parameter
from connect_survey.flow_language.engine.actions.params import resolved_number, setting
from connect_survey.flow_language.engine.actions.registry import implements
from connect_survey.flow_language.engine.errors import UnknownFlowError
from connect_survey.flow_language.engine.run import End, Ending, Outcome, Run
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.engine.transitions import branch_on, fail, succeed
from connect_survey.flow_language.spec import (
    AGENT_METRIC_TYPES,
    CONTINUE_LOOPING,
    DONE_LOOPING,
    HOURS_RESULTS,
    MAX_PERCENT,
    MIN_PERCENT,
    NO_MATCHING_ERROR,
    WAIT_COMPLETED,
)

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action


@implements("Compare")
def compare(run: Run, action: Action) -> Outcome:
    path = action.parameters["ComparisonValue"]
    value = run.value(action, path)
    run.log(action, EventKind.BRANCH, f"{path} is {value!r}", value=value)
    return branch_on(run, action, value)


@implements("Loop")
def loop(run: Run, action: Action) -> Outcome:
    """ContinueLooping LoopCount times for the same action, then DoneLooping once, then reset.

    A count read from a reference that is not one takes the error branch."""
    count = resolved_number(run, action, "LoopCount")
    if isinstance(count, str):
        return fail(run, action, NO_MATCHING_ERROR, count)
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
    metric = setting(action, "MetricType")
    queue = queue_parameter(run, action) or run.state.queue
    if queue is None:
        return fail(run, action, NO_MATCHING_ERROR, "no queue to read metrics of")
    value = run.services.agents_available.get(queue.name, 1) if metric in AGENT_METRIC_TYPES else 0
    run.log(action, EventKind.BRANCH, f"{metric} on {queue.name} is {value}", value=value)
    return branch_on(run, action, str(value))


@implements("TransferToFlow")
def transfer_to_flow(run: Run, action: Action) -> Outcome:
    reference = run.value(action, action.parameters["ContactFlowId"])
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
    number = run.services.random.randint(MIN_PERCENT, MAX_PERCENT)
    run.log(action, EventKind.BRANCH, f"random number {number}", number=number)
    return branch_on(run, action, str(number))


@implements("UpdateFlowLoggingBehavior")
def update_flow_logging_behavior(run: Run, action: Action) -> Outcome:
    behavior = setting(action, "FlowLoggingBehavior")
    run.log(action, EventKind.SETTING, f"flow logging {behavior}", logging=behavior)
    return succeed(action)


@implements("Wait")
def wait(run: Run, action: Action) -> Outcome:
    """No event ever interrupts a simulated wait: it completes (a time read from a reference
    that is not one takes the error branch)."""
    seconds = resolved_number(run, action, "TimeoutSeconds")
    if isinstance(seconds, str):
        return fail(run, action, NO_MATCHING_ERROR, seconds)
    run.log(action, EventKind.BRANCH, f"{WAIT_COMPLETED} after {seconds} s", seconds=seconds)
    return branch_on(run, action, WAIT_COMPLETED)

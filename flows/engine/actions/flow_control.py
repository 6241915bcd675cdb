"""Flow control actions: they only choose the path (Compare, Loop, hours, percentages...).

https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.engine.actions.contact import queue_parameter
from flows.engine.actions.params import choice, integer, required, resolved
from flows.engine.errors import InvalidParameterError, UnknownFlowError
from flows.engine.run import ActionFunction, End, Ending, Outcome, Run
from flows.engine.state import EventKind
from flows.engine.transitions import branch_on, fail, succeed

if TYPE_CHECKING:
    from flows.engine.document import Action

CONTINUE_LOOPING = "ContinueLooping"
DONE_LOOPING = "DoneLooping"
WAIT_COMPLETED = "WaitCompleted"
MAX_WAIT_SECONDS = 604_800
METRIC_TYPES = (
    "NumberOfAgentsAvailable",
    "NumberOfAgentsStaffed",
    "NumberOfAgentsOnline",
    "OldestContactInQueueAgeSeconds",
    "NumberOfContactsInQueue",
)


def compare(run: Run, action: Action) -> Outcome:
    path = required(action, "ComparisonValue")
    value = run.value(action, path)
    run.log(action, EventKind.BRANCH, f"{path} is {value!r}", value=value)
    return branch_on(run, action, value)


def loop(run: Run, action: Action) -> Outcome:
    """ContinueLooping LoopCount times for the same action, then DoneLooping once, then reset."""
    raw = resolved(run, action, required(action, "LoopCount"))
    try:
        count = integer(action, "LoopCount", raw, 0, 100)
    except InvalidParameterError as error:
        return fail(run, action, "NoMatchingError", error.message)
    key = (action.flow, action.identifier)
    done = run.state.loop_counters.get(key, 0)
    if done < count:
        run.state.loop_counters[key] = done + 1
        run.log(action, EventKind.BRANCH, f"loop {done + 1} of {count}")
        return branch_on(run, action, CONTINUE_LOOPING)
    run.state.loop_counters.pop(key, None)
    run.log(action, EventKind.BRANCH, f"loop done after {count}")
    return branch_on(run, action, DONE_LOOPING)


def check_metric_data(run: Run, action: Action) -> Outcome:
    """The queue's real-time metric, for conditions (agent counts: only NumberGreaterThan 0).

    https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkmetricdata.html
    """
    metric = choice(action, "MetricType", METRIC_TYPES, "")
    if metric.startswith("NumberOfAgents"):
        for branch in action.conditions:
            condition = branch.condition
            if condition.get("Operator") != "NumberGreaterThan" or condition.get("Operands") != [
                "0"
            ]:
                raise InvalidParameterError(
                    action.flow,
                    action.identifier,
                    f"{metric} supports only the condition NumberGreaterThan 0",
                )
    queue = queue_parameter(run, action) or run.state.queue
    if queue is None:
        return fail(run, action, "NoMatchingError", "no queue to read metrics of")
    # Agents available/staffed/online are one figure here; queue contents are empty.
    value = run.services.agents_available.get(queue.name, 1) if "Agents" in metric else 0
    run.log(action, EventKind.BRANCH, f"{metric} on {queue.name} is {value}", value=value)
    return branch_on(run, action, str(value))


def transfer_to_flow(run: Run, action: Action) -> Outcome:
    reference = run.value(action, required(action, "ContactFlowId"))
    target = run.services.flows(reference)
    if target is None:
        raise UnknownFlowError(action.flow, action.identifier, reference)
    run.log(action, EventKind.END, f"transfer to flow {target.name}", flow=target.name)
    return End(Ending.FLOW_TRANSFER, target)


def end_flow_execution(run: Run, action: Action) -> Outcome:
    run.log(action, EventKind.END, "end of flow")
    return End(Ending.END_FLOW)


def check_hours_of_operation(run: Run, action: Action) -> Outcome:
    is_open = run.services.hours_open
    run.log(action, EventKind.BRANCH, "in hours" if is_open else "out of hours", open=is_open)
    return branch_on(run, action, "True" if is_open else "False")


def distribute_by_percentage(run: Run, action: Action) -> Outcome:
    number = run.services.random.randint(1, 100)
    run.log(action, EventKind.BRANCH, f"random number {number}", number=number)
    return branch_on(run, action, str(number))


def update_flow_logging_behavior(run: Run, action: Action) -> Outcome:
    behavior = choice(action, "FlowLoggingBehavior", ("Enabled", "Disabled"), "")
    run.log(action, EventKind.SETTING, f"flow logging {behavior}", logging=behavior)
    return succeed(action)


def wait(run: Run, action: Action) -> Outcome:
    """No event ever interrupts a simulated wait: it completes."""
    if "TimeoutSeconds" in action.parameters:
        raw = resolved(run, action, action.parameters["TimeoutSeconds"])
        integer(action, "TimeoutSeconds", raw, 1, MAX_WAIT_SECONDS)
    run.log(action, EventKind.BRANCH, WAIT_COMPLETED)
    return branch_on(run, action, WAIT_COMPLETED) if action.conditions else succeed(action)


ACTIONS: dict[str, ActionFunction] = {
    "Compare": compare,
    "CheckMetricData": check_metric_data,
    "Loop": loop,
    "TransferToFlow": transfer_to_flow,
    "EndFlowExecution": end_flow_execution,
    "CheckHoursOfOperation": check_hours_of_operation,
    "DistributeByPercentage": distribute_by_percentage,
    "UpdateFlowLoggingBehavior": update_flow_logging_behavior,
    "Wait": wait,
}

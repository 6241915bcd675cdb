"""Flow control rules: Compare, Loop, hours, percentages, flow transfers, logging and Wait."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.lint.registry import action_rule, not_within
from connect_survey.flow_language.spec import (
    AGENT_METRIC_CONDITION,
    AGENT_METRIC_TYPES,
    HOURS_RESULTS,
    LOOP_RESULTS,
    MAX_PERCENT,
    METRIC_TYPES,
    PERCENTAGES,
    WAIT_COMPLETED,
    Range,
    choice,
    conditions,
    is_path,
    is_text,
    limit,
    operand,
    parameters,
    whole_number,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


@action_rule("compare-value", "Compare")
def compare_value(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("ComparisonValue")
    if not is_path(value):
        yield f"ComparisonValue must be one JSONPath, got {value!r}"


@action_rule("loop", "Loop")
def loop(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("LoopCount")
    allowed = limit("Loop", "LoopCount")
    if not is_path(value) and whole_number(value) not in allowed:
        yield not_within("LoopCount", allowed, value)
    yield from _exact_results(action, LOOP_RESULTS)


@action_rule("metric-data", "CheckMetricData")
def metric_data(action: Mapping[str, Any]) -> Iterator[str]:
    """A known MetricType; agent counts support only NumberGreaterThan 0."""
    metric = parameters(action).get("MetricType")
    if metric not in METRIC_TYPES:
        yield f"MetricType must be one of {', '.join(METRIC_TYPES)}, got {metric!r}"
    elif metric in AGENT_METRIC_TYPES:
        operator, value = AGENT_METRIC_CONDITION
        for condition in conditions(action):
            if condition.get("Operator") != operator or operand(condition) != value:
                yield f"{metric} supports only the condition {operator} {value}"
    if "QueueId" in parameters(action) and "AgentId" in parameters(action):
        yield "give QueueId or AgentId, not both"


@action_rule("hours-conditions", "CheckHoursOfOperation")
def hours_conditions(action: Mapping[str, Any]) -> Iterator[str]:
    yield from _exact_results(action, HOURS_RESULTS)


def _exact_results(action: Mapping[str, Any], results: tuple[str, ...]) -> Iterator[str]:
    found = sorted(
        str(operand(c)) if c.get("Operator") == "Equals" else f"{c.get('Operator')}"
        for c in conditions(action)
    )
    if found != sorted(results):
        yield (
            f"Conditions must be exactly Equals {' and Equals '.join(results)}, "
            f"got {', '.join(found) or 'none'}"
        )


@action_rule("distribution", "DistributeByPercentage")
def distribution(action: Mapping[str, Any]) -> Iterator[str]:
    previous = PERCENTAGES.low - 1
    for condition in conditions(action):
        number = whole_number(operand(condition))
        if condition.get("Operator") != "NumberLessThan" or number is None:
            yield "each condition must be NumberLessThan a whole number"
        elif number not in Range(previous + 1, MAX_PERCENT):
            yield (
                f"NumberLessThan {number} must rise above {previous} and stay within {MAX_PERCENT}%"
            )
        else:
            previous = number


@action_rule("transfer-flow", "TransferToFlow")
def transfer_flow(action: Mapping[str, Any]) -> Iterator[str]:
    if not is_text(parameters(action).get("ContactFlowId")):
        yield "ContactFlowId must name a flow (ARN or id)"


@action_rule("logging", "UpdateFlowLoggingBehavior")
def logging(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("FlowLoggingBehavior")
    allowed = choice("UpdateFlowLoggingBehavior", "FlowLoggingBehavior").values
    if value not in allowed:
        yield f"FlowLoggingBehavior must be {' or '.join(allowed)}, got {value!r}"


@action_rule("wait", "Wait")
def wait(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("TimeoutSeconds")
    allowed = limit("Wait", "TimeoutSeconds")
    if not is_path(value) and whole_number(value) not in allowed:
        yield f"TimeoutSeconds must be {allowed.low} to {allowed.high}, got {value!r}"
    if WAIT_COMPLETED not in [operand(c) for c in conditions(action)]:
        yield f"Conditions need Equals {WAIT_COMPLETED}"

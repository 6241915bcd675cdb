"""Warnings: legal flows with a risky gap (a silent caller, a slow Lambda, an unmatched result)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.lint.registry import action_rule
from connect_survey.flow_language.spec import (
    INPUT_TIME_LIMIT_EXCEEDED,
    NO_MATCHING_CONDITION,
    NO_MATCHING_ERROR,
    error_types,
    is_text,
    leaves_by,
    stores_input,
    transitions,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


@action_rule("input-timeout-unhandled", "GetParticipantInput", severity="warning")
def input_timeout_unhandled(action: Mapping[str, Any]) -> Iterator[str]:
    """Stored input that times out may go on by NextAction with the value "Timeout"."""
    handled = INPUT_TIME_LIMIT_EXCEEDED in error_types(action) or (
        stores_input(action) and is_text(transitions(action).get("NextAction"))
    )
    if not handled:
        yield "no InputTimeLimitExceeded branch: a silent caller has nowhere to go"


@action_rule("lambda-error-unhandled", "InvokeLambdaFunction", severity="warning")
def lambda_error_unhandled(action: Mapping[str, Any]) -> Iterator[str]:
    if NO_MATCHING_ERROR not in error_types(action):
        yield "no NoMatchingError branch: a failing or slow Lambda has nowhere to go"


@action_rule(
    "no-match-unhandled",
    "Compare",
    "GetParticipantInput",
    "DistributeByPercentage",
    "CheckMetricData",
    severity="warning",
)
def no_match_unhandled(action: Mapping[str, Any]) -> Iterator[str]:
    if leaves_by(action) != "conditions":
        return
    if not {NO_MATCHING_CONDITION, NO_MATCHING_ERROR} & set(error_types(action)):
        yield "no NoMatchingCondition branch: a result no condition matches has nowhere to go"

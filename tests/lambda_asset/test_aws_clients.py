"""The AWS clients: bounded, built on first use, reset between tests; the time guard."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.budget import CALL_PATH


def test_aws_clients_are_bounded_in_time_and_attempts() -> None:
    # GIVEN the handler's DynamoDB client
    # WHEN its configuration is read
    config = aws.client("dynamodb").meta.config

    # THEN no call can outlast the flow's invocation limit
    assert (config.connect_timeout, config.read_timeout) == (0.5, 1.5)
    assert config.retries == {"total_max_attempts": 2, "mode": "standard"}
    assert (config.connect_timeout, config.read_timeout) == (
        CALL_PATH.connect_timeout_seconds,
        CALL_PATH.read_timeout_seconds,
    )
    assert config.retries["total_max_attempts"] == CALL_PATH.attempts


def test_aws_clients_are_cached_until_reset() -> None:
    # GIVEN a client already built
    first = aws.client("sns")

    # WHEN it is asked for again, then after a reset
    again = aws.client("sns")
    aws.reset_clients()

    # THEN it is reused until the reset
    assert again is first
    assert aws.client("sns") is not first


@pytest.mark.parametrize(
    ("context", "enough"),
    [
        (None, True),  # tests and the simulator pass no context
        (object(), True),
        ("lambda_context", True),
        ("short_context", False),
    ],
)
def test_aws_time_guard_stops_calls_when_the_invocation_is_ending(
    context: Any, enough: bool, lambda_context: Any
) -> None:
    # GIVEN a context with plenty of time, one about to end, or none at all
    if context == "lambda_context":
        context = lambda_context(remaining_ms=aws.MIN_REMAINING_MS)
    elif context == "short_context":
        context = lambda_context(remaining_ms=aws.MIN_REMAINING_MS - 1)

    # WHEN asked whether another call fits
    # THEN only the ending invocation says no
    assert aws.has_time_left(context) is enough

"""The time budget adds up: a call ends before the margin, inside the timeout and the flow."""

from __future__ import annotations

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.budget import (
    ALERT_GROUP_CONTACTS,
    CALL_PATH,
    CONNECT_FLOW_LIMIT_SECONDS,
    TimeBudget,
)
from connect_survey.lambda_asset.survey.channels import CHANNELS
from connect_survey.lambda_asset.survey.outbox import CLAIM_SECONDS


def test_time_budget_call_fits_margin_fits_timeout_fits_flow_limit() -> None:
    # GIVEN the call path's budget
    budget = CALL_PATH

    # WHEN its parts are compared
    # THEN a call started with the margin left ends before the function timeout, which ends
    # before Connect stops waiting (at most CONNECT_FLOW_LIMIT_SECONDS)
    assert budget.worst_call_seconds < budget.margin_seconds
    assert budget.margin_seconds < budget.function_timeout_seconds
    assert budget.function_timeout_seconds < budget.flow_limit_seconds <= CONNECT_FLOW_LIMIT_SECONDS
    assert budget.margin_seconds - budget.worst_call_seconds >= 0.5


def test_time_budget_worst_call_counts_every_attempt_and_backoff() -> None:
    # GIVEN a budget of three attempts of 0.5 s + 1 s with up to 1 s between them
    budget = TimeBudget(
        flow_limit_seconds=8,
        function_timeout_seconds=7,
        connect_timeout_seconds=0.5,
        read_timeout_seconds=1.0,
        attempts=3,
        retry_backoff_seconds=1.0,
        answer_reserve_seconds=0.5,
    )

    # WHEN its worst call and margin are read
    # THEN all three attempts and both waits count
    assert budget.worst_call_seconds == 6.5
    assert budget.margin_ms == 7000


def test_time_guard_uses_the_budget_margin() -> None:
    # GIVEN the handlers' time guard
    # WHEN its threshold is read
    # THEN it is the budget's margin, not a number of its own
    assert CALL_PATH.margin_ms == aws.MIN_REMAINING_MS


def test_alert_budget_covers_a_claim_every_channels_sends_and_one_write_after_it() -> None:
    # GIVEN the alert function's budget from the registered channels, whose DynamoDB calls have
    # the call path's bounds
    budget, dynamodb_call = CHANNELS.budget(), CALL_PATH.worst_call_seconds

    # WHEN the work that may follow the last claim it starts is added up, channel by channel
    sends = sum(channel.send_seconds(ALERT_GROUP_CONTACTS) for channel in CHANNELS)
    after_last_claim = dynamodb_call + sends + dynamodb_call

    # THEN the margin it claims with covers it, well inside the function timeout; a claim
    # outlives its sends; and a claim left by a failed sender can be waited out before it
    assert after_last_claim <= budget.margin_seconds < budget.function_timeout_seconds / 2
    assert budget.claimed_work_seconds <= CLAIM_SECONDS
    assert CLAIM_SECONDS + budget.margin_seconds <= budget.function_timeout_seconds


def test_alert_budget_today_is_a_claim_three_sends_and_a_write() -> None:
    # GIVEN the three built-in channels, each one 1 s + 3 s attempt per group (the task
    # channel's ten one-contact calls in flight together)
    # WHEN the margin is read
    # THEN it is 5 + 4 + 4 + 4 + 5 seconds
    assert CHANNELS.names == ["sns", "events", "task"]
    assert CHANNELS.budget().margin_seconds == 22


def test_the_call_paths_deadline_leaves_time_to_answer_and_for_a_first_and_a_last_call() -> None:
    # GIVEN the call path's budget, whose calls are cut at an absolute deadline
    budget = CALL_PATH

    # WHEN the deadline's parts are compared
    reserve = budget.deadline_reserve_seconds
    first_call_window = budget.function_timeout_seconds - reserve - budget.attempt_seconds

    # THEN a handler answers well before its timeout (more than the half second the fault tests
    # require), and a first call that keeps one attempt for the write after it can still connect
    assert 0.5 < reserve < budget.function_timeout_seconds
    assert first_call_window >= budget.connect_timeout_seconds

"""A side write the caller's path cannot make in time is never silent: it is counted, logged and
marked on the item that was written, for the sweeper (contract.PendingWork).

The score handler starts the caller's cooldown before it stores the answer, within the time that
leaves the answer one full attempt; the finish handler reads the answers within the time that
leaves the summary one. A 1.4 s DynamoDB no longer costs either write.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from connect_survey.lambda_asset.survey import aws, sampling
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.contract import COOLDOWN_TABLE, PendingWork
from connect_survey.lambda_asset.survey.items import Answer, Summary
from connect_survey.lambda_asset.survey.sampling import SamplingPolicy
from tests.lambda_asset.conftest import (
    TABLE,
    CountdownContext,
    FakeContext,
    metric_names,
    warm_clients,
)
from tests.lambda_asset.loopback_dynamodb import LoopbackDynamoDB

if TYPE_CHECKING:
    from collections.abc import Callable

ALL = "connectContactFlowEventAll"
CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"
PHONE = "+1234567890"  # the sample event's caller
COOLDOWN = "cooldown-test"
CALLER_KEY = "cd" * 32
ANSWERED = {"question": "effort", "digits": "2", "mode": "escalation"}
# Less than the cooldown's share (the deadline reserve + one attempt kept for the answer), more
# than the answer needs to start: the cooldown cannot be tried, the answer can.
SHORT_MS = round((CALL_PATH.deadline_reserve_seconds + CALL_PATH.attempt_seconds) * 1000) - 500
SPARE_S = 0.5


@pytest.fixture
def cooldown_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 30-day cooldown, as the stack configures the score function."""
    environment = sampling.sampling_environment(
        policy=SamplingPolicy(cooldown_days=30), cooldown_table=COOLDOWN
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def cooldown(cooldown_policy: None) -> Any:
    """The cooldown's (embedded) table."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    COOLDOWN_TABLE.create(dynamodb, COOLDOWN)
    return dynamodb


@pytest.fixture
def serve(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Callable[[LoopbackDynamoDB], LoopbackDynamoDB]:
    """Point the handlers' DynamoDB client at a loopback endpoint until the test ends."""

    def start(endpoint: LoopbackDynamoDB) -> LoopbackDynamoDB:
        urls = endpoint.serve()
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", next(urls))
        aws.reset_clients()
        warm_clients()
        request.addfinalizer(aws.reset_clients)
        request.addfinalizer(lambda: next(urls, None))
        return endpoint

    return start


def answer_event(load_event: Any) -> Any:
    return load_event(
        ALL, parameters=ANSWERED, attributes={sampling.CALLER_KEY_ATTRIBUTE: CALLER_KEY}
    )


def timed(call: Any) -> tuple[dict[str, str], float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_score_handler_marks_a_cooldown_it_has_no_time_for_on_the_answer(
    load_event: Any, score_handler: Any, results_table: Any, cooldown: Any, captured_output: Any
) -> None:
    # GIVEN an invocation with time for the answer but not for the cooldown before it
    context = FakeContext(remaining_ms=SHORT_MS)

    # WHEN the caller answers
    answer = score_handler(answer_event(load_event), context)

    # THEN the answer is stored, carrying the caller key for the sweeper, and no record exists
    assert answer["stored"] == "true"
    [item] = results_table.query(KeyConditionExpression=Key("contactId").eq(CONTACT_ID))["Items"]
    assert item["pendingWork"] == PendingWork.COOLDOWN
    assert item["pendingCallerKey"] == CALLER_KEY
    assert item["pendingSince"] == item["answeredAt"]
    assert cooldown.scan(TableName=COOLDOWN)["Items"] == []
    # AND it is counted and logged, naming neither the caller key nor the number
    output = captured_output()
    assert "SkippedWrite" in metric_names(output)
    assert "Cooldown not started; left to the sweeper" in output
    assert CALLER_KEY not in output and PHONE not in output


def test_score_handler_marks_a_cooldown_the_slow_table_did_not_confirm(
    load_event: Any, score_handler: Any, cooldown_policy: None, serve: Any, captured_output: Any
) -> None:
    # GIVEN a cooldown table whose writes trickle back a byte every 0.9 s (the results table
    # answers at once), and an invocation counting down from the function timeout
    endpoint = serve(LoopbackDynamoDB(drip=lambda operation, table: table == COOLDOWN))

    # WHEN the caller answers
    event = answer_event(load_event)
    answer, seconds = timed(lambda: score_handler(event, CountdownContext()))

    # THEN the cooldown write was abandoned in time for the answer, which carries the marker
    assert seconds <= CALL_PATH.function_timeout_seconds - SPARE_S
    assert answer["stored"] == "true"
    assert len(endpoint.written("PutItem", COOLDOWN)) == 1
    [put] = endpoint.written("PutItem", TABLE)
    stored = Answer.from_item(put["Item"])
    assert (stored.pending_cooldown, stored.pending_since) == (CALLER_KEY, stored.answered_at)
    assert "SkippedWrite" in metric_names(captured_output())


def test_score_handler_writes_cooldown_and_answer_at_1_4_s_per_call(
    load_event: Any, score_handler: Any, cooldown_policy: None, serve: Any, captured_output: Any
) -> None:
    # GIVEN a DynamoDB that answers every call after 1.4 s (the fault that once cost the cooldown)
    endpoint = serve(LoopbackDynamoDB(delay_seconds=1.4))

    # WHEN the caller answers
    event = answer_event(load_event)
    answer, seconds = timed(lambda: score_handler(event, CountdownContext()))

    # THEN both writes were made, in time, and nothing is left to the sweeper
    assert seconds <= CALL_PATH.function_timeout_seconds - SPARE_S
    assert answer["stored"] == "true"
    assert len(endpoint.written("PutItem", COOLDOWN)) == 1
    [put] = endpoint.written("PutItem", TABLE)
    assert "pendingWork" not in put["Item"]
    assert "SkippedWrite" not in metric_names(captured_output())


def test_finish_handler_marks_a_summary_written_without_the_slow_answers(
    load_event: Any, finish_handler: Any, serve: Any, captured_output: Any
) -> None:
    # GIVEN answers that trickle back a byte every 0.9 s, and a low score in the attributes
    endpoint = serve(LoopbackDynamoDB(drip=lambda operation, table: operation == "BatchGetItem"))
    event = load_event(ALL, parameters={"mode": "escalation"}, attributes={"EffortScore": "1"})

    # WHEN the survey finishes
    answer, seconds = timed(lambda: finish_handler(event, CountdownContext()))

    # THEN the read was abandoned in time for the summary, which is marked for the sweeper
    assert seconds <= CALL_PATH.function_timeout_seconds - SPARE_S
    assert (answer["escalate"], answer["reason"]) == ("true", "storage_error")
    [update] = endpoint.written("UpdateItem", TABLE)
    assert "#pendingWork" not in update["UpdateExpression"]  # nothing removed
    values = update["ExpressionAttributeValues"].values()
    assert {"S": PendingWork.SUMMARY} in values
    output = captured_output()
    assert {"StorageError", "SkippedWrite"} <= set(metric_names(output))
    assert "Summary from the attributes alone; left to the sweeper to complete" in output


def test_finish_handler_reads_and_writes_at_1_4_s_per_call(
    load_event: Any, finish_handler: Any, serve: Any, captured_output: Any
) -> None:
    # GIVEN a DynamoDB that answers every call after 1.4 s (the fault that once cost the summary)
    endpoint = serve(LoopbackDynamoDB(delay_seconds=1.4))
    event = load_event(ALL, parameters={"mode": "escalation"}, attributes={"EffortScore": "4"})

    # WHEN the survey finishes
    answer, seconds = timed(lambda: finish_handler(event, CountdownContext()))

    # THEN it read the answers and wrote a complete summary, in time
    assert seconds <= CALL_PATH.function_timeout_seconds - SPARE_S
    assert "reason" not in answer
    assert len(endpoint.written("BatchGetItem", TABLE)) == 1
    [update] = endpoint.written("UpdateItem", TABLE)
    assert "REMOVE #pendingWork, #pendingSince" in update["UpdateExpression"]
    assert not {"StorageError", "SkippedWrite"} & set(metric_names(captured_output()))


def test_finish_handler_counts_and_logs_a_summary_it_could_not_write(
    load_event: Any, finish_handler: Any, results_table: Any, faults: Any, captured_output: Any
) -> None:
    # GIVEN a table that refuses the summary write
    faults.error_reply(aws.client("dynamodb"), "UpdateItem")
    event = load_event(ALL, parameters={"mode": "escalation"}, attributes={"EffortScore": "4"})

    # WHEN the survey finishes
    answer = finish_handler(event)

    # THEN the flow hears it, and the loss is counted (alarmed) and logged, never silent
    assert answer["reason"] == "storage_error"
    output = captured_output()
    assert {"StorageError", "SkippedWrite"} <= set(metric_names(output))
    assert "Summary skipped, nothing marked: no item was written" in output


def test_a_finish_retry_with_time_completes_the_summary_and_clears_the_marker(
    load_event: Any, finish_handler: Any, results_table: Any
) -> None:
    # GIVEN a summary written from the attributes alone (no time to read the answers)
    event = load_event(ALL, parameters={"mode": "escalation"}, attributes={"EffortScore": "4"})
    finish_handler(event, FakeContext(remaining_ms=SHORT_MS))
    marked = Summary.from_item(_summary_item())
    assert marked.pending_since is not None

    # WHEN the finish handler runs again with time to spare
    finish_handler(event, FakeContext())

    # THEN the summary is complete: no marker is left
    assert Summary.from_item(_summary_item()).pending_since is None
    assert "pendingWork" not in _summary_item()


def _summary_item() -> dict[str, Any]:
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    reply = dynamodb.get_item(TableName=TABLE, Key=Summary.key(CONTACT_ID))
    item: dict[str, Any] = reply["Item"]
    return item

"""The finish handler: totals the answers, marks the survey complete, never publishes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from botocore.stub import Stubber

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.contract import ENV_SURVEY

ALL = "connectContactFlowEventAll"
MIN = "connectContactFlowEventMin"
CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"
INITIAL_CONTACT_ID = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
PHONE_NUMBER = "+1234567890"
SUMMARY_KEY = {"contactId": CONTACT_ID, "question": "#summary"}
NO_ANSWERS = {"escalate": "false", "lowest": "", "answered": "0", "status": "unanswered"}


@pytest.fixture
def answered(load_event: Any, score_handler: Any, results_table: Any) -> Any:
    """Answer questions through the score handler, as the flow does before finishing."""

    def answer(**digits: str) -> None:
        for question, value in digits.items():
            event = load_event(ALL, parameters={"question": question, "digits": value})
            assert score_handler(event)["stored"] == "true"

    return answer


def finish_event(load_event: Any, mode: str = "escalation", **attributes: str) -> Any:
    return load_event(ALL, parameters={"mode": mode}, attributes=attributes or None)


def summary(table: Any) -> dict[str, Any]:
    return table.get_item(Key=SUMMARY_KEY, ConsistentRead=True).get("Item", {})


def test_finish_handler_stores_a_survey_without_answers_as_unanswered(
    load_event: Any, finish_handler: Any, results_table: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN a caller who answered nothing
    # WHEN the survey finishes
    answer = finish_handler(finish_event(load_event))

    # THEN nothing is low, nothing is sent, and the survey is closed as unanswered, never
    # as complete (response rates count it as not answered)
    assert answer == NO_ANSWERS
    item = summary(results_table)
    assert (item["status"], item["answered"], item["mode"]) == (
        "unanswered",
        Decimal(0),
        "escalation",
    )
    assert "lowest" not in item
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


def test_finish_handler_does_not_escalate_high_scores(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
) -> None:
    # GIVEN scores at or above the threshold (3 is not low)
    answered(effort="3", recommend="5", satisfaction="4")

    # WHEN the survey finishes
    answer = finish_handler(finish_event(load_event))

    # THEN there is no escalation and no alert
    assert answer == {"escalate": "false", "lowest": "3", "answered": "3", "status": "complete"}
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


@pytest.mark.parametrize("mode", ["on-demand", "opt-in", "escalation"])
def test_finish_handler_escalates_on_a_low_score_without_publishing(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
    mode: str,
) -> None:
    # GIVEN one score below the threshold (2 is low)
    answered(effort="4", recommend="2", satisfaction="5")

    # WHEN the survey finishes, in any mode
    answer = finish_handler(finish_event(load_event, mode))

    # THEN it escalates, and sends nothing itself (the alert leaves through the stream)
    assert answer == {"escalate": "true", "lowest": "2", "answered": "3", "status": "complete"}
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


def test_finish_handler_records_the_summary(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
) -> None:
    # GIVEN two answers
    answered(effort="1", recommend="4")

    # WHEN the opt-in survey finishes
    finish_handler(finish_event(load_event, "opt-in"))

    # THEN the summary holds the totals and the TTL
    item = summary(results_table)
    assert {k: item[k] for k in ("status", "mode", "answered", "lowest", "initialContactId")} == {
        "status": "partial",
        "mode": "opt-in",
        "answered": Decimal(2),
        "lowest": Decimal(1),
        "initialContactId": INITIAL_CONTACT_ID,
    }
    assert item["scores"] == {"EffortScore": Decimal(1), "PromoterScore": Decimal(4)}
    assert {"completedAt", "expiresAt"} <= set(item)


def test_finish_handler_keeps_the_first_completion_time_on_retries(
    load_event: Any, finish_handler: Any, answered: Any, results_table: Any
) -> None:
    # GIVEN a finished survey
    answered(effort="5")
    finish_handler(finish_event(load_event))
    first = summary(results_table)["completedAt"]

    # WHEN Connect retries the call
    finish_handler(finish_event(load_event))

    # THEN the completion time does not move
    assert summary(results_table)["completedAt"] == first


def test_finish_handler_falls_back_to_contact_attributes_when_the_table_is_down(
    load_event: Any, finish_handler: Any, alert_topic: Any, alert_bus: Any
) -> None:
    # GIVEN no results table, and the scores the flow set as contact attributes
    event = finish_event(load_event, EffortScore="2", PromoterScore="5")

    # WHEN the survey finishes
    answer = finish_handler(event)

    # THEN escalation is decided from the attributes and the storage error is reported
    assert answer == {
        "escalate": "true",
        "lowest": "2",
        "answered": "2",
        "status": "partial",
        "reason": "storage_error",
    }
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


def test_finish_handler_falls_back_to_contact_attributes_when_the_read_fails(
    load_event: Any, finish_handler: Any, answered: Any, results_table: Any
) -> None:
    # GIVEN stored answers, attributes, and a read that is throttled
    answered(effort="4")
    event = finish_event(load_event, EffortScore="4", PromoterScore="3")
    with Stubber(aws.client("dynamodb")) as stub:
        stub.add_client_error(
            "batch_get_item", service_error_code="ProvisionedThroughputExceededException"
        )
        stub.add_response("update_item", {})

        # WHEN the survey finishes
        answer = finish_handler(event)

    # THEN the attributes stand in for the table
    assert answer == {
        "escalate": "false",
        "lowest": "3",
        "answered": "2",
        "status": "partial",
        "reason": "storage_error",
    }


def test_finish_handler_counts_answers_the_table_missed_from_the_attributes(
    load_event: Any, finish_handler: Any, answered: Any, results_table: Any
) -> None:
    # GIVEN one stored answer, and one only in the attributes (its write had failed)
    answered(effort="4")
    event = finish_event(load_event, EffortScore="5", PromoterScore="2", SatisfactionScore="abc")

    # WHEN the survey finishes
    answer = finish_handler(event)

    # THEN the table wins where it has the answer, the attribute fills the gap, junk is ignored
    assert (answer["answered"], answer["lowest"]) == ("2", "2")
    assert summary(results_table)["scores"] == {
        "EffortScore": Decimal(4),
        "PromoterScore": Decimal(2),
    }


def test_finish_handler_does_not_call_aws_with_too_little_time_left(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
    lambda_context: Any,
) -> None:
    # GIVEN a low score in the attributes and an invocation about to time out
    answered(effort="1")
    event = finish_event(load_event, EffortScore="1")

    # WHEN the survey finishes
    answer = finish_handler(event, lambda_context(remaining_ms=1000))

    # THEN it answers at once from the attributes, writing and sending nothing
    assert answer == {
        "escalate": "true",
        "lowest": "1",
        "answered": "1",
        "status": "partial",
        "reason": "storage_error",
    }
    assert summary(results_table) == {}
    assert alert_topic.bodies() == [] and alert_bus.bodies() == []


def test_finish_handler_works_with_plenty_of_time_left(
    load_event: Any, finish_handler: Any, answered: Any, results_table: Any, lambda_context: Any
) -> None:
    # GIVEN a real-looking context with time to spare
    answered(effort="5")

    # WHEN the survey finishes
    answer = finish_handler(finish_event(load_event), lambda_context(remaining_ms=7000))

    # THEN it completes normally
    assert answer == {"escalate": "false", "lowest": "5", "answered": "1", "status": "partial"}


def test_finish_handler_accepts_the_minimal_event(
    load_event: Any, finish_handler: Any, results_table: Any
) -> None:
    # GIVEN the minimal event with its empty parameters (no mode)
    # WHEN the survey finishes
    answer = finish_handler(load_event(MIN))

    # THEN it completes, recording the mode as unknown
    assert answer == NO_ANSWERS
    item = results_table.get_item(
        Key={"contactId": "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5", "question": "#summary"}
    )["Item"]
    assert item["mode"] == "unknown"


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {},
        "ContactFlowEvent",
        {"Details": None},
        {"Details": {"ContactData": None}},
        {"Details": {"ContactData": {"Attributes": {"EffortScore": "1"}}}},
    ],
)
def test_finish_handler_rejects_malformed_events(finish_handler: Any, event: Any) -> None:
    # GIVEN something that is not a contact flow event
    # WHEN the survey finishes
    answer = finish_handler(event)

    # THEN every key the flow reads is there, with the reason
    assert answer == {**NO_ANSWERS, "status": "offered", "reason": "malformed_event"}


def test_finish_handler_answers_internal_error_on_a_broken_survey_definition(
    load_event: Any, finish_handler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a function deployed with a broken survey definition
    monkeypatch.setenv(ENV_SURVEY, "{")

    # WHEN the survey finishes
    answer = finish_handler(finish_event(load_event))

    # THEN the flow still gets every key
    assert answer == {**NO_ANSWERS, "status": "offered", "reason": "internal_error"}


def test_finish_handler_never_logs_or_sends_the_phone_number(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low score from a caller whose number is in the event
    answered(effort="1")

    # WHEN the survey finishes
    finish_handler(finish_event(load_event))

    # THEN logs, metrics, the message, the event and the summary hold the contact id, not the number
    written = "\n".join(
        [
            captured_output(),
            json.dumps(alert_topic.bodies()),
            json.dumps(alert_bus.bodies()),
            json.dumps(summary(results_table), default=str),
        ]
    )
    assert CONTACT_ID in written
    assert PHONE_NUMBER not in written


def test_finish_handler_emits_low_score_metrics_and_publishes_nothing(
    load_event: Any,
    finish_handler: Any,
    answered: Any,
    results_table: Any,
    alert_topic: Any,
    alert_bus: Any,
    captured_output: Any,
) -> None:
    # GIVEN a low score
    answered(effort="1")
    captured_output()  # drop what answering printed

    # WHEN the survey finishes
    finish_handler(finish_event(load_event))

    # THEN the EMF line counts the completion and the low score; alerts are the outbox's
    [blob] = [json.loads(line) for line in captured_output().splitlines() if '"_aws"' in line]
    assert (blob["SurveyCompleted"], blob["LowScore"]) == ([1.0], [1.0])
    assert "AlertPublished" not in blob

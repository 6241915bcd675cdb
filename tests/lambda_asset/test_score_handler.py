"""The score handler: one call per answer, validated, stored at once, never raising."""

from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from botocore.stub import Stubber

from connect_survey.lambda_asset.survey import aws
from connect_survey.lambda_asset.survey.contract import (
    ENV_RETENTION_DAYS,
    ENV_SURVEY,
    ENV_TABLE,
    TABLE_QUESTION_INDEX,
)

ALL = "connectContactFlowEventAll"
MIN = "connectContactFlowEventMin"
ALL_CONTACT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-a0b1c2d3e4f5"
MIN_CONTACT_ID = "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5"
PHONE_NUMBER = "+1234567890"
DAY = 24 * 60 * 60


def answer_event(
    load_event: Any, question: str = "effort", digits: Any = "4", name: str = ALL
) -> Any:
    return load_event(name, parameters={"question": question, "digits": digits})


def stored_items(table: Any, contact_id: str = ALL_CONTACT_ID) -> list[dict[str, Any]]:
    return table.query(KeyConditionExpression=Key("contactId").eq(contact_id))["Items"]


@pytest.mark.parametrize(
    ("question", "attribute"),
    [
        ("effort", "EffortScore"),
        ("recommend", "PromoterScore"),
        ("satisfaction", "SatisfactionScore"),
    ],
)
def test_score_handler_accepts_and_stores_a_valid_digit_for_each_question(
    load_event: Any, score_handler: Any, results_table: Any, question: str, attribute: str
) -> None:
    # GIVEN the caller pressed 4 for the question
    event = answer_event(load_event, question, "4")

    # WHEN the flow asks the handler to score it
    answer = score_handler(event)

    # THEN the answer is valid, named for the flow, and stored
    assert answer == {
        "valid": "true",
        "score": "4",
        "attribute": attribute,
        "question": question,
        "stored": "true",
    }
    [item] = stored_items(results_table)
    assert (item["question"], item["attribute"], item["score"]) == (question, attribute, Decimal(4))


@pytest.mark.parametrize(
    ("digits", "score"),
    [("4#", "4"), ("04", "4"), (" 5 ", "5"), ("3 #", "3"), ("1", "1"), ("5", "5"), ("005#", "5")],
)
def test_score_handler_normalizes_the_digits(
    load_event: Any, score_handler: Any, results_table: Any, digits: str, score: str
) -> None:
    # GIVEN digits with a terminating '#', spaces or leading zeros (1 and 5 are the scale ends)
    event = answer_event(load_event, digits=digits)

    # WHEN scored
    answer = score_handler(event)

    # THEN the normalized score is answered and stored
    assert (answer["valid"], answer["score"]) == ("true", score)
    assert stored_items(results_table)[0]["score"] == Decimal(score)


@pytest.mark.parametrize(
    ("digits", "reason"),
    [
        ("0", "out_of_range"),
        ("6", "out_of_range"),
        ("12", "out_of_range"),
        ("9" * 5000, "out_of_range"),
        ("abc", "not_a_number"),
        ("*", "not_a_number"),
        ("-1", "not_a_number"),
        ("4.5", "not_a_number"),
        ("\u0664", "not_a_number"),  # an Arabic-Indic four: a digit to Python, not a DTMF key
        ("", "empty"),
        ("  ", "empty"),
        ("#", "empty"),
        (None, "empty"),
        (4, "empty"),  # not a string: Connect never sends it, so it is no answer at all
        ("Timeout", "timeout"),
        ("TIMEOUT", "timeout"),
        ("timeout", "timeout"),
    ],
)
def test_score_handler_rejects_invalid_digits_with_the_reason(
    load_event: Any, score_handler: Any, results_table: Any, digits: Any, reason: str
) -> None:
    # GIVEN input that is not a score from 1 to 5
    event = answer_event(load_event, digits=digits)

    # WHEN scored
    answer = score_handler(event)

    # THEN the flow hears why, and nothing is stored
    assert answer == {"valid": "false", "reason": reason, "question": "effort"}
    assert stored_items(results_table) == []


def test_score_handler_rejects_out_of_range_digit(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN the caller pressed 6 on a 1-5 scale
    # WHEN scored
    answer = score_handler(answer_event(load_event, digits="6"))

    # THEN it is out of range
    assert answer == {"valid": "false", "reason": "out_of_range", "question": "effort"}


def test_score_handler_rejects_an_unknown_question(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a question key the survey does not define
    # WHEN scored
    answer = score_handler(answer_event(load_event, question="mood"))

    # THEN the flow is told, without the unknown key echoed back
    assert answer == {"valid": "false", "reason": "unknown_question"}
    assert stored_items(results_table) == []


@pytest.mark.parametrize(
    "parameters", [{}, None, {"digits": "4"}, {"question": None, "digits": "4"}]
)
def test_score_handler_treats_missing_parameters_as_an_unknown_question(
    load_event: Any, score_handler: Any, results_table: Any, parameters: Any
) -> None:
    # GIVEN a flow that sent no question key
    event = load_event(ALL)
    event["Details"]["Parameters"] = parameters

    # WHEN scored
    answer = score_handler(event)

    # THEN it cannot be an answer to anything
    assert answer == {"valid": "false", "reason": "unknown_question"}


def test_score_handler_treats_missing_digits_as_empty(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN the question but no digits parameter
    event = load_event(ALL, parameters={"question": "effort"})

    # WHEN scored
    answer = score_handler(event)

    # THEN the answer is empty
    assert answer == {"valid": "false", "reason": "empty", "question": "effort"}


def test_score_handler_stores_every_detail_of_the_answer(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN the full sample event
    before = int(time.time())

    # WHEN the caller answers 2 to the satisfaction question
    score_handler(answer_event(load_event, "satisfaction", "2"))

    # THEN the item has what reports need, a TTL a year out, and no phone number
    [item] = stored_items(results_table)
    assert {k: v for k, v in item.items() if k not in {"answeredAt", "expiresAt"}} == {
        "contactId": ALL_CONTACT_ID,
        "question": "satisfaction",
        "attribute": "SatisfactionScore",
        "score": Decimal(2),
        "initialContactId": "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d",
        "channel": "VOICE",
        "initiationMethod": "INBOUND",
        "queue": "BasicQueue",
    }
    answered_at = datetime.fromisoformat(item["answeredAt"])
    assert answered_at.tzinfo is not None
    assert abs(answered_at.timestamp() - before) < 60
    assert before + 365 * DAY <= int(item["expiresAt"]) <= before + 365 * DAY + 60
    assert PHONE_NUMBER not in json.dumps(item, default=str)


def test_score_handler_keeps_answers_for_the_configured_retention(
    load_event: Any, score_handler: Any, results_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a stage that keeps results for 30 days
    monkeypatch.setenv(ENV_RETENTION_DAYS, "30")
    now = int(time.time())

    # WHEN an answer is stored
    score_handler(answer_event(load_event))

    # THEN it expires 30 days from now
    assert now + 30 * DAY <= int(stored_items(results_table)[0]["expiresAt"]) <= now + 30 * DAY + 60


def test_score_handler_accepts_the_minimal_event(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN the minimal event: null endpoints and queue, empty attributes
    event = answer_event(load_event, "recommend", "5", name=MIN)

    # WHEN scored
    answer = score_handler(event)

    # THEN it is stored without the fields Connect left out
    assert answer["stored"] == "true"
    [item] = stored_items(results_table, MIN_CONTACT_ID)
    assert "queue" not in item
    assert (item["channel"], item["initiationMethod"]) == ("VOICE", "API")


def test_score_handler_stores_channels_and_methods_powertools_does_not_know(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a task contact reaching the flow on disconnect
    event = answer_event(load_event)
    event["Details"]["ContactData"].update(Channel="TASK", InitiationMethod="DISCONNECT")

    # WHEN scored
    answer = score_handler(event)

    # THEN the raw values are kept
    assert answer["stored"] == "true"
    [item] = stored_items(results_table)
    assert (item["channel"], item["initiationMethod"]) == ("TASK", "DISCONNECT")


def test_score_handler_keeps_one_item_when_connect_retries(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN the same answer delivered twice
    event = answer_event(load_event, digits="3")

    # WHEN both are scored
    first, second = score_handler(event), score_handler(event)

    # THEN both answers agree and one item exists
    assert first == second
    assert len(stored_items(results_table)) == 1


def test_score_handler_answers_are_findable_by_question(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN answers to two questions
    score_handler(answer_event(load_event, "effort", "2"))
    score_handler(answer_event(load_event, "recommend", "5"))

    # WHEN reports read the question index
    found = results_table.query(
        IndexName=TABLE_QUESTION_INDEX, KeyConditionExpression=Key("question").eq("recommend")
    )["Items"]

    # THEN they get that question's answers only
    assert [item["score"] for item in found] == [Decimal(5)]


def test_score_handler_still_answers_valid_when_the_table_is_missing(
    load_event: Any, score_handler: Any
) -> None:
    # GIVEN no results table (deleted, or the wrong name)
    # WHEN a valid answer is scored
    answer = score_handler(answer_event(load_event, digits="2"))

    # THEN it is still valid, so the flow keeps it in the contact attribute
    assert answer == {
        "valid": "true",
        "score": "2",
        "attribute": "EffortScore",
        "question": "effort",
        "stored": "false",
        "reason": "storage_error",
    }


@pytest.mark.parametrize(
    "error",
    ["ProvisionedThroughputExceededException", "AccessDeniedException", "InternalServerError"],
)
def test_score_handler_reports_storage_errors_from_dynamodb(
    load_event: Any, score_handler: Any, results_table: Any, error: str
) -> None:
    # GIVEN DynamoDB refusing the write
    with Stubber(aws.client("dynamodb")) as stub:
        stub.add_client_error("put_item", service_error_code=error)

        # WHEN a valid answer is scored
        answer = score_handler(answer_event(load_event))

    # THEN the answer is valid but not stored
    assert (answer["valid"], answer["stored"], answer["reason"]) == (
        "true",
        "false",
        "storage_error",
    )


def test_score_handler_reports_a_storage_error_without_a_table_name(
    load_event: Any, score_handler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a function deployed without the table variable
    monkeypatch.delenv(ENV_TABLE)

    # WHEN scored
    answer = score_handler(answer_event(load_event))

    # THEN the answer survives as valid, unstored
    assert (answer["valid"], answer["stored"], answer["reason"]) == (
        "true",
        "false",
        "storage_error",
    )


def test_score_handler_does_not_call_aws_with_too_little_time_left(
    load_event: Any, score_handler: Any, results_table: Any, lambda_context: Any
) -> None:
    # GIVEN an invocation about to time out
    context = lambda_context(remaining_ms=900)

    # WHEN scored
    answer = score_handler(answer_event(load_event), context)

    # THEN it answers at once, valid but unstored
    assert (answer["valid"], answer["stored"], answer["reason"]) == (
        "true",
        "false",
        "storage_error",
    )
    assert stored_items(results_table) == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {},
        "ContactFlowEvent",
        42,
        {"Details": None},
        {"Details": []},
        {"Details": {"ContactData": None}},
        {"Details": {"ContactData": {}}},
        {"Details": {"ContactData": {"ContactId": None}, "Parameters": {"question": "effort"}}},
        {"Details": {"ContactData": {"ContactId": 12345}, "Parameters": {"question": "effort"}}},
        {"Details": {"ContactData": {"ContactId": "  "}, "Parameters": {"question": "effort"}}},
    ],
)
def test_score_handler_rejects_malformed_events(score_handler: Any, event: Any) -> None:
    # GIVEN something that is not a contact flow event
    # WHEN scored
    answer = score_handler(event)

    # THEN it says so instead of raising
    assert answer == {"valid": "false", "reason": "malformed_event"}


def test_score_handler_tolerates_null_and_mistyped_contact_fields(
    load_event: Any, score_handler: Any, results_table: Any
) -> None:
    # GIVEN a contact whose optional fields are null or of the wrong type
    event = answer_event(load_event)
    event["Details"]["ContactData"].update(
        Attributes=None, Channel=None, InitiationMethod=7, Queue="BasicQueue", InitialContactId=[]
    )

    # WHEN scored
    answer = score_handler(event)

    # THEN the answer is stored with what could be read
    assert answer["stored"] == "true"
    [item] = stored_items(results_table)
    assert set(item) == {"contactId", "question", "attribute", "score", "answeredAt", "expiresAt"}


@pytest.mark.parametrize("survey", ["", "not json", '{"questions": []}', '{"scale": 1}'])
def test_score_handler_answers_internal_error_on_a_broken_survey_definition(
    load_event: Any, score_handler: Any, monkeypatch: pytest.MonkeyPatch, survey: str
) -> None:
    # GIVEN a function deployed with a missing or broken survey definition
    monkeypatch.setenv(ENV_SURVEY, survey)

    # WHEN scored
    answer = score_handler(answer_event(load_event))

    # THEN the flow gets an answer, not an exception
    assert answer == {"valid": "false", "reason": "internal_error"}


def test_score_handler_validates_against_the_configured_scale(
    load_event: Any, score_handler: Any, results_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a 0-10 scale (a two-digit maximum)
    monkeypatch.setenv(
        ENV_SURVEY,
        json.dumps(
            {
                "questions": [{"key": "recommend", "attribute": "PromoterScore"}],
                "scale": {"min": 0, "max": 10},
                "lowScoreThreshold": 7,
            }
        ),
    )

    # WHEN 0, 10 and 11 are scored
    answers = [score_handler(answer_event(load_event, "recommend", d)) for d in ("0", "10#", "11")]

    # THEN both ends are valid and 11 is out of range
    assert [a.get("score") or a["reason"] for a in answers] == ["0", "10", "out_of_range"]


def test_score_handler_logs_the_contact_but_never_the_phone_number(
    load_event: Any, score_handler: Any, results_table: Any, captured_output: Any
) -> None:
    # GIVEN the full event, which carries the caller's number
    event = answer_event(load_event)

    # WHEN scored
    score_handler(event)

    # THEN logs and metrics name the contact, never the number
    output = captured_output()
    assert ALL_CONTACT_ID in output
    assert PHONE_NUMBER not in output


def test_score_handler_emits_metrics_for_valid_and_invalid_answers(
    load_event: Any, score_handler: Any, results_table: Any, captured_output: Any
) -> None:
    # GIVEN one valid and one invalid answer
    score_handler(answer_event(load_event, digits="4"))
    score_handler(answer_event(load_event, digits="9"))

    # WHEN the EMF lines are read
    emitted = [json.loads(line) for line in captured_output().splitlines() if '"_aws"' in line]

    # THEN each invocation flushed its metric under the survey namespace
    names = [
        m["Name"]
        for blob in emitted
        for d in blob["_aws"]["CloudWatchMetrics"]
        for m in d["Metrics"]
    ]
    assert names == ["AnswerRecorded", "InvalidAnswer"]
    assert {d["Namespace"] for blob in emitted for d in blob["_aws"]["CloudWatchMetrics"]} == {
        "ConnectSurvey"
    }

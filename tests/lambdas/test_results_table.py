"""The results table's alert claims: one winner, and only the winner may give a claim back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lambdas.survey import results
from lambdas.survey.exceptions import StorageError

TABLE = "survey-results-test"
CONTACT = "contact-1"
NOW = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def claim(now: datetime = NOW) -> str | None:
    return results.claim_alert(TABLE, CONTACT, results.SNS_CLAIM, now=now, retention_days=1)


def test_results_table_gives_a_claim_to_the_first_caller_only(results_table: Any) -> None:
    # GIVEN nobody has claimed the SNS alert
    # WHEN two invocations claim it
    first, second = claim(), claim()

    # THEN only the first wins
    assert first == "2025-01-02T03:04:05.678Z"
    assert second is None


def test_results_table_releases_only_the_callers_own_claim(results_table: Any) -> None:
    # GIVEN a claim
    token = claim()
    assert token is not None

    # WHEN someone releases with another token, then the owner releases
    results.release_alert(TABLE, CONTACT, results.SNS_CLAIM, "someone-else")
    kept = claim()
    results.release_alert(TABLE, CONTACT, results.SNS_CLAIM, token)

    # THEN the stranger changed nothing and the owner's release lets a retry claim again
    assert kept is None
    assert claim(datetime(2025, 1, 3, tzinfo=UTC)) == "2025-01-03T00:00:00.000Z"


def test_results_table_reports_a_missing_table_as_a_storage_error() -> None:
    # GIVEN no table
    # WHEN a claim is attempted
    # THEN it fails as a StorageError naming the operation
    with pytest.raises(StorageError, match="update_item failed: ResourceNotFoundException"):
        claim()


def test_results_table_reads_only_the_answers_asked_for(results_table: Any) -> None:
    # GIVEN two answers and the summary item of one contact, and another contact's answer
    for question, score in (("effort", 4), ("recommend", 2)):
        results_table.put_item(Item={"contactId": CONTACT, "question": question, "score": score})
    results_table.put_item(Item={"contactId": CONTACT, "question": "#summary", "answered": 2})
    results_table.put_item(Item={"contactId": "other", "question": "satisfaction", "score": 1})

    # WHEN its answers to the survey's questions are read
    scores = results.read_scores(TABLE, CONTACT, ["effort", "recommend", "satisfaction"])

    # THEN exactly the answered ones come back: no summary, no other contact
    assert scores == {"effort": 4, "recommend": 2}


def _unprocessed(keys: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Responses": {TABLE: []}, "UnprocessedKeys": {TABLE: {"Keys": keys}}}


def test_results_table_asks_again_for_keys_dynamodb_left_unprocessed(results_table: Any) -> None:
    from botocore.stub import ANY, Stubber

    from lambdas.survey import aws

    # GIVEN DynamoDB leaves the key unprocessed once, then answers
    key = {"contactId": {"S": CONTACT}, "question": {"S": "effort"}}
    found = {"question": {"S": "effort"}, "score": {"N": "4"}}
    with Stubber(aws.client("dynamodb")) as stub:
        stub.add_response("batch_get_item", _unprocessed([key]), {"RequestItems": ANY})
        stub.add_response("batch_get_item", {"Responses": {TABLE: [found]}}, {"RequestItems": ANY})

        # WHEN the answers are read
        scores = results.read_scores(TABLE, CONTACT, ["effort"])

    # THEN the second request fetched the answer
    assert scores == {"effort": 4}


def test_results_table_reports_keys_still_unprocessed_as_a_storage_error(
    results_table: Any,
) -> None:
    from botocore.stub import ANY, Stubber

    from lambdas.survey import aws

    key = {"contactId": {"S": CONTACT}, "question": {"S": "effort"}}
    with Stubber(aws.client("dynamodb")) as stub:
        for _ in range(2):
            stub.add_response("batch_get_item", _unprocessed([key]), {"RequestItems": ANY})
        with pytest.raises(StorageError, match="left 1 answer"):
            results.read_scores(TABLE, CONTACT, ["effort"])

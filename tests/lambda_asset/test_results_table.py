"""The results table: reading answers, and the outbox's claims (one holder, expiring, sent once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connect_survey.lambda_asset.survey import outbox, results
from connect_survey.lambda_asset.survey.exceptions import StorageError
from connect_survey.lambda_asset.survey.items import Answer, result_key
from connect_survey.lambda_asset.survey.outbox import ClaimResult
from tests.lambda_asset.conftest import claim_channel, mark_channel_sent, read_state

TABLE = "survey-results-test"
CONTACT = "contact-1"
NOW = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def claim(token: str = "first", now: datetime = NOW) -> ClaimResult:
    return claim_channel(TABLE, CONTACT, "sns", token=token, now=now, retention_days=1)


def test_outbox_gives_a_claim_to_one_invocation_and_recognises_its_retry(
    results_table: Any,
) -> None:
    # GIVEN nobody has claimed the SNS alert
    # WHEN one invocation claims it twice (an SDK retry) and another tries
    first, retried, other = claim(), claim(), claim("second")

    # THEN the first invocation holds it, its own retry included; the other must wait
    assert (first, retried, other) == (ClaimResult.WON, ClaimResult.WON, ClaimResult.BUSY)


def test_outbox_passes_an_expired_claim_on(results_table: Any) -> None:
    # GIVEN a claim left by a sender that crashed
    claim()

    # WHEN another invocation claims after the claim expired
    later = NOW + timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    result = claim("second", later)

    # THEN it takes the claim over, knowing the first may have sent
    assert result is ClaimResult.TAKEN_OVER


def test_outbox_releases_only_the_callers_own_claim(results_table: Any) -> None:
    # GIVEN a claim
    claim()

    # WHEN someone releases with another token, then the owner releases
    outbox.release(TABLE, CONTACT, "sns", token="someone-else")
    kept = claim("second")
    outbox.release(TABLE, CONTACT, "sns", token="first")

    # THEN the stranger changed nothing and the owner's release lets a retry claim at once
    assert kept is ClaimResult.BUSY
    assert claim("second") is ClaimResult.WON


def test_outbox_never_claims_a_sent_channel_again(results_table: Any) -> None:
    # GIVEN a channel claimed and sent
    claim()
    mark_channel_sent(TABLE, CONTACT, "sns", token="first", now=NOW)

    # WHEN anyone claims it, even long after
    result = claim("second", NOW + timedelta(days=1))

    # THEN it is sent: nothing to do
    assert result is ClaimResult.SENT
    assert read_state(TABLE, CONTACT, "sns").claim_token is None


def test_outbox_claims_the_free_channels_when_one_is_sent_or_busy(results_table: Any) -> None:
    # GIVEN SNS sent by a first invocation, and EventBridge claimed live by a second
    claim()
    mark_channel_sent(TABLE, CONTACT, "sns", token="first", now=NOW)
    claim_channel(TABLE, CONTACT, "events", token="second", now=NOW, retention_days=1)

    # WHEN a third claims every channel, once while EventBridge is busy and once after it expired
    def claim_all(now: datetime) -> dict[str, ClaimResult]:
        channels = ["sns", "events", "chat"]
        return outbox.claim_channels(
            TABLE, CONTACT, channels, token="third", now=now, retention_days=1
        )

    busy = claim_all(NOW)
    later = claim_all(NOW + timedelta(seconds=outbox.CLAIM_SECONDS + 1))

    # THEN the sent channel stays sent, the busy one waits, a free one is claimed regardless;
    # after expiry the busy one is taken over
    assert busy == {"sns": ClaimResult.SENT, "events": ClaimResult.BUSY, "chat": ClaimResult.WON}
    assert later == {
        "sns": ClaimResult.SENT,
        "events": ClaimResult.TAKEN_OVER,
        "chat": ClaimResult.WON,
    }


def test_outbox_records_each_channel_sent_when_one_claim_was_taken_over(
    results_table: Any,
) -> None:
    # GIVEN both channels claimed by a first invocation, and EventBridge taken over after expiry
    outbox.claim_channels(TABLE, CONTACT, ["sns", "events"], token="first", now=NOW,
                          retention_days=1)  # fmt: skip
    later = NOW + timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    claim_channel(TABLE, CONTACT, "events", token="second", now=later, retention_days=1)

    # WHEN the first records both channels sent
    outbox.mark_channels_sent(TABLE, CONTACT, ["sns", "events"], token="first", now=later)

    # THEN its SNS is recorded; EventBridge stays with the second invocation to record
    assert read_state(TABLE, CONTACT, "sns").sent_at is not None
    events = read_state(TABLE, CONTACT, "events")
    assert (events.sent_at, events.claim_token) == (None, "second")


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

    from connect_survey.lambda_asset.survey import aws

    # GIVEN DynamoDB leaves the key unprocessed once, then answers
    key = result_key(CONTACT, "effort")
    found = Answer(contact_id=CONTACT, question="effort", score=4).to_item()
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

    from connect_survey.lambda_asset.survey import aws

    key = result_key(CONTACT, "effort")
    with Stubber(aws.client("dynamodb")) as stub:
        for _ in range(2):
            stub.add_response("batch_get_item", _unprocessed([key]), {"RequestItems": ANY})
        with pytest.raises(StorageError, match="left 1 answer"):
            results.read_scores(TABLE, CONTACT, ["effort"])

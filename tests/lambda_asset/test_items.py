"""The item models: each shape round-trips through DynamoDB's attribute-value form, and a
malformed item is refused with the attribute at fault named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from connect_survey.lambda_asset.survey.exceptions import MalformedItemError
from connect_survey.lambda_asset.survey.items import (
    Answer,
    Claim,
    CooldownRecord,
    OutboxItem,
    Summary,
    claims_of,
    result_item,
)
from connect_survey.lambda_asset.survey.sampling import SECONDS_PER_DAY

ANSWER = Answer(
    contact_id="contact-1",
    question="effort",
    score=2,
    attribute="EffortScore",
    answered_at="2025-01-02T03:04:05.678Z",
    expires_at=1767323045,
    channel="VOICE",
    mode="escalation",
    language="ko-KR",
)
SUMMARY = Summary(
    contact_id="contact-1",
    status="partial",
    mode="escalation",
    answered=2,
    scores={"EffortScore": 2, "PromoterScore": 5},
    lowest=2,
    completed_at="2025-01-02T03:04:09.000Z",
    expires_at=1767323045,
    sent={"sns": "2025-01-02T03:04:10.000Z"},
)
OUTBOX = OutboxItem(
    contact_id="contact-1",
    claims={"events": Claim(token="abc", expires_ms=1735787065678)},
    sent={"sns": "2025-01-02T03:04:10.000Z"},
    version=3,
    expires_at=1767323045,
)


@pytest.mark.parametrize("model", [ANSWER, SUMMARY, OUTBOX], ids=["answer", "summary", "outbox"])
def test_results_table_items_round_trip_and_are_told_apart_by_sort_key(model: Any) -> None:
    # GIVEN an item as PutItem takes it (and a stream image carries it)
    item = model.to_item()

    # WHEN it is read back without saying which shape it is
    # THEN it is the same model
    assert result_item(item) == model
    assert type(model).from_item(item) == model


def test_answer_item_holds_strings_and_a_number_and_leaves_out_what_connect_did_not_send() -> None:
    item = Answer(contact_id="c", question="effort", score=4, attribute="EffortScore").to_item()

    assert item == {
        "contactId": {"S": "c"},
        "question": {"S": "effort"},
        "attribute": {"S": "EffortScore"},
        "score": {"N": "4"},
    }


def test_a_stored_whole_number_written_with_a_fraction_reads_as_that_number() -> None:
    item = {**ANSWER.to_item(), "score": {"N": "4.0"}}

    assert Answer.from_item(item).score == 4


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"score": None}, "score: missing"),
        ({"score": {"S": "4"}}, "score: not a number"),
        ({"score": {"N": "four"}}, "score: not a number"),
        ({"question": None}, "question: missing"),
        ({"contactId": {"N": "1"}}, "contactId: not a string"),
        ({"mode": "escalation"}, "mode: not an attribute value"),
    ],
)
def test_a_malformed_answer_item_is_refused_naming_the_attribute(
    change: dict[str, Any], named: str
) -> None:
    item = {**ANSWER.to_item(), **change}
    item = {name: value for name, value in item.items() if value is not None}

    with pytest.raises(MalformedItemError, match=named):
        result_item(item)


def test_a_summary_score_that_is_no_number_is_refused_naming_it() -> None:
    item = SUMMARY.to_item()
    item["scores"]["M"]["EffortScore"] = {"S": "2"}

    with pytest.raises(MalformedItemError, match=r"scores\.EffortScore: not a number"):
        Summary.from_item(item)


@pytest.mark.parametrize("item", [None, "junk", [], {"contactId": {"S": "c"}}])
def test_anything_but_a_results_table_item_is_refused(item: Any) -> None:
    with pytest.raises(MalformedItemError):
        result_item(item)


def test_outbox_item_keeps_attributes_it_gives_no_meaning_to() -> None:
    # GIVEN an outbox item carrying an attribute of no known meaning
    item = {**OUTBOX.to_item(), "note": {"S": "kept"}}

    # WHEN it is read and written again with a claim given back
    rewritten = OutboxItem.from_item(item)
    written = OutboxItem(**{**rewritten.__dict__, "claims": {}}).to_item()

    # THEN the attribute is written back as it was, and the claim is gone
    assert written["note"] == {"S": "kept"}
    assert "alertClaim_events" not in written


def test_claims_are_read_from_the_old_values_an_update_returns() -> None:
    old = {"alertClaim_sns": Claim(token="t", expires_ms=5).value(), "version": {"N": "2"}}

    assert claims_of(old) == {"sns": Claim(token="t", expires_ms=5)}


def test_cooldown_record_lasts_the_cooldown_and_round_trips() -> None:
    now = datetime(2025, 1, 2, tzinfo=UTC)
    record = CooldownRecord.started("ab" * 32, now, cooldown_days=30)

    assert record.expires_at - record.surveyed_at == 30 * SECONDS_PER_DAY
    assert set(record.to_item()) == {"callerKey", "surveyedAt", "expiresAt"}
    assert CooldownRecord.from_item(record.to_item()) == record
    with pytest.raises(MalformedItemError, match="surveyedAt: missing"):
        CooldownRecord.from_item(CooldownRecord.key("ab"))


@pytest.mark.parametrize(
    ("model", "work"),
    [
        (replace(ANSWER, pending_cooldown="cd" * 32, pending_since=ANSWER.answered_at), "cooldown"),
        (replace(SUMMARY, pending_since="2025-01-02T03:04:09.000Z"), "summary"),
    ],
    ids=["answer", "summary"],
)
def test_work_left_for_the_sweeper_is_a_sparse_string_marker_that_round_trips(
    model: Any, work: str
) -> None:
    # GIVEN an item left with work for the sweeper
    item = model.to_item()

    # WHEN it is read back
    # THEN the marker is two strings (an index can key on them) and the model is unchanged
    assert item["pendingWork"] == {"S": work}
    assert item["pendingSince"] == {"S": model.pending_since}
    assert result_item(item) == model


def test_an_item_without_work_left_carries_no_marker() -> None:
    for model in (ANSWER, SUMMARY, replace(ANSWER, pending_since="2025-01-02T03:04:05.678Z")):
        assert not {"pendingWork", "pendingSince", "pendingCallerKey"} & set(model.to_item())

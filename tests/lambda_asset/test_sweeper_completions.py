"""The sweeper completes the writes a handler skipped for lack of time (issue 17, D.4): the
caller's cooldown record the score handler could not confirm, and the summary the finish handler
wrote from the contact attributes alone. Each is made as the handler makes it, then unmarked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3

from connect_survey.lambda_asset.survey import sweeper
from connect_survey.lambda_asset.survey.budget import SWEEP_AFTER_SECONDS
from connect_survey.lambda_asset.survey.contract import COOLDOWN_PARTITION_KEY, PendingWork
from connect_survey.lambda_asset.survey.items import Answer, CooldownRecord, Summary, result_key
from tests.lambda_asset.conftest import REGION, TABLE, FakeContext
from tests.lambda_asset.test_skipped_writes import (  # noqa: F401 (fixtures)
    ALL,
    CALLER_KEY,
    CONTACT_ID,
    COOLDOWN,
    SHORT_MS,
    answer_event,
    cooldown,
    cooldown_policy,
)
from tests.lambda_asset.test_sweeper import dead_letters, marked  # noqa: F401 (fixtures)


def item(key: dict[str, Any]) -> dict[str, Any]:
    reply = boto3.client("dynamodb", region_name=REGION).get_item(TableName=TABLE, Key=key)
    found: dict[str, Any] = reply["Item"]
    return found


def sweep_later(clock: Any) -> dict[str, dict[str, int]]:
    clock.moment += timedelta(seconds=SWEEP_AFTER_SECONDS + 1)
    return sweeper.handler({}, FakeContext(remaining_ms=60_000))


def test_sweeper_starts_the_cooldown_the_score_handler_had_no_time_for(
    load_event: Any,
    score_handler: Any,
    results_table: Any,
    cooldown: Any,  # noqa: F811
    dead_letters: str,  # noqa: F811
    clock: Any,
) -> None:
    # GIVEN an answer stored without its cooldown record, marked for the sweeper
    assert score_handler(answer_event(load_event), FakeContext(remaining_ms=SHORT_MS))["stored"]
    assert cooldown.scan(TableName=COOLDOWN)["Items"] == []
    assert marked(PendingWork.COOLDOWN) == 1

    # WHEN the sweeper runs
    answer = sweep_later(clock)

    # THEN the caller's cooldown started when they answered, and the answer is unmarked
    assert answer[PendingWork.COOLDOWN] == {"found": 1, "finished": 1}
    [record_item] = cooldown.scan(TableName=COOLDOWN)["Items"]
    record = CooldownRecord.from_item(record_item)
    stored = Answer.from_item(item(result_key(CONTACT_ID, "effort")))
    assert record_item[COOLDOWN_PARTITION_KEY]["S"] == CALLER_KEY
    assert record.surveyed_at == int(datetime.fromisoformat(str(stored.answered_at)).timestamp())
    assert (stored.pending_cooldown, stored.pending_since) == (None, None)
    assert marked(PendingWork.COOLDOWN) == 0


def test_sweeper_completes_a_summary_written_from_the_attributes_alone(
    load_event: Any,
    score_handler: Any,
    finish_handler: Any,
    results_table: Any,
    dead_letters: str,  # noqa: F811
    clock: Any,
) -> None:
    # GIVEN a stored low answer, and a summary the finish handler wrote without reading it
    # (from an attribute that says otherwise), marked for the sweeper
    parameters = {"question": "effort", "digits": "1", "mode": "escalation"}
    assert score_handler(load_event(ALL, parameters=parameters))["stored"] == "true"
    event = load_event(ALL, parameters={"mode": "escalation"}, attributes={"EffortScore": "4"})
    finish_handler(event, FakeContext(remaining_ms=SHORT_MS))
    assert Summary.from_item(item(Summary.key(CONTACT_ID))).scores == {"EffortScore": 4}
    assert marked(PendingWork.SUMMARY) == 1

    # WHEN the sweeper runs
    answer = sweep_later(clock)

    # THEN the summary holds the stored score, its lowest and status follow, and it is unmarked
    assert answer[PendingWork.SUMMARY] == {"found": 1, "finished": 1}
    summary = Summary.from_item(item(Summary.key(CONTACT_ID)))
    assert summary.scores == {"EffortScore": 1}
    assert (summary.answered, summary.lowest, summary.status) == (1, 1, "partial")
    assert summary.pending_since is None
    assert marked(PendingWork.SUMMARY) == 0

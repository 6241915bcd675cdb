"""Alert function benchmark: one batch of 1,000 stream records (10 % low) vs the bare sends.

Everything runs on the embedded AWS in one process. Ours: the alert function over the real stream
records of 1,000 stored answers (100 of them low, one per contact). Two baselines send exactly the
messages and events those 100 alerts carry, made directly with the same clients: one Publish and
one PutEvents per alert (the issue's baseline), and the stricter one of the same batch calls the
function makes (PublishBatch and PutEvents of ten). One warm-up round of each side builds every
client first; then ROUNDS rounds, each on fresh contacts and with another side first: the
median time of each side, and the median of the rounds' ratios (the machine's load drifts between
rounds, far less within one). The garbage collector is paused while a side is timed, as timeit
does: the embedded AWS's own allocations otherwise trigger collections at random points of either
side.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from connect_survey.lambda_asset.survey.alerts import LowScoreAlert
    from connect_survey.lambda_asset.survey.items import Answer

RECORDS = 1000
LOW_SHARE = 10  # one record in ten is a low answer
ROUNDS = 9
WARM_UP_RECORDS = 20
REGION = "us-east-1"
BUS = "bench-surveys"  # the alert bus, as a stage names its own
Row = tuple[str, str, str, str, str]


def alert_batch() -> list[Row]:
    import boto3
    from moto import mock_aws

    from connect_survey.lambda_asset.survey import aws, contract
    from connect_survey.lambda_asset.survey.channels.events import BUS_NAME
    from connect_survey.lambda_asset.survey.channels.sns import TOPIC_ARN
    from connect_survey.lambda_asset.survey.definition import SurveyDefinition
    from connect_survey.lambda_asset.survey.environment import handler_environment

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        contract.RESULTS_TABLE.create(dynamodb, "results")
        topic_arn = boto3.client("sns", region_name=REGION).create_topic(Name="alerts")["TopicArn"]
        boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
        os.environ.update(
            handler_environment(
                function_name="bench-alert",
                table_name="results",
                survey=SurveyDefinition(),
                retention_days=30,
            )
        )
        os.environ.update({TOPIC_ARN: topic_arn, BUS_NAME: BUS})
        aws.reset_clients()
        timings: dict[str, list[float]] = {"ours": [], "single": [], "batched": []}
        for round_number in range(ROUNDS + 1):  # round 0 warms every client up, on both sides
            size = WARM_UP_RECORDS if round_number == 0 else RECORDS
            records = _stored_batch(dynamodb, f"r{round_number}", size)
            alerts = _alerts_of(records)
            sides: list[tuple[str, Callable[[], None]]] = [
                ("ours", partial(_run_alert_function, records)),
                ("single", partial(_send_one_by_one, topic_arn, alerts)),
                ("batched", partial(_send_batched, topic_arn, alerts)),
            ]
            # Each side goes first in turn: none always meets a fresher embedded AWS.
            shift = round_number % len(sides)
            for side, action in sides[shift:] + sides[:shift]:
                seconds = _timed(action)
                if round_number:
                    timings[side].append(seconds)
    ours, single, batched = (statistics.median(timings[s]) for s in ("ours", "single", "batched"))
    return [
        (f"alert function: batch of {RECORDS:,} stream records ({LOW_SHARE} % low) vs the bare "
         "Publish + PutEvents those alerts need (one call per alert and channel)",
         f"{ours * 1000:.0f} ms", f"{single * 1000:.0f} ms", _ratio(timings, "single"), "≤ 1.5x"),
        ("... the same batch vs the same alerts sent bare in batches (PublishBatch + PutEvents "
         "of ten entries, as the function sends them)",
         f"{ours * 1000:.0f} ms", f"{batched * 1000:.0f} ms", _ratio(timings, "batched"), ""),
    ]  # fmt: skip


def _ratio(timings: dict[str, list[float]], baseline: str) -> str:
    """The median of the rounds' ratios: each round's sides ran back to back, under one load."""
    ratios = [ours / base for ours, base in zip(timings["ours"], timings[baseline], strict=True)]
    return f"{statistics.median(ratios):.2f}x"


def _stored_batch(dynamodb: Any, prefix: str, size: int) -> list[dict[str, Any]]:
    """Store `size` answers (every LOW_SHARE-th low) and return their stream records."""
    from connect_survey.lambda_asset.survey.items import Answer
    from connect_survey.simulator.stream import TableStream

    for i in range(size):
        answer = Answer(
            contact_id=f"{prefix}-contact-{i}",
            question="effort",
            score=1 if i % LOW_SHARE == 0 else 5,
            attribute="EffortScore",
            mode="on-demand",
            queue="BasicQueue",
        )
        dynamodb.put_item(TableName="results", Item=answer.to_item())
    arn = dynamodb.describe_table(TableName="results")["Table"]["LatestStreamArn"]
    stream = TableStream(client=_streams_client(), stream_arn=arn)
    while True:  # GetRecords answers a page at a time
        read = len(stream.pending)
        stream.poll()
        if len(stream.pending) == read:
            break
    records = [r for r in stream.pending if _is_answer_of(r, prefix)]
    assert len(records) == size, len(records)
    return records


def _streams_client() -> Any:
    import boto3

    return boto3.client(
        "dynamodbstreams",
        region_name=REGION,
        endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
    )


def _alerts_of(records: Sequence[dict[str, Any]]) -> list[LowScoreAlert]:
    """The alerts the low records raise, as the function builds them."""
    from connect_survey.lambda_asset.survey.alerts import LowScoreAlert

    answers = [_answer(record) for record in records]
    return [
        LowScoreAlert(
            contact_id=answer.contact_id,
            initial_contact_id=None,
            mode=answer.mode or "",
            queue=answer.queue,
            scores={"EffortScore": 1},
            threshold=3,
        )
        for answer in answers
        if answer.score == 1
    ]


def _is_answer_of(record: dict[str, Any], prefix: str) -> bool:
    """Whether the record stores one of this round's answers: the table's stream also carries
    the outbox items the alert function wrote in earlier rounds."""
    from connect_survey.lambda_asset.survey.items import Answer, result_item

    item = result_item(record["dynamodb"]["NewImage"])
    return isinstance(item, Answer) and item.contact_id.startswith(f"{prefix}-")


def _answer(record: dict[str, Any]) -> Answer:
    """The answer a stream record carries (its new image)."""
    from connect_survey.lambda_asset.survey.items import Answer

    return Answer.from_item(record["dynamodb"]["NewImage"])


def _run_alert_function(records: list[dict[str, Any]]) -> None:
    from connect_survey.lambda_asset.survey import alert

    response = alert.handler({"Records": records}, None)
    assert response == {"batchItemFailures": []}, response


def _send_one_by_one(topic_arn: str, alerts: Sequence[LowScoreAlert]) -> None:
    from connect_survey.lambda_asset.survey import aws

    sns, events = aws.publisher("sns"), aws.publisher("events")
    for alert in alerts:
        sns.publish(TopicArn=topic_arn, **_message(alert))
        events.put_events(Entries=[_event(alert)])


def _send_batched(topic_arn: str, alerts: Sequence[LowScoreAlert]) -> None:
    from connect_survey.lambda_asset.survey import aws
    from connect_survey.lambda_asset.survey.budget import ALERT_GROUP_CONTACTS

    sns, events = aws.publisher("sns"), aws.publisher("events")
    for first in range(0, len(alerts), ALERT_GROUP_CONTACTS):
        group = alerts[first : first + ALERT_GROUP_CONTACTS]
        sns.publish_batch(
            TopicArn=topic_arn,
            PublishBatchRequestEntries=[
                {"Id": str(i), **_message(alert)} for i, alert in enumerate(group)
            ],
        )
        events.put_events(Entries=[_event(alert) for alert in group])


def _message(alert: LowScoreAlert) -> dict[str, Any]:
    return {
        "Subject": alert.subject(),
        "Message": alert.body(),
        "MessageAttributes": {"alertId": {"DataType": "String", "StringValue": alert.alert_id}},
    }


def _event(alert: LowScoreAlert) -> dict[str, Any]:
    from connect_survey.lambda_asset.survey.contract import EVENT_DETAIL_TYPE, EVENT_SOURCE

    return {
        "Source": EVENT_SOURCE,
        "DetailType": EVENT_DETAIL_TYPE,
        "Detail": json.dumps(alert.detail(), separators=(",", ":")),
        "EventBusName": BUS,
    }


def _timed(action: Callable[[], None]) -> float:
    """Wall time of `action`, with the garbage collector paused as timeit does (for every side)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        gc.enable()

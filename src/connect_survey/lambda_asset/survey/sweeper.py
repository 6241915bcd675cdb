"""Finish what the stream left, every budget.SWEEP_INTERVAL_SECONDS (EventBridge Scheduler): the
standard completion of an outbox.

1. Marked work. The sparse index PENDING_INDEX lists the items that carry unfinished work
   (contract.PendingWork), oldest first; one small function per kind (CHORES) finishes those
   left for SWEEP_AFTER_SECONDS. Unsent alerts go through the alert function's own claim and
   send (`alert.send_alerts`): claims decide who sends, so a sweep racing the stream's retries
   sends an alert once, or counts the possible duplicate. The writes a handler skipped for
   lack of time (a caller's cooldown record, a summary from the attributes alone) are made
   as the handlers make them (completions.py).
2. Dead letters. Lambda's on-failure record names a shard and a sequence-number range, not the
   records: the range is read back from the stream and redriven through `alert.process`. The
   message is deleted once every record of the range is done, and kept (alarmed) while one is
   not: a channel still down, a record nobody can read, a range the stream no longer holds.

Each kind's age metric is the oldest item still unfinished after the sweep (0: none). Time is
the channels' budget: nothing is claimed without the time to send it and record it. Answers
what it found and did; never raises.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from aws_lambda_powertools.metrics import MetricUnit

from . import alert, aws, completions, environment, outbox
from .budget import ALERT_FUNCTION_TIMEOUT_SECONDS, SWEEP_AFTER_SECONDS
from .channels import CHANNELS
from .contract import (
    ENV_DEAD_LETTERS,
    PENDING_INDEX,
    PENDING_SINCE,
    PENDING_WORK,
    TABLE_SORT_KEY,
    Metric,
    PendingWork,
)
from .exceptions import EnvironmentVariableError, StorageError
from .items import contact_of, serialize
from .results import call, iso
from .telemetry import count, logger, metrics

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aws_lambda_powertools.utilities.typing import LambdaContext

    from .delivery import Delivery

# Marked items read per query; the next page is read while the invocation has time.
PAGE_ITEMS: Final = 100
# ReceiveMessage returns at most ten messages.
DEAD_LETTERS_PER_SWEEP: Final = 10
# GetRecords calls to read back one range (a batch is at most 100 records; a call returns 1 MB).
RANGE_READS: Final = 4


class Marked(NamedTuple):
    """An item the index lists: whose, which (sort key), waiting since when (ISO-8601)."""

    contact_id: str
    sort_key: str
    since: str


def _send_alerts(marked: Sequence[Marked], delivery: Delivery) -> set[Marked]:
    """Send the contacts' unsent alerts as the stream does; clear the marks fallback writes left
    on contacts with every channel sent."""
    done = alert.send_alerts([m.contact_id for m in marked], delivery)
    for contact_id in done:
        try:
            outbox.unmark_sent(delivery.table, contact_id, CHANNELS.active_names())
        except StorageError as error:  # the next sweep finds it done and tries again
            logger.warning("Mark not cleared", extra={"contactId": contact_id,
                                                      "error": str(error)})  # fmt: skip
    return {m for m in marked if m.contact_id in done}


def _finish_each(
    marked: Sequence[Marked], delivery: Delivery, finish: Callable[[Marked], bool]
) -> set[Marked]:
    """`finish` each item while the invocation has time; the ones it finished."""
    done = set()
    for item in marked:
        if not delivery.has_time():
            break
        try:
            if finish(item):
                done.add(item)
        except StorageError as error:  # the next sweep finds it still marked
            logger.warning("Marked work not finished", extra={"contactId": item.contact_id,
                                                              "error": str(error)})  # fmt: skip
    return done


def _complete_cooldowns(marked: Sequence[Marked], delivery: Delivery) -> set[Marked]:
    """Start the cooldowns the score handler could not confirm."""
    return _finish_each(
        marked,
        delivery,
        lambda m: completions.complete_cooldown(delivery.table, m.contact_id, m.sort_key, m.since),
    )


def _complete_summaries(marked: Sequence[Marked], delivery: Delivery) -> set[Marked]:
    """Complete the summaries the finish handler wrote from the contact attributes alone."""
    return _finish_each(
        marked,
        delivery,
        lambda m: completions.complete_summary(delivery.table, m.contact_id, m.since),
    )


if TYPE_CHECKING:
    Chore = Callable[[Sequence[Marked], Delivery], set[Marked]]

# What finishes each kind of marked work (answering the items it finished), and the age metric
# it reports. Another kind is one function taking the marked items and the sweep's Delivery.
CHORES: Final[dict[PendingWork, tuple[Chore, Metric]]] = {
    PendingWork.ALERT: (_send_alerts, Metric.UNSENT_ALERT_AGE),
    PendingWork.COOLDOWN: (_complete_cooldowns, Metric.UNFINISHED_WRITE_AGE),
    PendingWork.SUMMARY: (_complete_summaries, Metric.UNFINISHED_WRITE_AGE),
}


@metrics.log_metrics
def handler(event: Any, context: LambdaContext | None) -> dict[str, dict[str, int]]:
    """Sweep once: marked work first, then the dead letters; what was found and done."""
    summary: dict[str, dict[str, int]] = {}
    try:
        delivery = alert.delivery_for(context)
        for work, (chore, age) in CHORES.items():
            summary[work.value] = _sweep(work, chore, age, delivery)
        summary["deadLetters"] = _redrive(delivery)
    except EnvironmentVariableError as error:
        logger.error("Sweeper misconfigured", extra={"error": str(error)})
        count(Metric.INTERNAL_ERROR)
    except Exception:
        logger.exception("Sweep failed unexpectedly")
        count(Metric.INTERNAL_ERROR)
    return summary


def _sweep(work: PendingWork, chore: Chore, age: Metric, delivery: Delivery) -> dict[str, int]:
    """Finish the items marked with `work` before SWEEP_AFTER_SECONDS ago, a page at a time."""
    before = iso(delivery.now() - timedelta(seconds=SWEEP_AFTER_SECONDS))
    found, left, page = 0, list[Marked](), list[Marked]()
    start: dict[str, Any] | None = None
    while delivery.has_time():
        try:
            page, start = _marked(delivery.table, work, before, start)
        except StorageError as error:  # no age is reported: its alarm treats that as breaching
            logger.error("Marked work not read", extra={"work": work, "error": str(error)})
            count(Metric.STORAGE_ERROR)
            return {"found": found, "finished": found - len(left)}
        found += len(page)
        done = chore(page, delivery) if page else set()
        left += [m for m in page if m not in done]
        if start is None:
            break
    # Pages not read hold younger items than any read: the last one read bounds their age.
    oldest = left[0].since if left else (page[-1].since if start and page else None)
    seconds = (delivery.now() - datetime.fromisoformat(oldest)).total_seconds() if oldest else 0
    metrics.add_metric(name=age, unit=MetricUnit.Seconds, value=max(seconds, 0.0))
    if left:
        logger.warning("Work still unfinished", extra={"work": work, "items": len(left),
                                                       "oldestSince": oldest})  # fmt: skip
    return {"found": found, "finished": found - len(left)}


def _marked(
    table: str, work: PendingWork, before: str, start: dict[str, Any] | None
) -> tuple[list[Marked], dict[str, Any] | None]:
    """One page of the items marked with `work` before `before`, oldest first; where the next
    page starts (None: no more)."""
    paging: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
    response = call(
        "query",
        TableName=table,
        IndexName=PENDING_INDEX,
        KeyConditionExpression="#work = :work AND #since < :before",
        ExpressionAttributeNames={"#work": PENDING_WORK, "#since": PENDING_SINCE},
        ExpressionAttributeValues={":work": serialize(work.value), ":before": serialize(before)},
        Limit=PAGE_ITEMS,
        **paging,
    )
    items = [
        Marked(contact_of(item), item[TABLE_SORT_KEY]["S"], item[PENDING_SINCE]["S"])
        for item in response.get("Items", [])
    ]
    return items, response.get("LastEvaluatedKey")


def _redrive(delivery: Delivery) -> dict[str, int]:
    """Send what the dead-lettered ranges hold; delete each message whose records are all done."""
    queue_url = environment.required(ENV_DEAD_LETTERS)
    if not delivery.has_time():
        return {"received": 0, "redriven": 0}
    sqs = aws.client("sqs")
    try:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=DEAD_LETTERS_PER_SWEEP,
            # Hidden from the next sweep until this invocation has surely ended.
            VisibilityTimeout=ALERT_FUNCTION_TIMEOUT_SECONDS,
        ).get("Messages", [])
    except Exception as error:  # the next sweep asks again; the queue's alarm watches its depth
        logger.error("Dead letters not read", extra={"error": type(error).__name__})
        return {"received": 0, "redriven": 0}
    redriven = 0
    for message in messages:
        if not delivery.has_time():
            break
        records, whole = _read_range(message.get("Body", ""))
        failures = alert.process({"Records": records}, delivery) if records else []
        if whole and not failures:
            try:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                redriven += 1
            except Exception as error:  # redriven again next sweep: every record finds it sent
                logger.error("Dead letter not deleted", extra={"error": type(error).__name__})
        else:
            logger.warning(
                "Dead letter kept: records not done",
                extra={"messageId": message.get("MessageId"), "read": len(records),
                       "whole": whole, "notDone": failures},
            )  # fmt: skip
    return {"received": len(messages), "redriven": redriven}


def _read_range(body: str) -> tuple[list[dict[str, Any]], bool]:
    """The stream records a dead letter names, and whether they are all of its range."""
    try:
        info = json.loads(body)["DDBStreamBatchInfo"]
        first, last = info["startSequenceNumber"], int(info["endSequenceNumber"])
        streams = aws.client("dynamodbstreams")
        iterator = streams.get_shard_iterator(
            StreamArn=info["streamArn"],
            ShardId=info["shardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=first,
        )["ShardIterator"]
        records: list[dict[str, Any]] = []
        for _ in range(RANGE_READS):
            response = streams.get_records(ShardIterator=iterator)
            for record in response.get("Records", []):
                if int(record["dynamodb"]["SequenceNumber"]) > last:
                    return records, True
                records.append(record)
                if int(record["dynamodb"]["SequenceNumber"]) == last:
                    return records, True
            iterator = response.get("NextShardIterator")
            if not iterator:
                break
    except Exception as error:  # not a stream batch's record, or a range no longer held (24 h)
        logger.error("Dead-lettered range not read", extra={"error": type(error).__name__})
        return [], False
    return records, False

"""The results table's stream handed to the alert function, as the event source mapping does.

Offline stand-in for the mapping the stack creates: it reads the table's stream (moto), hands new
records to the handler in batches, keeps a batch's reported failures (and every record after the
first of them, as Lambda resumes from the lowest failed sequence number) for the next delivery,
and after `max_retries` failed deliveries of a record moves it to a dead-letter list.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

# What the stack sets on the event source mapping (stacks/alerts.py reads these).
BATCH_SIZE: Final = 100
MAX_RETRIES: Final = 10
MAX_RECORD_AGE_SECONDS: Final = 6 * 3600


@dataclass
class TableStream:
    """The stream of one table, read from the start, delivered on demand."""

    client: Any  # a boto3 dynamodbstreams client
    stream_arn: str
    batch_size: int = BATCH_SIZE
    max_retries: int = MAX_RETRIES
    pending: list[dict[str, Any]] = field(default_factory=list)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    _iterator: str | None = None
    _attempts: dict[str, int] = field(default_factory=dict)

    def poll(self) -> None:
        """Move the records written since the last poll into `pending`."""
        self.pending.extend(_as_lambda_record(record) for record in self._read())

    def _read(self) -> list[dict[str, Any]]:
        """The records written since the last read, in order, as GetRecords returns them."""
        if self._iterator is None:
            shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            shard_id = shards["Shards"][0]["ShardId"]
            self._iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        response = self.client.get_records(ShardIterator=self._iterator)
        self._iterator = response.get("NextShardIterator", self._iterator)
        records: list[dict[str, Any]] = response.get("Records", [])
        return records

    def deliver(self, handler: Callable[[dict[str, Any], Any], Any], context: Any = None) -> int:
        """Poll, then hand every pending record to `handler` once; the number of records retried."""
        self.poll()
        retried: list[dict[str, Any]] = []
        while self.pending:
            batch = self.pending[: self.batch_size]
            try:
                kept = self._invoke(handler, batch, context)
            except BaseException:  # the function died: the batch was never acknowledged
                self.pending = retried + self.pending
                raise
            self.pending = self.pending[self.batch_size :]
            retried.extend(kept)
        self.pending = retried
        return len(retried)

    def _invoke(
        self,
        handler: Callable[[dict[str, Any], Any], Any],
        batch: list[dict[str, Any]],
        context: Any,
    ) -> list[dict[str, Any]]:
        try:
            response = handler({"Records": batch}, context)
            failed = {
                str(item.get("itemIdentifier"))
                for item in (response or {}).get("batchItemFailures", [])
            }
        except Exception:  # a function error retries the whole batch
            failed = {_sequence(record) for record in batch}
        numbers = [_sequence(record) for record in batch]
        first = next((i for i, number in enumerate(numbers) if number in failed), None)
        if first is None:
            return []
        kept = []
        for record in batch[first:]:
            number = _sequence(record)
            self._attempts[number] = self._attempts.get(number, 0) + 1
            if self._attempts[number] > self.max_retries:
                self.dead_letters.append(record)
            else:
                kept.append(record)
        return kept


@dataclass
class EmbeddedTableStream(TableStream):
    """The same stream read from the embedded AWS's own state instead of through GetRecords.

    moto keeps a table's stream as a list of records; GetRecords serializes them to JSON and
    botocore parses them back, which is most of what a simulated call costs. Here the records
    written since the last read are copied straight from that list: the same records, in the
    same order (tests compare the two readers), at a fraction of the cost.
    """

    shard: Any = None  # moto's StreamShard of the table
    _read_up_to: int = 0

    def _read(self) -> list[dict[str, Any]]:
        items = self.shard.items[self._read_up_to :]
        self._read_up_to += len(items)
        records = [copy.deepcopy(item.to_json()) for item in items]
        for record in records:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(created, datetime):  # GetRecords carries milliseconds
                truncated = created.replace(microsecond=created.microsecond // 1000 * 1000)
                record["dynamodb"]["ApproximateCreationDateTime"] = truncated
        return records


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _as_lambda_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record as Lambda passes it: JSON, with the creation time in epoch seconds."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        # moto keeps it naive in UTC; GetRecords returns it with its zone.
        aware = created if created.tzinfo else created.replace(tzinfo=UTC)
        change["ApproximateCreationDateTime"] = aware.timestamp()
    return {**record, "dynamodb": change}

"""The results table's stream handed to the alert function, as Lambda's event source mapping does.

Offline stand-in for the mapping the stack creates, with the settings of the handler contract
(`contract.ALERT_STREAM`). What it models, from Lambda's pages on DynamoDB Streams
(services-ddb-batchfailurereporting, services-dynamodb-errors):

- The shard is read in order; a batch holds up to `batch_size` records, and the records after a
  failing batch wait until it succeeds or is discarded (one bad record blocks its shard).
- With ReportBatchItemFailures, the answer's `batchItemFailures` name records by sequence number.
  Lambda checkpoints before the lowest one named and retries every record of the batch from it on
  (those after it too, even if they succeeded). An empty list, or no answer, is success; an
  identifier that is missing, empty or not in the batch fails the whole batch.
- A function error (an exception, a crash) fails the whole batch; with BisectBatchOnFunctionError
  the batch is split in two, and splitting costs no retry.
- After `max_retries` retries of a batch (counted from its first failure, across the partial
  retries that follow it: the pages leave open how Lambda counts those, and counting them is the
  stricter reading) the records still failing are discarded: the on-failure destination gets an
  invocation record naming the discarded range (DDBStreamBatchInfo), never the records.

Not modelled: the pause between retries (undocumented; here a retry comes at the next
`deliver`), and the maximum record age (retries run out long before it here).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from connect_survey.lambda_asset.survey.contract import ALERT_STREAM

if TYPE_CHECKING:
    from collections.abc import Callable

# The invocation record's condition when the retries of a batch ran out.
RETRIES_EXHAUSTED = "RetryAttemptsExhausted"


@dataclass
class DeadLetter:
    """One discarded batch: the invocation record Lambda sends, and (for tests) its records."""

    invocation: dict[str, Any]
    records: list[dict[str, Any]]

    @property
    def sequence_numbers(self) -> list[str]:
        return [_sequence(record) for record in self.records]


@dataclass
class _Batch:
    """A batch on its way: its records and how often it has been retried."""

    records: list[dict[str, Any]]
    retries: int = 0


@dataclass
class TableStream:
    """The stream of one table, read from the start, delivered on demand."""

    client: Any  # a boto3 dynamodbstreams client
    stream_arn: str
    batch_size: int = ALERT_STREAM.batch_size
    max_retries: int = ALERT_STREAM.max_retries
    bisect_on_error: bool = ALERT_STREAM.bisect_on_error
    pending: list[dict[str, Any]] = field(default_factory=list)  # read, not yet in a batch
    dead_letters: list[DeadLetter] = field(default_factory=list)
    # The on-failure destination: each discarded batch's invocation record goes there
    on_failure: Callable[[dict[str, Any]], None] | None = None
    invocations: list[dict[str, Any]] = field(default_factory=list)  # every answer, in order
    _retrying: list[_Batch] = field(default_factory=list)  # failed batches, retried first
    _iterator: str | None = None
    _shard_id: str = ""

    def poll(self) -> None:
        """Move the records written since the last poll into `pending`."""
        self.pending.extend(_as_lambda_record(record) for record in self._read())

    def _read(self) -> list[dict[str, Any]]:
        """The records written since the last read, in order, as GetRecords returns them."""
        if self._iterator is None:
            shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            self._shard_id = shards["Shards"][0]["ShardId"]
            self._iterator = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=self._shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        response = self.client.get_records(ShardIterator=self._iterator)
        self._iterator = response.get("NextShardIterator", self._iterator)
        records: list[dict[str, Any]] = response.get("Records", [])
        return records

    @property
    def waiting(self) -> int:
        """Records delivered and failed, waiting for their retry."""
        return sum(len(batch.records) for batch in self._retrying)

    def deliver(self, handler: Callable[[dict[str, Any], Any], Any], context: Any = None) -> int:
        """Poll, then invoke `handler` in shard order until a batch fails (its retry is the next
        `deliver`) or nothing is left; the number of records waiting for a retry."""
        self.poll()
        while self._retrying or self.pending:
            if self._retrying:
                batch = self._retrying.pop(0)
            else:
                batch = _Batch(self.pending[: self.batch_size])
                self.pending = self.pending[self.batch_size :]
            try:
                again = self._invoke(handler, batch, context)
            except BaseException:  # the function died: the batch was never acknowledged
                self._retrying.insert(0, _Batch(batch.records, batch.retries + 1))
                raise
            if again:
                self._retrying[:0] = again
                return self.waiting
        return 0

    def drain(self, handler: Callable[[dict[str, Any], Any], Any], context: Any = None) -> None:
        """Deliver until nothing waits for a retry: every batch succeeded or was discarded."""
        while self.deliver(handler, context):
            pass

    def _invoke(
        self, handler: Callable[[dict[str, Any], Any], Any], batch: _Batch, context: Any
    ) -> list[_Batch]:
        """One invocation; the batches to retry before anything else (none on success)."""
        numbers = [_sequence(record) for record in batch.records]
        try:
            response = handler({"Records": copy.deepcopy(batch.records)}, context)
        except Exception:
            self.invocations.append({"error": True, "records": numbers})
            if self.bisect_on_error and len(batch.records) > 1:
                half = len(batch.records) // 2
                return [
                    _Batch(batch.records[:half], batch.retries),
                    _Batch(batch.records[half:], batch.retries),
                ]
            return self._retry(batch.records, batch.retries)
        self.invocations.append({"response": response, "records": numbers})
        first = _first_failed(response, numbers)
        if first is None:
            return []
        return self._retry(batch.records[first:], batch.retries)

    def _retry(self, records: list[dict[str, Any]], retries: int) -> list[_Batch]:
        """The records to retry as one batch, or none when its retries ran out (discarded)."""
        if retries < self.max_retries:
            return [_Batch(records, retries + 1)]
        letter = DeadLetter(self._invocation_record(records, retries), records)
        self.dead_letters.append(letter)
        if self.on_failure is not None:
            self.on_failure(letter.invocation)
        return []

    def _invocation_record(self, records: list[dict[str, Any]], retries: int) -> dict[str, Any]:
        """What Lambda sends the on-failure destination: the discarded range, not the records."""
        arrivals = [record["dynamodb"].get("ApproximateCreationDateTime") for record in records]
        return {
            "requestContext": {
                "condition": RETRIES_EXHAUSTED,
                "approximateInvokeCount": retries + 1,
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "DDBStreamBatchInfo": {
                "shardId": self._shard_id,
                "startSequenceNumber": _sequence(records[0]),
                "endSequenceNumber": _sequence(records[-1]),
                "approximateArrivalOfFirstRecord": _timestamp(arrivals[0]),
                "approximateArrivalOfLastRecord": _timestamp(arrivals[-1]),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }


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
        self._shard_id = str(getattr(self.shard, "id", ""))
        items = self.shard.items[self._read_up_to :]
        self._read_up_to += len(items)
        records = [copy.deepcopy(item.to_json()) for item in items]
        for record in records:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(created, datetime):  # GetRecords carries milliseconds
                truncated = created.replace(microsecond=created.microsecond // 1000 * 1000)
                record["dynamodb"]["ApproximateCreationDateTime"] = truncated
        return records


def _first_failed(response: Any, numbers: list[str]) -> int | None:
    """Where Lambda resumes: the position of the lowest sequence number the answer names; None
    for success; 0 (the whole batch) for an answer Lambda reads as a complete failure."""
    failures = response.get("batchItemFailures") if isinstance(response, dict) else None
    if not failures:
        return None
    positions = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(identifier, str) or identifier not in numbers:
            return 0
        positions.append(numbers.index(identifier))
    return min(positions)


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def _timestamp(created: Any) -> str | None:
    if isinstance(created, int | float):
        return datetime.fromtimestamp(created, UTC).isoformat(timespec="seconds")
    return None


def _as_lambda_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record as Lambda passes it: JSON, with the creation time in epoch seconds."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        # moto keeps it naive in UTC; GetRecords returns it with its zone.
        aware = created if created.tzinfo else created.replace(tzinfo=UTC)
        change["ApproximateCreationDateTime"] = aware.timestamp()
    return {**record, "dynamodb": change}

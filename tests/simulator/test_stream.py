"""The simulator's event source mapping keeps Lambda's documented stream semantics: shard order,
resuming from the lowest reported failure, bisecting on errors, and discarding a batch whose
retries ran out with an invocation record of its range."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from connect_survey.simulator.stream import RETRIES_EXHAUSTED, TableStream


@dataclass
class ListStream(TableStream):
    """A stream whose records are numbered 1, 2, ... as they are written."""

    written: list[dict[str, Any]] = field(default_factory=list)
    _read_up_to: int = 0

    def write(self, count: int) -> None:
        first = len(self.written) + 1
        for number in range(first, first + count):
            self.written.append(
                {"eventName": "INSERT", "dynamodb": {"SequenceNumber": str(number)}}
            )

    def _read(self) -> list[dict[str, Any]]:
        records = self.written[self._read_up_to :]
        self._read_up_to = len(self.written)
        return records


def stream(records: int, **settings: Any) -> ListStream:
    made = ListStream(client=None, stream_arn="arn:aws:dynamodb:r:1:table/t/stream/s", **settings)
    made.write(records)
    return made


class Handler:
    """Fails the records named in `failing` (reporting them, or raising), and logs each batch."""

    def __init__(self, *failing: str, raises: bool = False) -> None:
        self.failing, self.raises = set(failing), raises
        self.batches: list[list[str]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        numbers = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        self.batches.append(numbers)
        failed = [number for number in numbers if number in self.failing]
        if failed and self.raises:
            raise RuntimeError("function error")
        return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}


def test_stream_retries_from_the_lowest_reported_failure_with_every_record_after_it() -> None:
    # GIVEN six records in one batch, and a function failing records 5 and 3 until fixed
    records, handler = stream(6), Handler("5", "3")

    # WHEN the stream delivers, the failures clear, and it delivers again
    left = records.deliver(handler)
    handler.failing.clear()
    again = records.deliver(handler)

    # THEN the retry resumed at record 3 and carried 4, 5 and 6, which had succeeded
    assert (left, again) == (4, 0)
    assert handler.batches == [["1", "2", "3", "4", "5", "6"], ["3", "4", "5", "6"]]


def test_stream_holds_back_later_records_while_a_batch_is_retried() -> None:
    # GIVEN batches of two, and a function failing record 2
    records, handler = stream(4, batch_size=2), Handler("2")

    # WHEN the stream delivers, then delivers again once the fault cleared
    records.deliver(handler)
    handler.failing.clear()
    records.deliver(handler)

    # THEN records 3 and 4 waited for the retry of 2: the shard is read in order
    assert handler.batches == [["1", "2"], ["2"], ["3", "4"]]


@pytest.mark.parametrize("answer", [{"batchItemFailures": [{"itemIdentifier": "9"}]},
                                    {"batchItemFailures": [{"itemIdentifier": ""}]},
                                    {"batchItemFailures": [{"identifier": "2"}]}])  # fmt: skip
def test_stream_takes_an_identifier_it_cannot_place_as_a_failure_of_the_whole_batch(
    answer: dict[str, Any],
) -> None:
    # GIVEN a function naming a record not in the batch, an empty one, or under a wrong key
    records = stream(3)
    batches: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append(len(event["Records"]))
        return answer if len(batches) == 1 else {}

    # WHEN the stream delivers twice
    # THEN the whole batch came again
    assert records.deliver(handler) == 3
    assert records.deliver(handler) == 0
    assert batches == [3, 3]


def test_stream_discards_a_batch_whose_retries_ran_out_with_a_record_of_its_range() -> None:
    # GIVEN five records, a function failing record 3 for good, and two retries allowed
    records, handler = stream(5, max_retries=2), Handler("3")

    # WHEN the stream delivers until nothing waits
    records.drain(handler)

    # THEN record 3 was delivered three times with those after it, then discarded with them
    assert handler.batches == [["1", "2", "3", "4", "5"]] + [["3", "4", "5"]] * 2
    [dead] = records.dead_letters
    assert dead.sequence_numbers == ["3", "4", "5"]
    assert dead.invocation["requestContext"]["condition"] == RETRIES_EXHAUSTED
    info = dead.invocation["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        "3",
        "5",
        3,
    )


def test_stream_bisects_a_batch_on_a_function_error_without_spending_retries() -> None:
    # GIVEN four records, a function that raises whenever record 3 is in its batch, and one
    # retry allowed
    records, handler = stream(4, max_retries=1), Handler("3", raises=True)

    # WHEN the stream delivers until nothing waits
    records.drain(handler)

    # THEN the halves isolated record 3, which alone spent its retry and was discarded
    assert handler.batches == [["1", "2", "3", "4"], ["1", "2"], ["3", "4"], ["3"], ["3"], ["4"]]
    assert [dead.sequence_numbers for dead in records.dead_letters] == [["3"]]

"""The alert benchmark runs round after round on one table, whose stream carries each round's
answers and the outbox items the alert function wrote in the rounds before."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from connect_survey.bench import outbox
from connect_survey.lambda_asset.survey import aws

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def restored_environment() -> Iterator[None]:
    """The benchmark sets the alert function's environment in this process: put it back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    aws.reset_clients()


@pytest.mark.usefixtures("restored_environment")
def test_alert_bench_runs_past_the_rounds_that_left_outbox_items_on_the_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a small benchmark: a warm-up round and two timed rounds, a low answer in each ten
    monkeypatch.setattr(outbox, "RECORDS", 30)
    monkeypatch.setattr(outbox, "WARM_UP_RECORDS", 10)
    monkeypatch.setattr(outbox, "ROUNDS", 2)

    # WHEN it runs
    rows = outbox.alert_batch()

    # THEN both rows are measured: each round found exactly its own answers on the stream
    assert len(rows) == 2
    assert rows[0][0].startswith("alert function: batch of 30 stream records")
    assert all(row[1].endswith(" ms") and row[3].endswith("x") for row in rows)

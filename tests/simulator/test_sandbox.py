"""The embedded AWS: handlers run with the stack's environment and leave nothing behind."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aws_lambda_powertools import Metrics

from connect_survey.config.stage import load_stage
from connect_survey.flow_language.engine import LambdaContext
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.items import Answer, OutboxItem, Summary, result_item
from connect_survey.simulator.sandbox import SimulatedClock, embedded_aws
from connect_survey.simulator.simulate import CallSetup, Simulator
from connect_survey.simulator.stream import EmbeddedTableStream, TableStream
from tests.infra.conftest import ROOT


@pytest.fixture
def stage() -> Any:
    return load_stage(json.loads((ROOT / "cdk.json").read_text())["context"], "dev").offline


def test_sandbox_leaves_no_metric_in_the_shared_powertools_buffer(stage: Any) -> None:
    # GIVEN a survey played through the real handlers with metrics disabled
    with embedded_aws(stage) as sandbox:
        Simulator(stage, sandbox).run("on-demand-survey", CallSetup(keys=["4", "4", "4"]))

    # THEN no metric waits in the buffer (at 100 values Powertools would print it to stdout)
    assert Metrics().metric_set == {}


def test_only_one_embedded_aws_runs_at_a_time(stage: Any) -> None:
    with (
        embedded_aws(stage),
        pytest.raises(RuntimeError, match="already running"),
        embedded_aws(stage),
    ):
        pass


def test_sandbox_refuses_reads_once_stopped(stage: Any) -> None:
    with embedded_aws(stage) as sandbox:
        report = Simulator(stage, sandbox).run("on-demand-survey", CallSetup(keys=["4"]))
    with pytest.raises(RuntimeError, match="embedded AWS has stopped"):
        _ = report.results


def test_sandbox_stream_delivers_the_records_get_records_returns(stage: Any) -> None:
    # GIVEN a low-scoring survey played through the real handlers: answers, the summary, and
    # the alert function's claim and sentAt writes all land on the table's stream
    with embedded_aws(stage) as sandbox:
        Simulator(stage, sandbox).run("on-demand-survey", CallSetup(keys=["1", "4", "2"]))

        # WHEN the stream is read from the start from moto's state and through GetRecords
        shard = sandbox.stream.shard
        arn = sandbox.stream.stream_arn
        direct = EmbeddedTableStream(client=None, stream_arn=arn, shard=shard)
        streams = sandbox._session.client(
            "dynamodbstreams",
            endpoint_url=f"https://streams.dynamodb.{sandbox.region}.amazonaws.com",
        )
        api = TableStream(client=streams, stream_arn=arn)
        direct.poll()
        api.poll()

    # THEN both hold the same records (new images included), in the same order
    items = [result_item(record["dynamodb"]["NewImage"]) for record in direct.pending]
    assert any(isinstance(item, Summary) for item in items)
    assert any(isinstance(item, Answer) and item.question == "effort" for item in items)
    assert any(isinstance(item, OutboxItem) and "sns" in item.sent for item in items)
    assert direct.pending == api.pending


def test_handlers_run_on_the_simulated_clock_capped_at_their_timeout() -> None:
    # GIVEN the engine's context for a flow that waits 8 s (its clock runs in real time)
    context = LambdaContext(
        function_name="survey-dev-score",
        invoked_function_arn="arn:aws:lambda:us-east-1:111122223333:function:survey-dev-score",
        aws_request_id="request-1",
        deadline=time.monotonic() + 8,
    )

    # WHEN the embedded AWS hands it to a handler, and time passes on the machine
    simulated = SimulatedClock.of(context)
    before = simulated.get_remaining_time_in_millis()
    time.sleep(0.05)

    # THEN the handler sees its function timeout left, not moving: a loaded machine never makes
    # it abandon a call at its deadline; everything else is the engine's context
    timeout_ms = CALL_PATH.function_timeout_seconds * 1000
    assert before == simulated.get_remaining_time_in_millis() == timeout_ms
    assert simulated.aws_request_id == "request-1"
    assert SimulatedClock.of(None) is None

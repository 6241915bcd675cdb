"""Score, finish and eligibility answer at least 0.5 s before their function timeout, whatever
DynamoDB does.

DynamoDB is replaced by local loopback sockets: one that accepts and never answers (a black
hole), a port nobody listens on (refused), a server answering every call correctly after 1.4 s,
and one whose replies trickle in a byte every 0.9 s (botocore's read timeout restarts with each
byte: only the handlers' absolute deadline ends those calls). The handlers' clients are pointed
at them through boto3's endpoint variable; the Lambda context counts down in real time from the
function timeout of the time budget.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from connect_survey.lambda_asset.survey import aws, eligibility, sampling
from connect_survey.lambda_asset.survey.budget import CALL_PATH
from connect_survey.lambda_asset.survey.sampling import Decision, SamplingPolicy
from tests.lambda_asset.conftest import CountdownContext, warm_clients
from tests.lambda_asset.loopback_dynamodb import DRIP_SECONDS, LoopbackDynamoDB

if TYPE_CHECKING:
    from collections.abc import Iterator

ALL = "connectContactFlowEventAll"
TIMEOUT_S = CALL_PATH.function_timeout_seconds
REQUIRED_SPARE_S = 0.5
SLOW_CALL_S = 1.4


def black_hole() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def refusing_port() -> Iterator[str]:
    """A port with nobody listening: every connection is refused at once."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"http://127.0.0.1:{port}"


class SlowDynamoDB(BaseHTTPRequestHandler):
    """Answers each DynamoDB call correctly (nothing stored yet), after SLOW_CALL_S."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        operation = self.headers["X-Amz-Target"].rpartition(".")[2]
        time.sleep(SLOW_CALL_S)
        reply: dict[str, Any] = {}
        if operation == "BatchGetItem":
            tables = body.get("RequestItems", {})
            reply = {"Responses": {name: [] for name in tables}, "UnprocessedKeys": {}}
        payload = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: Any) -> None:
        return


def slow_dynamodb() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowDynamoDB)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def dripping_dynamodb() -> Iterator[str]:
    """Every reply, status line first, one byte every 0.9 s."""
    yield from LoopbackDynamoDB(drip=lambda operation, table: True).serve()


DRIP = f"1 byte every {DRIP_SECONDS} s"
FAULTS = {
    "black-hole": black_hole,
    "refused": refusing_port,
    "1.4 s per call": slow_dynamodb,
    DRIP: dripping_dynamodb,
}


@pytest.fixture(params=sorted(FAULTS))
def faulty_dynamodb(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The handlers' DynamoDB client talks to the fault instead of the embedded AWS."""
    endpoints = FAULTS[request.param]()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", next(endpoints))
    aws.reset_clients()
    warm_clients()
    yield request.param
    next(endpoints, None)
    aws.reset_clients()


def timed(call: Any) -> tuple[dict[str, str], float]:
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_score_handler_answers_before_its_timeout_whatever_dynamodb_does(
    load_event: Any, score_handler: Any, faulty_dynamodb: str
) -> None:
    # GIVEN a valid answer and a DynamoDB that hangs, refuses or takes 1.4 s
    event = load_event(ALL, parameters={"question": "effort", "digits": "2"})

    # WHEN the score handler runs with the budget's function timeout
    answer, seconds = timed(lambda: score_handler(event, CountdownContext()))

    # THEN it answers with time to spare, and the valid answer still reaches the flow
    assert seconds <= TIMEOUT_S - REQUIRED_SPARE_S, faulty_dynamodb
    assert (answer["valid"], answer["score"]) == ("true", "2")
    if faulty_dynamodb != "1.4 s per call":
        assert (answer["stored"], answer["reason"]) == ("false", "storage_error")


def test_finish_handler_answers_before_its_timeout_and_escalates_from_attributes(
    load_event: Any, finish_handler: Any, faulty_dynamodb: str
) -> None:
    # GIVEN a low score the flow set as a contact attribute, and a faulty DynamoDB
    event = load_event(
        ALL,
        parameters={"mode": "escalation"},
        attributes={"EffortScore": "1", "PromoterScore": "4"},
    )

    # WHEN the finish handler runs with the budget's function timeout
    answer, seconds = timed(lambda: finish_handler(event, CountdownContext()))

    # THEN it answers with time to spare and still offers the supervisor
    assert seconds <= TIMEOUT_S - REQUIRED_SPARE_S, faulty_dynamodb
    assert (answer["escalate"], answer["lowest"], answer["answered"]) == ("true", "1", "2")


@pytest.mark.parametrize("on_error", ["offer", "skip"])
def test_eligibility_handler_answers_before_its_timeout_whatever_dynamodb_does(
    faulty_dynamodb: str, monkeypatch: pytest.MonkeyPatch, on_error: str
) -> None:
    # GIVEN a 30-day cooldown whose table sits behind a faulty DynamoDB (the secret is readable)
    secret_arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="caller-key", SecretString="key"
    )["ARN"]
    policy = SamplingPolicy(cooldown_days=30, on_error=on_error)
    environment = sampling.sampling_environment(
        policy=policy, cooldown_table="cooldown", secret_arn=secret_arn
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    sampling.caller_secrets.clear()
    call = {"ContactId": "budget", "CustomerEndpoint": {"Address": "+15555550100"}}
    event = {"Details": {"ContactData": call, "Parameters": {}}}

    # WHEN the inbound flow's eligibility check runs with the budget's function timeout
    answer, seconds = timed(lambda: eligibility.handler(event, CountdownContext()))

    # THEN it answers with time to spare: a slow table still decides, an unreachable one
    # leaves the decision to onError
    assert seconds <= TIMEOUT_S - REQUIRED_SPARE_S, faulty_dynamodb
    if faulty_dynamodb == "1.4 s per call":
        assert answer["decision"] == Decision.OFFER
    else:
        assert answer["decision"] == Decision.UNDECIDED
        assert answer["eligible"] == ("true" if on_error == "offer" else "false")

"""Lambda calls as Connect makes them: the event, the context, the limits, `$.External`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.flow_language.engine import (
    CallResult,
    Flow,
    LambdaTimeout,
    Simulation,
    UnknownFunctionError,
)
from connect_survey.flow_language.engine import invoke as invoke_module
from connect_survey.flow_language.engine.actions import interactions
from tests.flow_language.fixtures.flowdocs import action, flow, say

if TYPE_CHECKING:
    from collections.abc import Callable

ARN = "arn:aws:lambda:us-east-1:123456789012:function:survey-score"


def invoke(
    identifier: str = "score", next_action: str = "report", **parameters: Any
) -> dict[str, Any]:
    return action(
        identifier,
        "InvokeLambdaFunction",
        {
            "LambdaFunctionARN": ARN,
            "InvocationTimeLimitSeconds": "3",
            "LambdaInvocationAttributes": {"question": "effort", "digits": "$.Attributes.digits"},
            **parameters,
        },
        next_action=next_action,
        errors=[("NoMatchingError", "failed")],
    )


REPORT = say("report", "valid $.External.valid, score $.External.score.")
FAILED = say("failed", "failed, valid '$.External.valid'")


def keep(seen: list[dict[str, Any]]) -> Callable[[dict[str, Any], Any], dict[str, str]]:
    """A handler that keeps each event it gets and answers valid."""

    def handler(event: dict[str, Any], _context: Any) -> dict[str, str]:
        seen.append(event)
        return {"valid": "true"}

    return handler


def play(
    handler: Callable[[dict[str, Any], Any], Any],
    *actions: dict[str, Any],
    attributes: dict[str, str] | None = None,
    **options: Any,
) -> CallResult:
    document = flow(*(actions or (invoke(),)), REPORT, FAILED)
    simulation = Simulation(functions={ARN: handler}, **options)
    return simulation.run(Flow("tiny", document), attributes=attributes or {"digits": "4"})


class FakeClock:
    """Stands in for time.monotonic so a handler can take "9 seconds" instantly."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(invoke_module, "time", fake)
    monkeypatch.setattr(interactions, "time", fake)
    return fake


def test_engine_sends_the_event_connect_sends(load_event: Callable[..., dict[str, Any]]) -> None:
    # GIVEN a handler that keeps its event, after a target queue was set
    seen: list[dict[str, Any]] = []
    queue_arn = "arn:aws:connect:us-east-1:123456789012:instance/i/queue/q1"
    document = [
        action("queue", "UpdateContactTargetQueue", {"QueueId": queue_arn}, next_action="score"),
        invoke(),
    ]
    play(
        keep(seen),
        *document,
        queues={queue_arn: "sales"},
    )
    # THEN it has the shape of Connect's sample event, with the parameters resolved
    [event] = seen
    sample = load_event("connectContactFlowEventAll")
    assert event["Name"] == "ContactFlowEvent"
    assert set(event["Details"]["ContactData"]) == set(sample["Details"]["ContactData"])
    assert event["Details"]["Parameters"] == {"question": "effort", "digits": "4"}
    data = event["Details"]["ContactData"]
    assert data["Attributes"] == {"digits": "4"}
    assert data["Queue"]["ARN"] == queue_arn and data["Queue"]["Name"] == "sales"
    assert (data["Channel"], data["InitiationMethod"]) == ("VOICE", "INBOUND")


def test_engine_sends_no_queue_before_one_is_set() -> None:
    seen: list[dict[str, Any]] = []
    play(keep(seen))
    assert seen[0]["Details"]["ContactData"]["Queue"] is None


def test_engine_gives_the_handler_a_lambda_context(clock: FakeClock) -> None:
    # GIVEN a handler that reads its context while "1.5 s" pass
    seen: dict[str, Any] = {}

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen["before"] = context.get_remaining_time_in_millis()
        clock.now += 1.5
        seen["after"] = context.get_remaining_time_in_millis()
        seen["names"] = (context.function_name, context.invoked_function_arn)
        seen["request"] = context.aws_request_id
        seen["memory"] = context.memory_limit_in_mb
        return {"valid": "true"}

    play(handler)
    # THEN the context counts down from the flow's limit and names the function
    assert (seen["before"], seen["after"]) == (3000, 1500)
    assert seen["names"] == ("survey-score", ARN)
    assert seen["request"] and isinstance(seen["memory"], int)


def test_engine_replaces_external_wholesale_on_each_lambda_call() -> None:
    # GIVEN two calls: the first answers valid and score, the second only valid
    answers = iter([{"valid": "true", "score": "4"}, {"valid": "false"}])
    result = play(
        lambda _event, _context: next(answers), invoke(next_action="again"), invoke("again")
    )
    # THEN the score of the first answer is gone after the second
    assert result.prompts == ["valid false, score ."]
    assert [i["response"] for i in result.lambda_invocations] == [
        {"valid": "true", "score": "4"},
        {"valid": "false"},
    ]


def test_engine_records_each_lambda_invocation() -> None:
    result = play(lambda _event, _context: {"valid": "true", "score": "4"})
    assert result.lambda_invocations == [
        {
            "function": ARN,
            "parameters": {"question": "effort", "digits": "4"},
            "response": {"valid": "true", "score": "4"},
        }
    ]


def fail(_event: dict[str, Any], _context: Any) -> dict[str, str]:
    raise ValueError("table not found")


def stuck(_event: dict[str, Any], _context: Any) -> dict[str, str]:
    raise LambdaTimeout


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (fail, "raised ValueError: table not found"),
        (stuck, "timed out (limit 3 s)"),
        (lambda _e, _c: {"score": 4}, "'score': 4 is not a string to string entry (STRING_MAP)"),
        (
            lambda _e, _c: {"score": {"value": "4"}},
            "'score': {'value': '4'} is not a string to string entry (STRING_MAP)",
        ),
        (lambda _e, _c: None, "returned NoneType, not a JSON object"),
        (lambda _e, _c: ["4"], "returned list, not a JSON object"),
        (
            lambda _e, _c: {"big": "x" * 33_000},
            "returned 33011 bytes; a STRING_MAP response must stay under 32 KB",
        ),
    ],
    ids=["raises", "times-out", "number", "nested", "none", "list", "too-big"],
)
def test_engine_lambda_failure_takes_no_matching_error(handler: Any, error: str) -> None:
    # GIVEN a first call that answered, then a failing one
    answers = iter([{"valid": "true"}])

    def first_then(event: dict[str, Any], context: Any) -> Any:
        return next(answers, None) or handler(event, context)

    result = play(first_then, invoke(next_action="again"), invoke("again"))
    # THEN the flow goes down NoMatchingError, $.External is empty, the error is recorded
    assert result.prompts == ["failed, valid ''"]
    assert result.lambda_invocations[-1]["error"] == error
    assert "response" not in result.lambda_invocations[-1]


def test_engine_lambda_slower_than_its_limit_fails(clock: FakeClock) -> None:
    def slow(_event: dict[str, Any], _context: Any) -> dict[str, str]:
        clock.now += 3.5
        return {"valid": "true"}

    result = play(slow)
    assert result.prompts == ["failed, valid ''"]
    assert result.lambda_invocations[0]["error"] == "took 3.50 s, over the 3 s limit"


def test_engine_lambda_limit_can_be_ignored_for_slow_machines(clock: FakeClock) -> None:
    def slow(_event: dict[str, Any], _context: Any) -> dict[str, str]:
        clock.now += 3.5
        return {"valid": "true", "score": "5"}

    assert play(slow, enforce_time_limits=False).prompts == ["valid true, score 5."]


def test_engine_json_response_may_nest() -> None:
    document = [
        invoke(ResponseValidation={"ResponseType": "JSON"}, next_action="nested"),
        say("nested", "score $.External.result.score of $.External.result.max, ok $.External.ok"),
    ]
    result = play(lambda _e, _c: {"result": {"score": 4, "max": "5"}, "ok": True}, *document)
    assert result.prompts == ["score 4 of 5, ok true"]


def test_engine_asynchronous_lambda_leaves_external_alone() -> None:
    answers = iter([{"valid": "true", "score": "4"}, {"valid": "false"}])
    document = [invoke(next_action="async"), invoke("async", InvocationType="ASYNCHRONOUS")]
    result = play(lambda _e, _c: next(answers), *document)
    assert result.prompts == ["valid true, score 4."]
    assert "response" not in result.lambda_invocations[1]


def test_engine_unknown_lambda_is_an_error_not_a_branch() -> None:
    document = flow(invoke(), REPORT, FAILED)
    with pytest.raises(UnknownFunctionError) as raised:
        Simulation().run(Flow("tiny", document))
    assert str(raised.value) == f"tiny: score: no Lambda handler registered for '{ARN}'"


def test_engine_finds_handlers_through_a_resolver_function() -> None:
    def resolve(arn: str) -> Any:
        return (
            (lambda _e, _c: {"valid": arn.rsplit(":", 1)[-1], "score": "1"}) if arn == ARN else None
        )

    result = Simulation(functions=resolve).run(Flow("tiny", flow(invoke(), REPORT, FAILED)))
    assert result.prompts == ["valid survey-score, score 1."]

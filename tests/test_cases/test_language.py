"""The Testing language as data: what parses into which objects, and what is refused in one line."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connect_survey.test_cases.language import (
    Assertion,
    EndTest,
    EventType,
    FlowActionType,
    HangUp,
    LanguageError,
    LogData,
    Matching,
    MessageKind,
    MockError,
    MockResult,
    Override,
    PressKeys,
    Speak,
    Substitute,
    Usage,
    UsageType,
    parse_content,
)
from tests.test_cases.cases import (
    check,
    content,
    end_test,
    event,
    hang_up,
    heard,
    instruction,
    log_data,
    mock_data,
    mock_error,
    observation,
    override,
    press,
    started,
)

SCORE = {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:survey-dev-score"}


def valid() -> dict[str, Any]:
    return content(
        observation(
            "start",
            event("TestInitiated"),
            [override("fail-score", "InvokeLambdaFunction", SCORE, mock_error("NoMatchingError"))],
        ),
        heard("q1", "easy to get", [press("five", "5")], ["bye"]),
        heard(
            "bye",
            "Goodbye",
            [check("status", "$.Attributes.SurveyStatus", "Equals", "complete"), end_test()],
            matching="Similarity",
        ),
        started("never", "InvokeLambdaFunction", {}, usage={"Type": "AtMost", "Times": 0}),
    )


def test_a_case_parses_into_typed_observations_events_and_actions() -> None:
    parsed = parse_content(valid())
    assert parsed.starting == ("start", "q1", "never")
    start, q1, bye, never = parsed.observations
    assert start.event.type is EventType.TEST_INITIATED
    [mocked] = start.actions
    assert isinstance(mocked, Override)
    assert mocked.action_type is FlowActionType.INVOKE_LAMBDA_FUNCTION
    assert mocked.resource == SCORE["LambdaFunctionARN"]
    assert mocked.strategy == MockError("NoMatchingError")
    assert q1.event.message is not None
    assert (q1.event.message.kind, q1.event.message.matching) == (
        MessageKind.TEXT,
        Matching.INCLUSION,
    )
    assert q1.actions == (PressKeys("five", "5"),)
    assert q1.next_observations == ("bye",)
    assert bye.actions == (Assertion("status", "$.Attributes.SurveyStatus", "Equals", "complete"),
                           EndTest("end"))  # fmt: skip
    assert never.usage == Usage(UsageType.AT_MOST, 0)
    assert (never.usage.minimum, never.usage.maximum) == (0, 0)
    assert never.event.flow_action is not None and never.event.flow_action.parameters == ()


def test_actions_run_in_next_action_order_not_in_list_order() -> None:
    actions = [
        {**end_test("last"), "Transitions": {}},
        {**log_data("first", {"id": "$.ContactId"}), "Transitions": {"NextAction": "middle"}},
        {**hang_up("middle"), "Transitions": {"NextAction": "last"}},
    ]
    document = content(observation("only", event("TestInitiated")))
    document["Observations"][0]["Actions"] = actions
    [only] = parse_content(document).observations
    assert [type(action) for action in only.actions] == [LogData, HangUp, EndTest]


def test_usage_defaults_and_bounds() -> None:
    assert (Usage().minimum, Usage().maximum, Usage().done_when_matched) == (1, 1, True)
    assert (Usage(UsageType.EXACTLY, 2).minimum, Usage(UsageType.EXACTLY, 2).maximum) == (2, 2)
    assert (Usage(UsageType.AT_LEAST, 2).minimum, Usage(UsageType.AT_LEAST, 2).maximum) == (2, None)
    assert (Usage(UsageType.ALWAYS, 0).minimum, Usage(UsageType.ALWAYS, 0).maximum) == (0, None)


def test_documented_strategies_parse() -> None:
    queue = {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q"}
    hours = {"HoursOfOperationId": "hours-id"}
    document = content(
        observation("start", event("TestInitiated"), [
            override("full", "TransferContactToQueue", queue, mock_error("QueueAtCapacity")),
            override("late", "InvokeLambdaFunction", SCORE, mock_data({"valid": "true"}, delay=9)),
            override("other", "InvokeLambdaFunction", SCORE,
                     {"Type": "SubstituteResource", "SubstituteArn": "arn:other"}),
            override("closed", "CheckHoursOfOperation", hours, {
                "Type": "MockResponse",
                "Response": {"Type": "ExecutionResult", "ExecutionResult": {"Value": "OutOfHours"}},
            }),
        ]),
    )  # fmt: skip
    strategies = [action.strategy for action in parse_content(document).observations[0].actions]  # type: ignore[union-attr]
    assert strategies == [
        MockError("QueueAtCapacity"),
        MockResult(loaded_data={"valid": "true"}, delay_seconds=9),
        Substitute("arn:other"),
        MockResult(value="OutOfHours"),
    ]


def test_an_utterance_is_part_of_the_language() -> None:
    """The runner refuses it offline; the language itself has it."""
    said = instruction(
        "say", {"Type": "Utterance", "Properties": {"Value": "yes", "LanguageCode": "en-US"}}
    )
    [only] = parse_content(content(heard("q", "question", [said]))).observations
    assert only.actions == (Speak("say", "yes"),)


def _edited(path: str, value: Any) -> dict[str, Any]:
    """The valid case with one member replaced (`None` removes it); path like `1.Event.Actor`."""
    document = copy.deepcopy(valid())
    *parents, last = path.split(".")
    target: Any = document["Observations"]
    for step in parents:
        target = target[int(step)] if step.isdigit() else target[step]
    key: Any = int(last) if last.isdigit() else last
    if value is None:
        del target[key]
    else:
        target[key] = value
    return document


REFUSED = [
    ("1.Event.Type", "Ring", "observation q1: unknown event type 'Ring'"),
    (
        "1.Event.Actor",
        "Agent",
        "observation q1: MessageReceived has Actor 'Agent'; every event's Actor is \"System\"",
    ),
    ("1.Event.Identifier", None, "observation q1: the Event has no Identifier"),
    ("1.Identifier", None, "Observations[1]: has no Identifier"),
    ("1.Actions.0.Type", "Wait", "observation q1, action five: unknown action type 'Wait'"),
    ("1.Actions.0.Parameters.Actor", "Agent", "only the customer is simulated"),
    ("1.Actions.0.Parameters.Instruction.Type", "Whistle", "unknown instruction type 'Whistle'"),
    (
        "1.Actions.0.Parameters.Instruction.Properties",
        {"Value": "x"},
        "DtmfInput Value 'x' is not phone keys",
    ),
    (
        "1.Actions.0.Parameters.ActionType",
        None,
        'must repeat the type: "ActionType": "SendInstruction"',
    ),
    ("1.Actions.0.Transitions", {"NextAction": ""}, '("NextAction": "" is rejected live)'),
    (
        "1.Actions.0.Transitions",
        {"NextAction": "elsewhere"},
        "NextAction names 'elsewhere', which is no action",
    ),
    (
        "1.Transitions",
        {"NextObservations": ["nowhere"]},
        "NextObservations names 'nowhere', which is no observation",
    ),
    (
        "2.Actions.0.Parameters.Operator",
        "Matches",
        "observation bye, action status: unknown operator 'Matches'",
    ),
    ("2.Actions.0.Parameters.Operand", None, "Equals needs an Operand"),
    ("2.Actions.0.Parameters.Operand", 5, "Equals needs an Operand, as text"),
    ("2.Actions.0.Parameters.Namespace", "Attributes.X", "must be a JSON path into the contact"),
    ("2.Actions.1.Parameters.Command", {"Type": "Pause"}, "unknown TestControl command 'Pause'"),
    ("2.Actions.1.Transitions", {"NextAction": "status"}, "the actions' order is unclear"),
    ("1.Event.Properties.MatchingCriteria", "Inclusion", "is a bare string"),
    (
        "1.Event.Properties.MatchingCriteria",
        {"Type": "Regex"},
        "unknown MatchingCriteria Type 'Regex'",
    ),
    ("1.Event.Properties.MatchingCriteria", None, "needs MatchingCriteria"),
    ("1.Event.Properties.Text", "", "must be non-empty text"),
    ("1.Event.MatchingCriteria", {"Type": "Inclusion"}, "(put MatchingCriteria inside Properties)"),
    ("3.Usage", {"Type": "EXACTLY"}, "outdated AWS example"),
    ("3.Usage", {"Type": "AtLeast"}, "Usage AtLeast needs Times"),
    (
        "3.Event.Properties.ActionType",
        "UpdateContactAttributes",
        "FlowActionStarted cannot observe 'UpdateContactAttributes'",
    ),
    ("3.Event.Properties.ActionParameters", {"FunctionName": "x"}, "unknown key 'FunctionName'"),
    (
        "0.Actions.0.Parameters.Behavior.Properties.ActionParameters",
        {},
        "an empty object is rejected live",
    ),
    (
        "0.Actions.0.Parameters.Behavior.Properties.Strategy",
        mock_error("QueueAtCapacity"),
        "InvokeLambdaFunction cannot fail with 'QueueAtCapacity'",
    ),
    (
        "0.Actions.0.Parameters.Behavior.Properties.Strategy",
        {
            "Type": "MockResponse",
            "Response": {"Type": "ExecutionResult", "ExecutionResult": {"LoadedData": "not json"}},
        },
        "LoadedData must be a JSON object serialized as a string",
    ),
    ("2.Transitions", {"NextObservations": ["q1"]}, "EndTest ends the test, so NextObservations"),
    (None, {**valid(), "Version": "2025-06-21"}, 'write "Version": "2019-10-30"'),
    (None, {**valid(), "Observations": []}, "Observations must be a non-empty list"),
    (None, {**valid(), "Extra": 1}, "Content: unknown key 'Extra'"),
]


@pytest.mark.parametrize(("path", "value", "message"), REFUSED)
def test_constructs_outside_the_language_are_refused_in_one_line(
    path: str | None, value: Any, message: str
) -> None:
    # GIVEN the valid case with one member changed (`path`), or another document (`value`)
    document = _edited(path, value) if path is not None else value
    with pytest.raises(LanguageError) as raised:
        parse_content(document)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_observation_no_start_leads_to_is_refused() -> None:
    document = content(
        heard("a", "x", then=["b"]),
        heard("b", "y", then=["c"]),
        heard("c", "z", then=["b"]),
    )
    parse_content(document)  # b and c are reached from a
    document["Observations"][0]["Transitions"] = {}
    with pytest.raises(LanguageError, match="observation b: is never active"):
        parse_content(document)


def test_an_action_after_end_test_is_refused() -> None:
    document = content(heard("a", "x", [end_test(), press("late", "1")]))
    with pytest.raises(LanguageError, match="action end: EndTest ends the test, so the actions"):
        parse_content(document)

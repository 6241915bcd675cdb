"""Builders of Testing-language documents, so tests write cases the way readers think of them."""

from __future__ import annotations

import itertools
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

CALLER = "+15555550100"
NEVER = {"Type": "AtMost", "Times": 0}


def chained(actions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions in the order given, linked by NextAction, the last with `{}`."""
    linked = [dict(action) for action in actions]
    for action, following in itertools.pairwise(linked):
        action["Transitions"] = {"NextAction": following["Identifier"]}
    if linked:
        linked[-1]["Transitions"] = {}
    return linked


def observation(
    identifier: str,
    event: dict[str, Any],
    actions: Sequence[dict[str, Any]] = (),
    then: Sequence[str] = (),
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    built: dict[str, Any] = {"Identifier": identifier, "Event": event, "Actions": chained(actions)}
    if usage is not None:
        built["Usage"] = usage
    built["Transitions"] = {"NextObservations": list(then)} if then else {}
    return built


def heard(
    identifier: str,
    text: str,
    actions: Sequence[dict[str, Any]] = (),
    then: Sequence[str] = (),
    usage: dict[str, Any] | None = None,
    matching: str = "Inclusion",
) -> dict[str, Any]:
    """An observation of a MessageReceived with Text."""
    properties = {"Text": text, "MatchingCriteria": {"Type": matching}}
    return observation(identifier, event("MessageReceived", properties), actions, then, usage)


def started(
    identifier: str,
    action_type: str,
    parameters: dict[str, Any],
    actions: Sequence[dict[str, Any]] = (),
    then: Sequence[str] = (),
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An observation of a FlowActionStarted."""
    properties = {"ActionType": action_type, "ActionParameters": parameters}
    return observation(identifier, event("FlowActionStarted", properties), actions, then, usage)


def event(kind: str, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Identifier": f"{kind}-event",
        "Type": kind,
        "Actor": "System",
        "Properties": properties or {},
    }


def press(identifier: str, keys: str) -> dict[str, Any]:
    return instruction(identifier, {"Type": "DtmfInput", "Properties": {"Value": keys}})


def hang_up(identifier: str = "hang-up") -> dict[str, Any]:
    return instruction(identifier, {"Type": "Disconnect", "Properties": {}})


def instruction(identifier: str, what: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "SendInstruction",
        "Parameters": {"ActionType": "SendInstruction", "Actor": "Customer", "Instruction": what},
    }


def check(identifier: str, namespace: str, operator: str, operand: str | None) -> dict[str, Any]:
    parameters = {"Namespace": namespace, "Operator": operator}
    if operand is not None:
        parameters["Operand"] = operand
    return {"Identifier": identifier, "Type": "Assert", "Parameters": parameters}


def end_test(identifier: str = "end") -> dict[str, Any]:
    return control(identifier, {"Type": "EndTest"})


def log_data(identifier: str, expressions: dict[str, str]) -> dict[str, Any]:
    return control(identifier, {"Type": "LogData", "Properties": {"Expressions": expressions}})


def control(identifier: str, command: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "TestControl",
        "Parameters": {"ActionType": "TestControl", "Command": command},
    }


def override(
    identifier: str, action_type: str, parameters: dict[str, Any], strategy: dict[str, Any]
) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "ActionType": "OverrideSystemBehavior",
            "Behavior": {
                "Type": "FlowAction",
                "Properties": {
                    "ActionType": action_type,
                    "ActionParameters": parameters,
                    "Strategy": strategy,
                },
            },
        },
    }


def mock_error(value: str, delay: float | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"Value": value}
    if delay is not None:
        error["DelaySeconds"] = delay
    return {"Type": "MockResponse", "Response": {"Type": "Error", "Error": error}}


def mock_data(data: dict[str, str], delay: float = 0) -> dict[str, Any]:
    result = {"DelaySeconds": delay, "LoadedData": json.dumps(data)}
    return {
        "Type": "MockResponse",
        "Response": {"Type": "ExecutionResult", "ExecutionResult": result},
    }


def content(*observations: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2019-10-30", "Metadata": {}, "Observations": list(observations)}


def case(
    *observations: dict[str, Any],
    flow: str = "on-demand-survey",
    attributes: dict[str, str] | None = None,
    caller: str | None = CALLER,
) -> dict[str, Any]:
    """A case file's JSON: the flow to start at (a key of the stage) and the observations."""
    parameters = {"FlowId": f"{{{{flow:{flow}}}}}"}
    if caller is not None:
        parameters["SourcePhoneNumber"] = caller
    return {
        "Name": "a case",
        "Description": "written by a test",
        "EntryPoint": {"Type": "VOICE_CALL", "VoiceCallEntryPointParameters": parameters},
        "InitializationData": {"Attributes": attributes or {}},
        "Content": content(*observations),
    }


def write(folder: Path, stem: str, document: dict[str, Any] | str) -> Path:
    path = folder / f"{stem}.json"
    text = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


# The survey's prompts in the dev stage (English), as a case would quote them.
Q1 = "It was easy to get my issue handled"
Q2 = "I would recommend us to a friend or colleague"
Q3 = "very satisfied with the call I just had"
GOODBYE = "Thank you for your feedback"
INVALID = "That is not a valid answer"
NOT_RECORDED = "we could not record that answer"


def answers(*keys: str, then: str = "goodbye") -> list[dict[str, Any]]:
    """The three questions, each answered with its key, the last leading to `then`."""
    questions = [("q1", Q1), ("q2", Q2), ("q3", Q3)]
    built = []
    for index, ((identifier, text), key) in enumerate(zip(questions, keys, strict=True)):
        following = [questions[index + 1][0]] if index < len(questions) - 1 else [then]
        built.append(heard(identifier, text, [press(f"press-{identifier}", key)], following))
    return built

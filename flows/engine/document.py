"""Read-only views of a Flow Language document: the flow, its actions and their transitions.

https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flows.engine.errors import InvalidFlowError


@dataclass(frozen=True)
class Branch:
    """One entry of `Transitions.Conditions`: where to go when `condition` is true."""

    condition: Mapping[str, Any]
    target: str


@dataclass(frozen=True)
class Action:
    """One action of a flow, with its transitions already checked for shape."""

    flow: str
    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None
    conditions: tuple[Branch, ...]
    errors: Mapping[str, str]


class Flow:
    """A parsed flow: its name (the flow key in this project), start action and actions by id."""

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise InvalidFlowError(name, "", "the document must be a JSON object")
        self.name = name
        self.document = document
        raw_actions = document.get("Actions")
        if not isinstance(raw_actions, list):
            raise InvalidFlowError(name, "", "Actions must be a list")
        self.actions: dict[str, Action] = {}
        for index, raw in enumerate(raw_actions):
            action = _action(name, index, raw)
            if action.identifier in self.actions:
                raise InvalidFlowError(name, action.identifier, "identifier is used twice")
            self.actions[action.identifier] = action
        start = document.get("StartAction")
        if not isinstance(start, str) or start not in self.actions:
            raise InvalidFlowError(name, "", f"StartAction {start!r} names no action")
        self.start: str = start

    def __repr__(self) -> str:
        return f"Flow({self.name!r}, {len(self.actions)} actions)"


def _action(flow: str, index: int, raw: Any) -> Action:
    where = f"Actions[{index}]"
    if not isinstance(raw, Mapping):
        raise InvalidFlowError(flow, where, "an action must be a JSON object")
    identifier = raw.get("Identifier")
    if not isinstance(identifier, str) or not identifier:
        raise InvalidFlowError(flow, where, "Identifier must be a non-empty string")
    action_type = raw.get("Type")
    if not isinstance(action_type, str):
        raise InvalidFlowError(flow, identifier, "Type must be a string")
    parameters = raw.get("Parameters", {})
    transitions = raw.get("Transitions", {})
    if not isinstance(parameters, Mapping) or not isinstance(transitions, Mapping):
        raise InvalidFlowError(flow, identifier, "Parameters and Transitions must be objects")
    next_action = transitions.get("NextAction")
    if next_action is not None and not isinstance(next_action, str):
        raise InvalidFlowError(flow, identifier, "Transitions.NextAction must be a string")
    return Action(
        flow=flow,
        identifier=identifier,
        type=action_type,
        parameters=parameters,
        next_action=next_action,
        conditions=tuple(_branches(flow, identifier, transitions.get("Conditions", []))),
        errors=_errors(flow, identifier, transitions.get("Errors", [])),
    )


def _branches(flow: str, identifier: str, raw: Any) -> list[Branch]:
    if not isinstance(raw, list):
        raise InvalidFlowError(flow, identifier, "Transitions.Conditions must be a list")
    branches = []
    for entry in raw:
        target = entry.get("NextAction") if isinstance(entry, Mapping) else None
        condition = entry.get("Condition") if isinstance(entry, Mapping) else None
        if not isinstance(target, str) or not isinstance(condition, Mapping):
            raise InvalidFlowError(
                flow, identifier, "each condition needs a NextAction and a Condition object"
            )
        branches.append(Branch(condition, target))
    return branches


def _errors(flow: str, identifier: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, list):
        raise InvalidFlowError(flow, identifier, "Transitions.Errors must be a list")
    errors: dict[str, str] = {}
    for entry in raw:
        error_type = entry.get("ErrorType") if isinstance(entry, Mapping) else None
        target = entry.get("NextAction") if isinstance(entry, Mapping) else None
        if not isinstance(error_type, str) or not isinstance(target, str):
            raise InvalidFlowError(flow, identifier, "each error needs an ErrorType and NextAction")
        errors.setdefault(error_type, target)
    return errors

"""Read-only views of a Flow Language document: the flow, its actions and their transitions.

https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connect_survey.flow_language.engine.errors import InvalidFlowError
from connect_survey.flow_language.spec import (
    ACTIONS_PROBLEM,
    DUPLICATE_IDENTIFIER_PROBLEM,
    IDENTIFIER_PROBLEM,
    action_problems,
    entries,
    is_text,
    parameters,
    start_problem,
    transitions,
)


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
    """A parsed flow: its name (the flow key in this project), start action and actions by id.

    The document must have the shape `flow_language.spec` describes (the linter's `action-shape`);
    the first problem found is raised as `InvalidFlowError`.
    """

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        if not isinstance(document, Mapping):
            raise InvalidFlowError(name, "", "the document must be a JSON object")
        self.name = name
        self.document = document
        raw_actions = document.get("Actions")
        if not isinstance(raw_actions, list):
            raise InvalidFlowError(name, "", ACTIONS_PROBLEM)
        self.actions: dict[str, Action] = {}
        for index, raw in enumerate(raw_actions):
            action = _action(name, index, raw)
            if action.identifier in self.actions:
                raise InvalidFlowError(name, action.identifier, DUPLICATE_IDENTIFIER_PROBLEM)
            self.actions[action.identifier] = action
        problem = start_problem(document, set(self.actions))
        if problem is not None:
            raise InvalidFlowError(name, "", problem)
        self.start: str = document["StartAction"]

    def __repr__(self) -> str:
        return f"Flow({self.name!r}, {len(self.actions)} actions)"


def _action(flow: str, index: int, raw: Any) -> Action:
    if not isinstance(raw, Mapping) or not is_text(raw.get("Identifier")):
        raise InvalidFlowError(flow, f"Actions[{index}]", IDENTIFIER_PROBLEM)
    identifier = raw["Identifier"]
    problems = action_problems(raw)
    if problems:
        raise InvalidFlowError(flow, identifier, problems[0])
    errors: dict[str, str] = {}
    for entry in entries(raw, "Errors"):
        errors.setdefault(entry["ErrorType"], entry["NextAction"])  # the first branch wins
    return Action(
        flow=flow,
        identifier=identifier,
        type=raw["Type"],
        parameters=parameters(raw),
        next_action=transitions(raw).get("NextAction"),
        conditions=tuple(
            Branch(entry["Condition"], entry["NextAction"]) for entry in entries(raw, "Conditions")
        ),
        errors=errors,
    )

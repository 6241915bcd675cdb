"""Read-only views of a Flow Language document: the flow, its actions and their transitions.

https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine.errors import InvalidFlowError
from connect_survey.flow_language.lint import errors, lint
from connect_survey.flow_language.spec import entries

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True)
class Branch:
    """One entry of `Transitions.Conditions`: where to go when `condition` is true."""

    condition: Mapping[str, Any]
    target: str


@dataclass(frozen=True)
class Action:
    """One action of a flow, as the linter has checked it."""

    flow: str
    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None
    conditions: tuple[Branch, ...]
    errors: Mapping[str, str]


class Flow:
    """A parsed flow: its name (the flow key in this project), start action and actions by id.

    The simulator plays only what Connect would publish and could run: a document the linter
    rejects with an error raises `InvalidFlowError` carrying the rule ids (warnings do not stop
    it: the call plays, and stops where a missing branch is needed).
    """

    def __init__(self, name: str, document: Mapping[str, Any]) -> None:
        rejected = errors(lint(document, name))
        if rejected:
            raise InvalidFlowError(name, rejected)
        self.name = name
        self.document = document
        self.actions: dict[str, Action] = {
            raw["Identifier"]: _action(name, raw) for raw in document["Actions"]
        }
        self.start: str = document["StartAction"]

    def __repr__(self) -> str:
        return f"Flow({self.name!r}, {len(self.actions)} actions)"


def _action(flow: str, raw: Mapping[str, Any]) -> Action:
    transitions = raw["Transitions"]
    return Action(
        flow=flow,
        identifier=raw["Identifier"],
        type=raw["Type"],
        parameters=raw["Parameters"],
        next_action=transitions.get("NextAction"),
        conditions=tuple(
            Branch(entry["Condition"], entry["NextAction"]) for entry in entries(raw, "Conditions")
        ),
        errors={entry["ErrorType"]: entry["NextAction"] for entry in entries(raw, "Errors")},
    )

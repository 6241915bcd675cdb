"""Action rules: each action checked against its type's constraints, one rule per kind.

The rules are the checks of `flow_language.checks`, each reported under its kind as the rule id
(`range`, `one-of`, `dead-end`...) with the severity the check declares, for every action of a
type the spec knows (the `action-type` rule reports the others).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.checks import CHECKS, problems
from connect_survey.flow_language.lint.registry import Document, Problem, register
from connect_survey.flow_language.spec import ACTION_TYPES, type_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def _rule(kind: str) -> Callable[[Document], Iterator[Problem]]:
    def each_action(doc: Document) -> Iterator[Problem]:
        for action in doc.actions:
            if type_name(action) in ACTION_TYPES:
                for message in problems(kind, action):
                    yield (action, message)

    return each_action


for registered in CHECKS.values():
    register(registered.kind, __name__, _rule(registered.kind), registered.severity)

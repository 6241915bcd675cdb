"""Action rules: each action checked against its type's constraints, one rule per kind.

The rules are the checks of `flow_language.checks`, each reported under its kind as the rule id
(`range`, `one-of`, `dead-end`...) with the severity the check declares, for every action of a
type the spec knows (the `action-type` rule reports the others).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from connect_survey.flow_language.checks import CHECKS, problems
from connect_survey.flow_language.lint.registry import Document, Problem, register
from connect_survey.flow_language.spec import ACTION_TYPES, type_name

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@lru_cache(maxsize=1)  # every kind's rule reads the same document's problems: check it once
def _found(doc: Document) -> dict[str, list[Problem]]:
    """The problems of every action of a known type, by kind, in document order."""
    found: dict[str, list[Problem]] = {kind: [] for kind in CHECKS}
    for action in doc.actions:
        if type_name(action) in ACTION_TYPES:
            for kind, message in problems(action):
                found[kind].append((action, message))
    return found


def _rule(kind: str) -> Callable[[Document], Iterator[Problem]]:
    def each_action(doc: Document) -> Iterator[Problem]:
        yield from _found(doc)[kind]

    return each_action


for registered in CHECKS.values():
    register(registered.kind, __name__, _rule(registered.kind), registered.severity)

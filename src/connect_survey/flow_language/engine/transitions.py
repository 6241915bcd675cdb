"""Choosing the next action: the success branch, the first true condition, or an error branch.

A missing branch is never papered over: it raises `DeadEndError`, because on a real call the
contact would be stuck (or dropped) at that block.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.engine.conditions import holds
from connect_survey.flow_language.engine.errors import DeadEndError
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.spec import NO_MATCHING_CONDITION, NO_MATCHING_ERROR

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action
    from connect_survey.flow_language.engine.run import Run


def succeed(action: Action) -> str:
    """The success branch (`NextAction`)."""
    if action.next_action is None:
        raise DeadEndError(action.flow, action.identifier, "success (NextAction)")
    return action.next_action


def branch_on(run: Run, action: Action, result: str) -> str:
    """The first condition true of `result`, else the NoMatchingCondition error branch."""
    for branch in action.conditions:
        if holds(branch.condition, result):
            return branch.target
    return fail(run, action, NO_MATCHING_CONDITION, f"no condition matches {result!r}")


def fail(run: Run, action: Action, error_type: str, why: str) -> str:
    """The branch for `error_type`, with NoMatchingError catching what has no branch of its own."""
    taken = error_type if error_type in action.errors else NO_MATCHING_ERROR
    target = action.errors.get(taken)
    if target is None:
        raise DeadEndError(action.flow, action.identifier, f"error {error_type} ({why})")
    run.log(action, EventKind.BRANCH, f"{error_type}: {why} -> {target}", error=error_type)
    return target

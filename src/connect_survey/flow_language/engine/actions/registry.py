"""The registry of action implementations: one function per Flow Language `Type`.

`@implements("Compare")` registers a function under a type `flow_language.spec` describes; a type
the language does not know, or one implemented twice, fails at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.spec import ACTION_TYPES

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.flow_language.engine.run import ActionFunction

ACTIONS: dict[str, ActionFunction] = {}
"""Action type → its implementation."""


def implements(action_type: str) -> Callable[[ActionFunction], ActionFunction]:
    """Register the decorated function as the simulator's implementation of `action_type`."""
    if action_type not in ACTION_TYPES:
        raise ValueError(f"{action_type!r} is not an action type of flow_language.spec")

    def register(function: ActionFunction) -> ActionFunction:
        if action_type in ACTIONS:
            raise ValueError(f"{action_type!r} is implemented twice")
        ACTIONS[action_type] = function
        return function

    return register

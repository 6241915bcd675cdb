"""Reading action parameters: required values, bounded integers, enumerations, prompts.

Bounds and enumerations are those `connect_survey.flow_language.spec` gives the action's type.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine.errors import InvalidParameterError
from connect_survey.flow_language.engine.state import EventKind
from connect_survey.flow_language.spec import ACTION_TYPES, PROMPT_KEYS, whole_number

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action
    from connect_survey.flow_language.engine.run import Run

SSML_TAG = re.compile(r"<[^>]+>")


def required(action: Action, name: str) -> Any:
    if name not in action.parameters:
        raise InvalidParameterError(action.flow, action.identifier, f"{name} is required")
    return action.parameters[name]


def mapping(action: Action, name: str) -> Mapping[str, Any]:
    value = required(action, name)
    if not isinstance(value, Mapping):
        raise InvalidParameterError(action.flow, action.identifier, f"{name} must be an object")
    return value


def resolved(run: Run, action: Action, raw: Any) -> Any:
    """A "static or single JSONPath" value that may also be written as a JSON number."""
    return run.value(action, raw) if isinstance(raw, str) else raw


def integer(action: Action, name: str, value: Any) -> int:
    """An integer written as a number or a string, within the limits of the parameter `name`."""
    number = whole_number(value)
    if number is None:
        raise InvalidParameterError(
            action.flow, action.identifier, f"{name} must be a whole number, got {value!r}"
        )
    allowed = ACTION_TYPES[action.type].limits[name]
    if number not in allowed:
        low, high = allowed.low, allowed.high
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameterError(
            action.flow, action.identifier, f"{name} must be {bounds}, got {number}"
        )
    return number


def required_integer(action: Action, name: str) -> int:
    return integer(action, name, required(action, name))


def choice(action: Action, name: str, value: Any = None) -> str:
    """One of the values the parameter `name` allows: `value` if given, else the parameter's own
    (or its default when absent)."""
    allowed = ACTION_TYPES[action.type].choices[name]
    if value is None:
        value = action.parameters.get(name, allowed.default or "")
    if value not in allowed.values:
        raise InvalidParameterError(
            action.flow,
            action.identifier,
            f"{name} must be one of {', '.join(sorted(allowed.values))}, got {value!r}",
        )
    return str(value)


def speak(run: Run, action: Action, *, optional: bool = False) -> None:
    """Play the action's Text, SSML or PromptId to the caller (exactly one may be given)."""
    given = [key for key in PROMPT_KEYS if key in action.parameters]
    if len(given) > 1 or (not given and not optional):
        raise InvalidParameterError(
            action.flow,
            action.identifier,
            f"give exactly one of {', '.join(PROMPT_KEYS)} (got {', '.join(given) or 'none'})",
        )
    if not given:
        return
    key = given[0]
    raw = action.parameters[key]
    if key == "PromptId":
        heard = f"[prompt {run.value(action, raw)}]"
    elif key == "SSML":
        heard = html.unescape(SSML_TAG.sub("", run.text(action, raw))).strip()
    else:
        heard = run.text(action, raw)
    run.state.prompts.append(heard)
    run.log(action, EventKind.PROMPT, heard, source=key)

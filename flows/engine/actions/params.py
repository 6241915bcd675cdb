"""Reading action parameters: required values, bounded integers, enumerations, prompts."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from flows.engine.errors import InvalidParameterError
from flows.engine.state import EventKind

if TYPE_CHECKING:
    from flows.engine.document import Action
    from flows.engine.run import Run

PROMPT_KEYS = ("Text", "SSML", "PromptId")
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


def integer(action: Action, name: str, value: Any, low: int, high: int | None = None) -> int:
    """An integer written as a number or a string, within [low, high]."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(
            action.flow, action.identifier, f"{name} must be a whole number, got {value!r}"
        )
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameterError(
            action.flow, action.identifier, f"{name} must be {bounds}, got {value}"
        )
    return value


def required_integer(action: Action, name: str, low: int, high: int | None = None) -> int:
    return integer(action, name, required(action, name), low, high)


def choice(action: Action, name: str, allowed: Collection[str], default: str) -> str:
    value = action.parameters.get(name, default)
    if value not in allowed:
        raise InvalidParameterError(
            action.flow,
            action.identifier,
            f"{name} must be one of {', '.join(sorted(allowed))}, got {value!r}",
        )
    return str(value)


def speak(run: Run, action: Action, *, optional: bool = False) -> None:
    """Play the action's Text, SSML or PromptId to the caller (exactly one may be given)."""
    given = [key for key in PROMPT_KEYS if key in action.parameters]
    if len(given) > 1 or (not given and not optional):
        raise InvalidParameterError(
            action.flow,
            action.identifier,
            f"give exactly one of Text, SSML, PromptId (got {', '.join(given) or 'none'})",
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

"""Participant rules: prompts, menus and stored input (GetParticipantInput, MessageParticipant)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connect_survey.flow_language.lint.registry import action_rule
from connect_survey.flow_language.spec import (
    PROMPT_KEYS,
    TERMINATOR_KEYS,
    choice,
    conditions,
    is_keys,
    is_text,
    limit,
    operand,
    parameters,
    stores_input,
    whole_number,
)

ASK = "GetParticipantInput"


@action_rule("prompt", "MessageParticipant", ASK)
def prompt(action: Mapping[str, Any]) -> Iterator[str]:
    given = [key for key in PROMPT_KEYS if key in parameters(action)]
    if len(given) != 1:
        yield f"give exactly one of {', '.join(PROMPT_KEYS)} (got {', '.join(given) or 'none'})"
    elif not is_text(parameters(action)[given[0]]):
        yield f"{given[0]} must be a non-empty string"


@action_rule("input-time-limit", ASK)
def input_time_limit(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("InputTimeLimitSeconds")
    if whole_number(value) not in limit(ASK, "InputTimeLimitSeconds"):
        yield f"InputTimeLimitSeconds must be a positive whole number, got {value!r}"


@action_rule("store-input", ASK)
def store_input(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("StoreInput")
    allowed = choice(ASK, "StoreInput").values
    if value not in allowed:
        yield f"StoreInput must be {' or '.join(map(_quoted, allowed))}, got {value!r}"


def _quoted(text: str) -> str:
    return f'"{text}"'


@action_rule("stored-input", ASK)
def stored_input(action: Mapping[str, Any]) -> Iterator[str]:
    if not stores_input(action):
        return
    validation = parameters(action).get("InputValidation")
    custom = validation.get("CustomValidation") if isinstance(validation, Mapping) else None
    if not isinstance(validation, Mapping) or not (
        "PhoneNumberValidation" in validation or isinstance(custom, Mapping)
    ):
        yield "stored input needs InputValidation"
    elif isinstance(custom, Mapping) and (
        whole_number(custom.get("MaximumLength")) not in limit(ASK, "MaximumLength")
    ):
        yield (
            f"MaximumLength must be a positive whole number, got {custom.get('MaximumLength')!r}"
        )
    yield from _terminator(action)


def _terminator(action: Mapping[str, Any]) -> Iterator[str]:
    config = parameters(action).get("DTMFConfiguration", {})
    sequence = config.get("InputTerminationSequence") if isinstance(config, Mapping) else None
    if sequence is not None and not (
        isinstance(sequence, str) and is_keys(sequence) and len(sequence) in TERMINATOR_KEYS
    ):
        yield (
            f"InputTerminationSequence must be {TERMINATOR_KEYS.low} to {TERMINATOR_KEYS.high} "
            f"keys of 0-9, *, #, got {sequence!r}"
        )


@action_rule("menu-conditions", ASK)
def menu_conditions(action: Mapping[str, Any]) -> Iterator[str]:
    if stores_input(action):
        return
    seen: set[str] = set()
    for condition in conditions(action):
        key = operand(condition)
        if condition.get("Operator") != "Equals" or key is None or not is_keys(key, most=1):
            yield (
                "a menu condition must be Equals on one key (0-9, *, #), "
                f"got {condition.get('Operator')} {condition.get('Operands')!r}"
            )
        elif key in seen:
            yield f"key {key} has two branches; the second is dead"
        else:
            seen.add(key)

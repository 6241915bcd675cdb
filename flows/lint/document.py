"""Document rules: version, start, the shape of each action, identifiers, types and sizes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from flows.language import (
    ACTION_TYPES,
    FORBIDDEN_CHARACTERS,
    FORBIDDEN_IDENTIFIERS,
    MAX_ACTIONS,
    MAX_CONTENT,
    MAX_IDENTIFIER,
    VERSION,
    transitions,
)
from flows.lint.registry import Document, Problem, is_text, rule


@rule("version")
def version(doc: Document) -> Iterator[Problem]:
    found = doc.raw.get("Version") if isinstance(doc.raw, Mapping) else None
    if found != VERSION:
        yield (None, f'Version must be "{VERSION}", got {found!r}')


@rule("start-action")
def start_action(doc: Document) -> Iterator[Problem]:
    start = doc.raw.get("StartAction") if isinstance(doc.raw, Mapping) else None
    if not isinstance(start, str) or start not in doc.ids:
        yield (None, f"StartAction {start!r} names no action")


@rule("action-shape")
def action_shape(doc: Document) -> Iterator[Problem]:
    if not isinstance(doc.raw, Mapping) or not isinstance(doc.raw.get("Actions"), list):
        yield (None, "Actions must be a list of actions")
        return
    for index, action in enumerate(doc.all_actions):
        if not isinstance(action, Mapping) or not is_text(action.get("Identifier")):
            yield (None, f"Actions[{index}] needs a non-empty string Identifier")
            continue
        yield from _action_fields(action)


def _action_fields(action: Mapping[str, Any]) -> Iterator[Problem]:
    if not isinstance(action.get("Type"), str):
        yield (action, "Type must be a string")
    for key in ("Parameters", "Transitions"):
        if not isinstance(action.get(key), Mapping):
            yield (action, f"{key} must be an object (may be empty)")
    found = transitions(action)
    if "NextAction" in found and not is_text(found["NextAction"]):
        yield (action, "Transitions.NextAction must be an action id")
    for key, fields in (
        ("Conditions", ("NextAction", "Condition")),
        ("Errors", ("NextAction", "ErrorType")),
    ):
        entries = found.get(key, [])
        if not isinstance(entries, list) or not all(
            isinstance(e, Mapping) and all(field in e for field in fields) for e in entries
        ):
            yield (
                action,
                f"Transitions.{key} must be a list of {{{', '.join(fields)}}}",
            )


@rule("identifiers")
def identifiers(doc: Document) -> Iterator[Problem]:
    seen: set[str] = set()
    for action in doc.actions:
        identifier = action["Identifier"]
        if identifier in seen:
            yield (action, "identifier is used by more than one action")
        seen.add(identifier)
        if len(identifier) > MAX_IDENTIFIER:
            yield (action, f"identifier is {len(identifier)} characters; at most {MAX_IDENTIFIER}")
        bad = sorted(FORBIDDEN_CHARACTERS.intersection(identifier))
        if bad:
            yield (action, f"identifier contains {' '.join(bad)}")
        if identifier in FORBIDDEN_IDENTIFIERS:
            yield (action, f"{identifier!r} is a reserved identifier")


@rule("action-type")
def action_type(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        kind = action.get("Type")
        if isinstance(kind, str) and kind not in ACTION_TYPES:
            yield (action, f"unknown action type {kind!r}")


@rule("action-count")
def action_count(doc: Document) -> Iterator[Problem]:
    if len(doc.all_actions) > MAX_ACTIONS:
        yield (None, f"{len(doc.all_actions)} actions; a flow holds at most {MAX_ACTIONS}")


@rule("content-size")
def content_size(doc: Document) -> Iterator[Problem]:
    try:
        size = len(doc.content if doc.content is not None else json.dumps(doc.raw))
    except (TypeError, ValueError) as error:
        yield (None, f"the document is not JSON: {error}")
        return
    if size > MAX_CONTENT:
        yield (None, f"{size} characters of JSON; Content holds at most {MAX_CONTENT}")

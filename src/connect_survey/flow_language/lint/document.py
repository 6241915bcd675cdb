"""Document rules: version, start, the shape of each action, identifiers, types and sizes."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping

from connect_survey.flow_language.lint.registry import Document, Problem, rule
from connect_survey.flow_language.spec import (
    ACTION_TYPES,
    ACTIONS_PROBLEM,
    DUPLICATE_IDENTIFIER_PROBLEM,
    FORBIDDEN_CHARACTERS,
    FORBIDDEN_IDENTIFIERS,
    IDENTIFIER_PROBLEM,
    MAX_ACTIONS,
    MAX_CONTENT,
    MAX_IDENTIFIER,
    VERSION,
    action_problems,
    is_text,
    start_problem,
)


@rule("version")
def version(doc: Document) -> Iterator[Problem]:
    found = doc.raw.get("Version") if isinstance(doc.raw, Mapping) else None
    if found != VERSION:
        yield (None, f'Version must be "{VERSION}", got {found!r}')


@rule("start-action")
def start_action(doc: Document) -> Iterator[Problem]:
    problem = start_problem(doc.raw, doc.ids)
    if problem is not None:
        yield (None, problem)


@rule("action-shape")
def action_shape(doc: Document) -> Iterator[Problem]:
    if not isinstance(doc.raw, Mapping) or not isinstance(doc.raw.get("Actions"), list):
        yield (None, ACTIONS_PROBLEM)
        return
    for index, action in enumerate(doc.all_actions):
        if not isinstance(action, Mapping) or not is_text(action.get("Identifier")):
            yield (None, f"Actions[{index}] {IDENTIFIER_PROBLEM}")
            continue
        for problem in action_problems(action):
            yield (action, problem)


@rule("identifiers")
def identifiers(doc: Document) -> Iterator[Problem]:
    seen: set[str] = set()
    for action in doc.actions:
        identifier = action["Identifier"]
        if identifier in seen:
            yield (action, DUPLICATE_IDENTIFIER_PROBLEM)
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

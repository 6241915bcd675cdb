"""Graph rules: every transition leads somewhere, every action is reached, none is a dead end."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from connect_survey.flow_language.lint.registry import Document, Problem, rule
from connect_survey.flow_language.spec import (
    ACTION_TYPES,
    NO_MATCHING_ERROR,
    entries,
    error_types,
    is_text,
    leaves_by,
    targets,
    transitions,
    type_name,
)


@rule("transition-targets")
def transition_targets(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        # dict.fromkeys: one finding per missing target, however many branches name it
        for target in dict.fromkeys(t for t in targets(action) if isinstance(t, str)):
            if target not in doc.ids:
                yield (action, f"transition to unknown {target!r}")


@rule("unreachable")
def unreachable(doc: Document) -> Iterator[Problem]:
    by_id = {action["Identifier"]: action for action in doc.actions}
    start = doc.raw.get("StartAction") if isinstance(doc.raw, Mapping) else None
    reached: set[str] = {start} & by_id.keys() if isinstance(start, str) else set()
    queue = deque(reached)
    while queue:
        for target in targets(by_id[queue.popleft()]):
            if isinstance(target, str) and target in by_id and target not in reached:
                reached.add(target)
                queue.append(target)
    for action in doc.actions:
        if action["Identifier"] not in reached:
            yield (action, "no path from StartAction leads here")


@rule("dead-end")
def dead_end(doc: Document) -> Iterator[Problem]:
    """Every action but a terminal one needs a way on for its outcome."""
    for action in doc.actions:
        if type_name(action) not in ACTION_TYPES:
            continue
        how = leaves_by(action)
        if how == "next" and not is_text(transitions(action).get("NextAction")):
            yield (action, "no NextAction: the call would be stuck here")
        elif how == "conditions" and not entries(action, "Conditions"):
            yield (action, "no Conditions: every result would be stuck here")
        elif how == "errors" and NO_MATCHING_ERROR not in error_types(action):
            yield (action, "no NoMatchingError branch: a failed transfer would be stuck")


# Console exports always write a NextAction on these, though they leave by errors/conditions.
CONSOLE_NEXT_ACTION = {
    "TransferContactToQueue": "the NoMatchingError target",
    "Loop": "the DoneLooping target",
}


@rule("console-next-action")
def console_next_action(doc: Document) -> Iterator[Problem]:
    """Write what console exports always carry: a NextAction where the console writes one."""
    for action in doc.of_type(*CONSOLE_NEXT_ACTION):
        if not is_text(transitions(action).get("NextAction")):
            yield (
                action,
                f"no NextAction: console exports of {action['Type']} always carry one "
                f"({CONSOLE_NEXT_ACTION[action['Type']]})",
            )


@rule("error-types")
def error_types_known(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        known = ACTION_TYPES.get(type_name(action))
        if known is None:
            continue
        seen: set[str] = set()
        for error_type in error_types(action):
            if error_type not in known.errors:
                yield (action, f"{action['Type']} has no error {error_type!r}")
            if error_type in seen:
                yield (action, f"error {error_type!r} has two branches")
            seen.add(error_type)

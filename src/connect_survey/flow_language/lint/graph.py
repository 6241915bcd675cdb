"""Graph rules: every transition leads somewhere; an action nothing leads to is reported.

Whether each action has the branches its outcome needs (`dead-end`) is a constraint of its form,
checked with the other action rules (`lint.actions`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping

from connect_survey.flow_language.lint.registry import Document, Problem, rule
from connect_survey.flow_language.spec import targets


@rule("transition-targets")
def transition_targets(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        # dict.fromkeys: one finding per missing target, however many branches name it
        for target in dict.fromkeys(t for t in targets(action) if isinstance(t, str)):
            if target not in doc.ids:
                yield (action, f"transition to unknown {target!r}")


# The flow designer saves and publishes flows with blocks nothing leads to; they never run.
@rule("unreachable", severity="warning")
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

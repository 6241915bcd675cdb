"""A readable transcript of a simulated call, one line per event, grouped by flow run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connect_survey.flow_language.engine.invoke import function_name
from connect_survey.flow_language.engine.state import CallResult, Event, EventKind

LINES = {
    EventKind.PROMPT: 'says "{text}"',
    EventKind.KEYS: "caller presses {text}",
    EventKind.TIMEOUT: "caller presses nothing ({text})",
    EventKind.HANG_UP: "{text}",
    EventKind.ATTRIBUTE: "set {text}",
    EventKind.QUEUE: "target queue {text}",
    EventKind.CALLBACK: "{text}",
    EventKind.HOOK: "event hook {text}",
    EventKind.SETTING: "{text}",
    EventKind.BRANCH: "-> {text}",
    EventKind.END: "{text}",
}
ENDINGS = {
    "flow": "The flow ended the call.",
    "caller": "The caller hung up.",
    "agent": "The agent hung up and no disconnect flow was set.",
}


def format_transcript(result: CallResult) -> str:
    """The call as lines a person can follow: who said what, what ran, what changed."""
    width = max((len(event.action) for event in result.events), default=0)
    lines: list[str] = []
    for event in result.events:
        if event.kind is EventKind.FLOW:
            lines.append(f"== {event.text} ==")
        else:
            lines.append(f"  {event.action:<{width}}  {_describe(event)}".rstrip())
    lines.append(ENDINGS[result.ended_by])
    if result.unused_input:
        lines.append(f"Never asked for: {', '.join(result.unused_input)}")
    return "\n".join(lines)


def _describe(event: Event) -> str:
    if event.kind is EventKind.LAMBDA:
        return _lambda(event.data)
    if event.kind is EventKind.TRANSFER:
        queue = event.data.get("queue")
        if event.data.get("ok"):
            return f"transfer to queue {queue}: an agent answers"
        return f"transfer to queue {queue} fails: the queue is full"
    return LINES[event.kind].format(text=event.text)


def _lambda(data: Mapping[str, Any]) -> str:
    call = f"lambda {function_name(data['function'])}({_pairs(data['parameters'])})"
    if "error" in data:
        return f"{call} failed: {data['error']}"
    if "response" in data:
        return f"{call} -> {_pairs(data['response'])}"
    return f"{call} (not waited for)"


def _pairs(values: Any) -> str:
    if isinstance(values, Mapping):
        return ", ".join(f"{key}={value}" for key, value in values.items())
    return repr(values)

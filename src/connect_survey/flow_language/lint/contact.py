"""Contact rules: attributes, event hooks, the target queue, callback number, voice, recording."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connect_survey.flow_language.lint.registry import action_rule
from connect_survey.flow_language.spec import (
    EVENT_HOOKS,
    RECORDED_PARTICIPANTS,
    is_path,
    is_text,
    parameters,
)


@action_rule("attributes", "UpdateContactAttributes")
def attributes(action: Mapping[str, Any]) -> Iterator[str]:
    values = parameters(action).get("Attributes")
    if not isinstance(values, Mapping) or not values:
        yield "Attributes must be a non-empty object"
    elif not all(isinstance(value, str) for value in values.values()):
        yield "attribute values must be strings"


@action_rule("event-hooks", "UpdateContactEventHooks")
def event_hooks(action: Mapping[str, Any]) -> Iterator[str]:
    hooks = parameters(action).get("EventHooks")
    if not isinstance(hooks, Mapping) or len(hooks) != 1:
        count = len(hooks) if isinstance(hooks, Mapping) else 0
        yield f"EventHooks must hold exactly one hook, got {count}"
        return
    [(hook, flow)] = hooks.items()
    if hook not in EVENT_HOOKS:
        yield f"unknown event hook {hook!r}"
    if not is_text(flow):
        yield f"{hook} must name a flow (ARN or id)"


@action_rule("target-queue", "UpdateContactTargetQueue", "CreateCallbackContact")
def target_queue(action: Mapping[str, Any]) -> Iterator[str]:
    """A callback may leave both out (it uses the current target queue); the queue block may not."""
    given = [key for key in ("QueueId", "AgentId") if key in parameters(action)]
    if len(given) == 2 or (not given and action["Type"] == "UpdateContactTargetQueue"):
        yield "give exactly one of QueueId and AgentId"
    elif given and not is_text(parameters(action)[given[0]]):
        yield f"{given[0]} must be a non-empty string"


@action_rule("callback-number", "UpdateContactCallbackNumber")
def callback_number(action: Mapping[str, Any]) -> Iterator[str]:
    value = parameters(action).get("CallbackNumber")
    if not is_path(value):
        yield f"CallbackNumber must be one JSONPath (never static), got {value!r}"


@action_rule("voice", "UpdateContactTextToSpeechVoice")
def voice(action: Mapping[str, Any]) -> Iterator[str]:
    if not is_text(parameters(action).get("TextToSpeechVoice")):
        yield "TextToSpeechVoice must be a voice name"


@action_rule("recording", "UpdateContactRecordingBehavior")
def recording(action: Mapping[str, Any]) -> Iterator[str]:
    behavior = parameters(action).get("RecordingBehavior")
    people = behavior.get("RecordedParticipants") if isinstance(behavior, Mapping) else None
    if not isinstance(people, list) or not all(p in RECORDED_PARTICIPANTS for p in people):
        yield (
            "RecordingBehavior.RecordedParticipants must list "
            f"{' and/or '.join(RECORDED_PARTICIPANTS)}"
        )

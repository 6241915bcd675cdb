"""Contact actions: attributes, contact data, event hooks, the target queue and the transfer to
it, settings.

https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.engine.actions.params import setting
from connect_survey.flow_language.engine.actions.registry import implements
from connect_survey.flow_language.engine.errors import UnknownFlowError, UnknownQueueError
from connect_survey.flow_language.engine.run import End, Ending, Outcome, Run
from connect_survey.flow_language.engine.state import EventKind, Queue
from connect_survey.flow_language.engine.transitions import fail, succeed
from connect_survey.flow_language.spec import (
    CALLBACK_NUMBER_NOT_DIALABLE,
    CUSTOMER_REMAINING,
    E164,
    INVALID_CALLBACK_NUMBER,
    NO_MATCHING_ERROR,
    QUEUE_AT_CAPACITY,
)
from connect_survey.flow_language.voices import VOICES

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.document import Action


@implements("UpdateContactAttributes")
def update_contact_attributes(run: Run, action: Action) -> Outcome:
    # Resolve every value first: all of them read the attributes as they were before the block.
    updates = {
        run.text(action, key): run.text(action, value)
        for key, value in action.parameters["Attributes"].items()
    }
    for key, value in updates.items():
        old = run.state.attributes.get(key)
        run.state.attributes[key] = value
        run.log(action, EventKind.ATTRIBUTE, f"{key} = {value!r}", key=key, old=old, new=value)
    return succeed(action)


@implements("UpdateContactData")
def update_contact_data(run: Run, action: Action) -> Outcome:
    """Set Connect-defined contact data: the simulator keeps the language code (what
    `$.LanguageCode` and the Lambda event read); the other fields change nothing it plays."""
    if "LanguageCode" in action.parameters and setting(action, "TargetContact") == "Current":
        code = run.value(action, action.parameters["LanguageCode"])
        run.state.language_code = code
        run.log(action, EventKind.SETTING, f"language code {code}", language_code=code)
    return succeed(action)


@implements("UpdateContactEventHooks")
def update_contact_event_hooks(run: Run, action: Action) -> Outcome:
    [(hook, raw)] = action.parameters["EventHooks"].items()
    reference = run.value(action, raw)
    # The disconnect flow is the one hook the simulator runs: check it now, where it is set.
    if hook == CUSTOMER_REMAINING and run.services.flows(reference) is None:
        raise UnknownFlowError(action.flow, action.identifier, reference)
    run.state.hooks[hook] = reference
    run.log(action, EventKind.HOOK, f"{hook} -> {reference}", hook=hook, flow=reference)
    return succeed(action)


@implements("UpdateContactTargetQueue")
def update_contact_target_queue(run: Run, action: Action) -> Outcome:
    queue = queue_parameter(run, action)
    assert queue is not None, "the linter requires QueueId or AgentId"
    run.state.queue = queue
    run.log(action, EventKind.QUEUE, queue.name, queue=queue.name)
    return succeed(action)


def queue_parameter(run: Run, action: Action) -> Queue | None:
    """The queue named by QueueId, or the agent queue of AgentId (never both); None if neither."""
    queue_id, agent_id = action.parameters.get("QueueId"), action.parameters.get("AgentId")
    if agent_id is not None:
        agent = run.value(action, agent_id)
        return Queue(agent, f"agent:{agent}")
    if queue_id is None:
        return None
    reference = run.value(action, queue_id)
    name = run.services.queues(reference)
    if name is None:
        raise UnknownQueueError(action.flow, action.identifier, reference)
    return Queue(reference, name)


@implements("TransferContactToQueue")
def transfer_contact_to_queue(run: Run, action: Action) -> Outcome:
    queue = run.state.queue
    if queue is None:
        return fail(run, action, NO_MATCHING_ERROR, "no target queue was set")
    if not run.state.customer_present:
        return fail(run, action, NO_MATCHING_ERROR, "no customer to transfer")
    if queue.name in run.services.queues_at_capacity:
        run.log(action, EventKind.TRANSFER, f"{queue.name} is full", queue=queue.name, ok=False)
        return fail(run, action, QUEUE_AT_CAPACITY, f"queue {queue.name} is at capacity")
    run.state.transfers.append({"queue": queue.name})
    run.log(action, EventKind.TRANSFER, f"to queue {queue.name}", queue=queue.name, ok=True)
    return End(Ending.QUEUE_TRANSFER)


@implements("UpdateContactCallbackNumber")
def update_contact_callback_number(run: Run, action: Action) -> Outcome:
    """Set the number CreateCallbackContact dials (one JSONPath: the caller's number, or one
    they keyed in).

    https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions-updatecontactcallbacknumber.html
    """
    number = run.value(action, action.parameters["CallbackNumber"])
    if not E164.match(number):
        return fail(run, action, INVALID_CALLBACK_NUMBER, f"{number!r} is not an E.164 number")
    if not run.services.dialable(number):
        return fail(run, action, CALLBACK_NUMBER_NOT_DIALABLE, f"{number} is not dialable")
    run.state.callback_number = number
    run.log(action, EventKind.SETTING, f"callback number {number}", callback_number=number)
    return succeed(action)


@implements("UpdateContactTextToSpeechVoice")
def update_contact_text_to_speech_voice(run: Run, action: Action) -> Outcome:
    """Connect errors when the voice does not support the engine (voices the table does not
    list are taken as they are: the simulator cannot tell)."""
    voice = run.value(action, action.parameters["TextToSpeechVoice"])
    raw_engine = action.parameters.get("TextToSpeechEngine")
    engine = run.value(action, raw_engine).lower() if raw_engine is not None else None
    supported = VOICES.get(voice)
    if engine is not None and supported is not None and engine not in supported:
        return fail(run, action, NO_MATCHING_ERROR, f"{voice} has no {engine} voice")
    run.state.voice = voice
    run.log(action, EventKind.SETTING, f"voice {voice} ({engine or 'default'})", voice=voice)
    return succeed(action)


@implements("UpdateContactRecordingBehavior")
def update_contact_recording_behavior(run: Run, action: Action) -> Outcome:
    behavior = action.parameters["RecordingBehavior"]
    participants = behavior.get("RecordedParticipants", [])
    run.log(action, EventKind.SETTING, f"recording {participants or 'off'}", recording=behavior)
    return succeed(action)

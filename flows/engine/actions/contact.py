"""Contact actions: attributes, event hooks, the target queue and the transfer to it, settings.

https://docs.aws.amazon.com/connect/latest/APIReference/contact-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.engine.actions.params import mapping, required
from flows.engine.actions.registry import implements
from flows.engine.errors import InvalidParameterError, UnknownFlowError, UnknownQueueError
from flows.engine.run import End, Ending, Outcome, Run
from flows.engine.state import EventKind, Queue
from flows.engine.transitions import fail, succeed
from flows.language import CUSTOMER_REMAINING, NO_MATCHING_ERROR, QUEUE_AT_CAPACITY

if TYPE_CHECKING:
    from flows.engine.document import Action


@implements("UpdateContactAttributes")
def update_contact_attributes(run: Run, action: Action) -> Outcome:
    # Resolve every value first: all of them read the attributes as they were before the block.
    updates = {
        run.text(action, key): run.text(action, value)
        for key, value in mapping(action, "Attributes").items()
    }
    for key, value in updates.items():
        old = run.state.attributes.get(key)
        run.state.attributes[key] = value
        run.log(action, EventKind.ATTRIBUTE, f"{key} = {value!r}", key=key, old=old, new=value)
    return succeed(action)


@implements("UpdateContactEventHooks")
def update_contact_event_hooks(run: Run, action: Action) -> Outcome:
    hooks = mapping(action, "EventHooks")
    if len(hooks) != 1:
        raise InvalidParameterError(
            action.flow,
            action.identifier,
            f"EventHooks must hold exactly one hook, got {len(hooks)}",
        )
    [(hook, raw)] = hooks.items()
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
    if queue is None:
        raise InvalidParameterError(action.flow, action.identifier, "give QueueId or AgentId")
    run.state.queue = queue
    run.log(action, EventKind.QUEUE, queue.name, queue=queue.name)
    return succeed(action)


def queue_parameter(run: Run, action: Action) -> Queue | None:
    """The queue named by QueueId, or the agent queue of AgentId (never both); None if neither."""
    queue_id, agent_id = action.parameters.get("QueueId"), action.parameters.get("AgentId")
    if queue_id is not None and agent_id is not None:
        raise InvalidParameterError(
            action.flow, action.identifier, "give QueueId or AgentId, not both"
        )
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
    if queue.name in run.services.queues_at_capacity:
        run.log(action, EventKind.TRANSFER, f"{queue.name} is full", queue=queue.name, ok=False)
        return fail(run, action, QUEUE_AT_CAPACITY, f"queue {queue.name} is at capacity")
    run.state.transfers.append({"queue": queue.name})
    run.log(action, EventKind.TRANSFER, f"to queue {queue.name}", queue=queue.name, ok=True)
    return End(Ending.QUEUE_TRANSFER)


@implements("UpdateContactTextToSpeechVoice")
def update_contact_text_to_speech_voice(run: Run, action: Action) -> Outcome:
    run.state.voice = run.value(action, required(action, "TextToSpeechVoice"))
    engine = action.parameters.get("TextToSpeechEngine")
    said = f"voice {run.state.voice}" + (f" ({engine})" if engine else "")
    run.log(action, EventKind.SETTING, said, voice=run.state.voice)
    return succeed(action)


@implements("UpdateContactRecordingBehavior")
def update_contact_recording_behavior(run: Run, action: Action) -> Outcome:
    behavior = mapping(action, "RecordingBehavior")
    participants = behavior.get("RecordedParticipants", [])
    run.log(action, EventKind.SETTING, f"recording {participants or 'off'}", recording=behavior)
    return succeed(action)

"""A simulated call written down as a test case (`connect-survey simulate … --save-test FILE`).

The case replays the call with the test runner's semantics: one observation per prompt
(Inclusion on its text), grouped as the runner delivers messages; the keys pressed at each input
(silence is no key; a hang-up is Disconnect); the stubs and full queues as overrides registered
at TestInitiated, one per use; an Assert per attribute the call set; EndTest. Stage resources are
written as `{{flow:…}}`, `{{function:…}}` and `{{queue:…}}` references. A test cannot follow a
call past a queue transfer (no agent is simulated), so the recording ends where the call is
queued.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from connect_survey.flow_language.engine import EventKind
from connect_survey.lambda_asset.survey.sampling import CALLER_KEY_ATTRIBUTE
from connect_survey.simulator.simulate import STUB_ERROR, STUB_TIMEOUT, parse_stubs
from connect_survey.simulator.testing.matching import heard
from connect_survey.test_cases.files import VOICE_CALL
from connect_survey.test_cases.language import OBSERVABLE, VERSION, FlowActionType
from connect_survey.test_cases.references import FLOW, FUNCTION, QUEUE, offline_resources

if TYPE_CHECKING:
    from connect_survey.flow_language.engine import Event
    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import CallSetup, Report

INPUT_ACTION: Final = "GetParticipantInput"
# Attributes that differ on every run (a keyed hash of the caller's number, with a fresh secret).
VOLATILE_ATTRIBUTES: Final = frozenset({CALLER_KEY_ATTRIBUTE})
# Entries of the call log after which the runner delivers what the caller heard.
DELIVERED_AFTER: Final = frozenset(
    {EventKind.END, EventKind.FLOW, EventKind.HANG_UP, EventKind.TRANSFER, EventKind.LAMBDA}
)


class RecordError(ValueError):
    """Raised when a call cannot be written down as a test case; says what to change."""


@dataclass
class _Group:
    """Prompts the caller heard as one message, and what they did next (if it was an input)."""

    prompts: list[tuple[str, str, str]] = field(default_factory=list)  # (action, text, source)
    entry: tuple[str, str] | None = None  # ("keys", "5"), ("timeout", ""), ("hangup", "")


def record_case(
    report: Report, stage: OfflineStage, flow: str, setup: CallSetup, *, name: str, command: str
) -> dict[str, Any]:
    """The call as a case file's JSON object (CreateTestCase's keys)."""
    resources = offline_resources(stage)
    functions = {arn: name for name, arn in resources.functions.items()}
    action_types = {
        (key, action["Identifier"]): action["Type"]
        for key in dict.fromkeys(report.call.flows)
        if key in stage.flow_keys
        for action in stage.render(key)["Actions"]
    }
    groups, overrides, transfer, attributes = _walk(
        report.call.events, action_types, functions, setup
    )
    initial = dict(setup.attributes)
    checks = [
        _assert(f"check-{key}", f"$.Attributes.{key}", value)
        for key, value in attributes.items()
        if key not in VOLATILE_ATTRIBUTES and initial.get(key) != value
    ]
    observations = _observations(groups, overrides, transfer, [*checks, _end_test()])
    entry: dict[str, Any] = {"FlowId": f"{{{{{FLOW}:{flow}}}}}"}
    if report.call.contact.customer_address.startswith("+"):
        entry["SourcePhoneNumber"] = report.call.contact.customer_address
    return {
        "Name": name,
        "Description": f"Recorded with: {command}"[:500],
        "EntryPoint": {"Type": VOICE_CALL, "VoiceCallEntryPointParameters": entry},
        "InitializationData": {"Attributes": initial},
        "Content": {"Version": VERSION, "Metadata": {}, "Observations": observations},
    }


def _walk(
    events: list[Event],
    action_types: dict[tuple[str, str], str],
    functions: dict[str, str],
    setup: CallSetup,
) -> tuple[list[_Group], list[dict[str, Any]], str | None, dict[str, str]]:
    """Messages, overrides, the queue the call ended in (if any) and the attributes then."""
    stubs = parse_stubs(setup.stubs)
    groups: list[_Group] = []
    current = _Group()
    overrides: list[dict[str, Any]] = []
    attributes: dict[str, str] = {}
    transfer: str | None = None

    def close(entry: tuple[str, str] | None = None) -> None:
        nonlocal current
        if entry is not None and not current.prompts:
            raise RecordError(
                "an input without a prompt cannot be recorded: the test could not tell when "
                "to press the keys"
            )
        if current.prompts:
            current.entry = entry
            groups.append(current)
        current = _Group()

    for event in events:
        kind = event.kind
        at_input = action_types.get((event.flow, event.action)) == INPUT_ACTION
        if kind is EventKind.PROMPT:
            current.prompts.append((event.action, event.text, str(event.data.get("source", ""))))
        elif kind is EventKind.ATTRIBUTE:
            attributes[str(event.data["key"])] = str(event.data["new"])
        elif kind is EventKind.KEYS:
            close(("keys", str(event.data["keys"])))
        elif kind is EventKind.TIMEOUT:
            close(("timeout", ""))
        elif kind is EventKind.HANG_UP and at_input:
            close(("hangup", ""))
        elif kind in DELIVERED_AFTER or action_types.get((event.flow, event.action)) in OBSERVABLE:
            close()
            if kind is EventKind.LAMBDA:
                stub = _stub_response(str(event.data["function"]), stubs, setup.stubs)
                if stub is not None:
                    overrides.append(_lambda_override(event, functions, stub, len(overrides)))
            elif kind is EventKind.TRANSFER and not event.data.get("ok"):
                overrides.append(_queue_full(str(event.data["queue"]), len(overrides)))
            elif kind is EventKind.TRANSFER:
                transfer = str(event.data["queue"])
                break
    close()
    return groups, overrides, transfer, attributes


def _observations(
    groups: list[_Group],
    overrides: list[dict[str, Any]],
    transfer: str | None,
    closing: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each group's prompts observed together; the last prompt's observation acts and leads on."""
    taken: Counter[str] = Counter()

    def identifier(base: str) -> str:
        taken[base] += 1
        return base if taken[base] == 1 else f"{base}-{taken[base]}"

    observations: list[dict[str, Any]] = []
    if overrides:
        observations.append(_observation("start", _event("start", "TestInitiated", {}), overrides))
    previous: dict[str, Any] | None = None
    for group in groups:
        members = [
            _observation(
                (ident := identifier(action)), _event(ident, "MessageReceived", _message(text, src))
            )
            for action, text, src in group.prompts
        ]
        _lead(previous, members)
        observations.extend(members)
        previous = members[-1]
        kind, keys = group.entry or ("", "")
        if kind == "keys":
            previous["Actions"] = _chained([_press(f"press-{previous['Identifier']}", keys)])
        elif kind == "hangup":
            previous["Actions"] = _chained([_disconnect(f"hang-up-{previous['Identifier']}")])
    last_group = groups[-1] if groups else None
    if transfer is not None:
        final = _observation(
            "queued",
            _event("queued", "FlowActionStarted", {
                "ActionType": FlowActionType.TRANSFER_CONTACT_TO_QUEUE,
                "ActionParameters": {"QueueId": f"{{{{{QUEUE}:{transfer}}}}}"},
            }),
            closing,
        )  # fmt: skip
    elif previous is not None and last_group is not None and last_group.entry is None:
        previous["Actions"] = _chained(closing)
        return observations
    else:
        final = _observation("call-ended", _event("call-ended", "TestCompleted", {}), closing)
    _lead(previous, [final])
    observations.append(final)
    return observations


def _lead(previous: dict[str, Any] | None, following: list[dict[str, Any]]) -> None:
    if previous is not None:
        previous["Transitions"] = {"NextObservations": [o["Identifier"] for o in following]}


def _observation(
    identifier: str, event: dict[str, Any], actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Event": event,
        "Actions": _chained(actions or []),
        "Transitions": {},
    }


def _event(identifier: str, kind: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": f"{identifier}-event",
        "Type": kind,
        "Actor": "System",
        "Properties": properties,
    }


def _message(text: str, source: str) -> dict[str, Any]:
    spoken, prompt_id = heard(text, source)
    if prompt_id is not None:
        return {"PromptId": prompt_id}
    return {"Text": spoken, "MatchingCriteria": {"Type": "Inclusion"}}


def _chained(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for action, following in itertools.pairwise(actions):
        action["Transitions"] = {"NextAction": following["Identifier"]}
    if actions:
        actions[-1]["Transitions"] = {}
    return actions


def _press(identifier: str, keys: str) -> dict[str, Any]:
    return _instruction(identifier, {"Type": "DtmfInput", "Properties": {"Value": keys}})


def _disconnect(identifier: str) -> dict[str, Any]:
    return _instruction(identifier, {"Type": "Disconnect", "Properties": {}})


def _instruction(identifier: str, instruction: dict[str, Any]) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "SendInstruction",
        "Parameters": {
            "ActionType": "SendInstruction",
            "Actor": "Customer",
            "Instruction": instruction,
        },
    }


def _assert(identifier: str, namespace: str, value: str) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "Assert",
        "Parameters": {"Namespace": namespace, "Operator": "Equals", "Operand": value},
    }


def _end_test() -> dict[str, Any]:
    return {
        "Identifier": "end-test",
        "Type": "TestControl",
        "Parameters": {"ActionType": "TestControl", "Command": {"Type": "EndTest"}},
    }


def _stub_response(arn: str, stubs: list[tuple[str, Any]], specs: Any) -> str | None:
    """The RESPONSE of the first --lambda-stub whose pattern the ARN contains, else None."""
    for (pattern, _), spec in zip(stubs, specs, strict=True):
        if pattern in arn:
            return str(spec).partition("=")[2]
    return None


def _lambda_override(
    event: Event, functions: dict[str, str], response: str, index: int
) -> dict[str, Any]:
    arn = str(event.data["function"])
    name = functions.get(arn)
    if name is None:
        raise RecordError(f"{arn} is no function of the stage: a test case cannot name it")
    if response == STUB_ERROR:
        mock: dict[str, Any] = {"Type": "Error", "Error": {"Value": "NoMatchingError"}}
    elif response == STUB_TIMEOUT:
        mock = {"Type": "Error", "Error": {"Value": "TimeLimitExceeded"}}
    else:
        mock = {"Type": "ExecutionResult", "ExecutionResult": {"LoadedData": response}}
    return _override(
        f"mock-{name}-{index + 1}",
        FlowActionType.INVOKE_LAMBDA_FUNCTION,
        {"LambdaFunctionARN": f"{{{{{FUNCTION}:{name}}}}}"},
        {"Type": "MockResponse", "Response": mock},
    )


def _queue_full(queue: str, index: int) -> dict[str, Any]:
    return _override(
        f"full-{queue}-{index + 1}",
        FlowActionType.TRANSFER_CONTACT_TO_QUEUE,
        {"QueueId": f"{{{{{QUEUE}:{queue}}}}}"},
        {
            "Type": "MockResponse",
            "Response": {"Type": "Error", "Error": {"Value": "QueueAtCapacity"}},
        },
    )


def _override(
    identifier: str, action_type: str, parameters: dict[str, str], strategy: dict[str, Any]
) -> dict[str, Any]:
    return {
        "Identifier": identifier,
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "ActionType": "OverrideSystemBehavior",
            "Behavior": {
                "Type": "FlowAction",
                "Properties": {
                    "ActionType": action_type,
                    "ActionParameters": parameters,
                    "Strategy": strategy,
                },
            },
        },
    }

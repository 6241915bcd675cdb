"""The Amazon Connect Testing language as data: a case's `Content` parsed into frozen objects.

Both runtimes read a case through `parse_content`: offline the simulator plays the objects, live
Connect validates the same JSON. Anything outside the documented language is refused here with
one line naming the observation (and action) and the fix, so no case can pass by accident.

The shape is the newer Developer Guide's, which third parties report works live: `Version`
"2019-10-30"; `MatchingCriteria` inside `Properties` as an object; no `Usage`, or
`Exactly|AtLeast|AtMost|Always` with `Times`; `"Transitions": {}` on a last action.
https://docs.aws.amazon.com/connect/latest/devguide/testing-language.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from connect_survey.flow_language.spec import OPERATORS, is_keys, whole_number
from connect_survey.test_cases.files import CaseError

if TYPE_CHECKING:
    from collections.abc import Mapping

VERSION: Final = "2019-10-30"
SYSTEM: Final = "System"  # the Actor of every documented event
CUSTOMER: Final = "Customer"  # the Actor of every documented instruction
EXISTS: Final = "Exists"
ASSERT_OPERATORS: Final = (*OPERATORS, EXISTS)


class LanguageError(CaseError):
    """Raised for content outside the documented Testing language; says where and the fix."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


class EventType(StrEnum):
    TEST_INITIATED = "TestInitiated"
    TEST_COMPLETED = "TestCompleted"
    MESSAGE_RECEIVED = "MessageReceived"
    FLOW_ACTION_STARTED = "FlowActionStarted"


class FlowActionType(StrEnum):
    """Flow actions a test can observe (FlowActionStarted) or override."""

    INVOKE_LAMBDA_FUNCTION = "InvokeLambdaFunction"
    CHECK_HOURS_OF_OPERATION = "CheckHoursOfOperation"
    TRANSFER_CONTACT_TO_QUEUE = "TransferContactToQueue"
    CONNECT_PARTICIPANT_WITH_LEX_BOT = "ConnectParticipantWithLexBot"
    DEQUEUE_AND_TRANSFER_TO_QUEUE = "DequeueAndTransferToQueue"  # overridable, not observable


OBSERVABLE: Final = (
    FlowActionType.INVOKE_LAMBDA_FUNCTION,
    FlowActionType.CHECK_HOURS_OF_OPERATION,
    FlowActionType.TRANSFER_CONTACT_TO_QUEUE,
    FlowActionType.CONNECT_PARTICIPANT_WITH_LEX_BOT,
)
# The ActionParameters that name each flow action's resource; Lex names its bot alias inside
# `LexV2Bot`.
RESOURCE_PARAMETERS: Final[dict[FlowActionType, tuple[str, ...]]] = {
    FlowActionType.INVOKE_LAMBDA_FUNCTION: ("LambdaFunctionARN",),
    FlowActionType.CHECK_HOURS_OF_OPERATION: ("HoursOfOperationId",),
    FlowActionType.TRANSFER_CONTACT_TO_QUEUE: ("QueueId", "AgentId"),
    FlowActionType.CONNECT_PARTICIPANT_WITH_LEX_BOT: ("LexV2Bot",),
    FlowActionType.DEQUEUE_AND_TRANSFER_TO_QUEUE: ("QueueId",),
}
LEX_ALIAS: Final = "AliasArn"
# MockResponse errors each overridable flow action documents, and whether it has a success mock.
MOCK_ERRORS: Final[dict[FlowActionType, tuple[str, ...]]] = {
    FlowActionType.INVOKE_LAMBDA_FUNCTION: ("TimeLimitExceeded", "NoMatchingError"),
    FlowActionType.CONNECT_PARTICIPANT_WITH_LEX_BOT: ("TimeLimitExceeded", "NoMatchingError"),
    FlowActionType.CHECK_HOURS_OF_OPERATION: ("NoMatchingError",),
    FlowActionType.TRANSFER_CONTACT_TO_QUEUE: ("QueueAtCapacity", "NoMatchingError"),
    FlowActionType.DEQUEUE_AND_TRANSFER_TO_QUEUE: ("QueueAtCapacity", "NoMatchingError"),
}
HOURS_VALUES: Final = ("InHours", "OutOfHours")


class Matching(StrEnum):
    INCLUSION = "Inclusion"  # the message contains the text (case-insensitive)
    SIMILARITY = "Similarity"  # the message is like the text


class MessageKind(StrEnum):
    TEXT = "Text"
    SSML = "SSML"
    PROMPT_ID = "PromptId"
    MEDIA = "Media"


class UsageType(StrEnum):
    EXACTLY = "Exactly"
    AT_LEAST = "AtLeast"
    AT_MOST = "AtMost"
    ALWAYS = "Always"


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedMessage:
    """What a MessageReceived event waits for: one of Text, SSML, PromptId or Media."""

    kind: MessageKind
    value: str  # Media: its Uri
    matching: Matching | None = None  # None for a PromptId or Media

    def describe(self) -> str:
        if self.kind is MessageKind.PROMPT_ID:
            return f"prompt {self.value}"
        if self.kind is MessageKind.MEDIA:
            return f"media {self.value}"
        like = " similar to" if self.matching is Matching.SIMILARITY else ""
        return f"prompt{like} {json.dumps(self.value, ensure_ascii=False)}"


@dataclass(frozen=True)
class ExpectedFlowAction:
    """What a FlowActionStarted event waits for: an action type, and the parameters given."""

    action_type: FlowActionType
    parameters: tuple[tuple[str, str], ...] = ()  # empty: any action of the type

    def describe(self) -> str:
        given = ", ".join(f"{key} {value}" for key, value in self.parameters)
        return f"{self.action_type}{f' ({given})' if given else ''}"


@dataclass(frozen=True)
class Event:
    identifier: str
    type: EventType
    message: ExpectedMessage | None = None  # MessageReceived
    flow_action: ExpectedFlowAction | None = None  # FlowActionStarted

    def describe(self) -> str:
        if self.message is not None:
            return self.message.describe()
        if self.flow_action is not None:
            return self.flow_action.describe()
        return str(self.type)


# -- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PressKeys:
    """SendInstruction DtmfInput: the caller presses keys."""

    identifier: str
    keys: str


@dataclass(frozen=True)
class Speak:
    """SendInstruction Utterance: the caller says something (needs a Lex bot)."""

    identifier: str
    text: str


@dataclass(frozen=True)
class HangUp:
    """SendInstruction Disconnect: the caller hangs up at that moment."""

    identifier: str


@dataclass(frozen=True)
class MockResult:
    """A MockResponse of type ExecutionResult: a Lambda's (or bot's) data, or an hours result."""

    loaded_data: Mapping[str, Any] | None = None  # Lambda / Lex: the answer the flow reads
    value: str | None = None  # CheckHoursOfOperation: InHours or OutOfHours
    delay_seconds: float = 0


@dataclass(frozen=True)
class MockError:
    """A MockResponse of type Error: the flow action fails with `error`."""

    error: str
    delay_seconds: float = 0


@dataclass(frozen=True)
class Substitute:
    """SubstituteResource: the flow action uses another resource."""

    arn: str


Strategy = MockResult | MockError | Substitute


@dataclass(frozen=True)
class Override:
    """OverrideSystemBehavior: the next run of a flow action on `resource` behaves as told."""

    identifier: str
    action_type: FlowActionType
    resource: str  # the id or ARN the ActionParameters name
    strategy: Strategy


@dataclass(frozen=True)
class Assertion:
    """Assert: the contact data at `namespace` compares true with `operand`."""

    identifier: str
    namespace: str
    operator: str
    operand: str | None  # None only for Exists


@dataclass(frozen=True)
class EndTest:
    identifier: str


@dataclass(frozen=True)
class LogData:
    """TestControl LogData: record each expression's value under its label."""

    identifier: str
    expressions: tuple[tuple[str, str], ...]


Action = PressKeys | Speak | HangUp | Override | Assertion | EndTest | LogData


# -- observations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """How often an observation's event must and may happen while it is active.

    Left out: once, after which the observation is done. `Exactly n` and `AtMost n` keep
    watching after n, so an extra occurrence fails; `AtLeast n` and `Always` run their actions
    on every occurrence. `AtMost` and `Always` may never happen.
    """

    type: UsageType | None = None
    times: int = 1

    @property
    def minimum(self) -> int:
        if self.type in (UsageType.AT_MOST, UsageType.ALWAYS):
            return 0
        return self.times

    @property
    def maximum(self) -> int | None:
        if self.type in (UsageType.AT_LEAST, UsageType.ALWAYS):
            return None
        return self.times

    @property
    def done_when_matched(self) -> bool:
        """Whether one match ends the observation (no Usage written: Connect's default)."""
        return self.type is None

    def describe(self) -> str:
        if self.type is None:
            return "once"
        if self.type is UsageType.ALWAYS:
            return "Always"
        return f"{self.type} {self.times}"


@dataclass(frozen=True)
class Observation:
    identifier: str
    event: Event
    actions: tuple[Action, ...]  # in NextAction order
    usage: Usage = Usage()
    next_observations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestContent:
    """A case's Content: observations in document order, and which are active from the start."""

    observations: tuple[Observation, ...]
    starting: tuple[str, ...]

    def observation(self, identifier: str) -> Observation:
        return next(o for o in self.observations if o.identifier == identifier)


# -- parsing ----------------------------------------------------------------------------------


def parse_content(content: Mapping[str, Any]) -> TestContent:
    """The case's Content as objects; the first construct outside the language raises
    `LanguageError`."""
    _keys(content, "Content", required=("Version", "Observations"), optional=("Metadata",))
    version = content["Version"]
    if version != VERSION:
        raise LanguageError(
            "Content",
            f'Version {version!r} is not supported; write "Version": "{VERSION}" '
            "(2025-06-21 comes from an outdated AWS example and is rejected live)",
        )
    if not isinstance(content.get("Metadata", {}), dict):
        raise LanguageError("Content", "Metadata must be an object ({} is fine)")
    raw = content["Observations"]
    if not isinstance(raw, list) or not raw:
        raise LanguageError("Content", "Observations must be a non-empty list of observations")
    observations: list[Observation] = []
    for index, item in enumerate(raw):
        observation = _observation(index, item)
        if any(o.identifier == observation.identifier for o in observations):
            raise LanguageError(
                f"observation {observation.identifier}", "the Identifier is used twice"
            )
        observations.append(observation)
    return TestContent(tuple(observations), _starting(observations))


def _starting(observations: list[Observation]) -> tuple[str, ...]:
    """Observations no other observation names; every observation must be reachable from them."""
    known = {o.identifier for o in observations}
    for observation in observations:
        for name in observation.next_observations:
            if name not in known:
                raise LanguageError(
                    f"observation {observation.identifier}",
                    f"NextObservations names {name!r}, which is no observation of this case; "
                    f"known: {', '.join(sorted(known))}",
                )
    named = {
        name
        for o in observations
        for name in o.next_observations
        if name != o.identifier  # naming itself does not stop an observation starting
    }
    starting = tuple(o.identifier for o in observations if o.identifier not in named)
    reached, todo = set(starting), list(starting)
    by_id = {o.identifier: o for o in observations}
    while todo:
        for name in by_id[todo.pop()].next_observations:
            if name not in reached:
                reached.add(name)
                todo.append(name)
    never = [o.identifier for o in observations if o.identifier not in reached]
    if never:
        raise LanguageError(
            f"observation {never[0]}",
            "is never active: only observations that others name follow it, and no starting "
            "observation leads to it; name it from one that runs",
        )
    return starting


def _observation(index: int, raw: Any) -> Observation:
    where = f"Observations[{index}]"
    if not isinstance(raw, dict):
        raise LanguageError(where, "must be an object with Identifier, Event and Actions")
    identifier = raw.get("Identifier")
    if not isinstance(identifier, str) or not _is_text(identifier):
        raise LanguageError(where, "has no Identifier; give each observation a unique one")
    where = f"observation {identifier}"
    _keys(
        raw, where, required=("Event",), optional=("Identifier", "Actions", "Usage", "Transitions")
    )
    event = _event(where, raw["Event"])
    actions = _actions(where, raw.get("Actions", []))
    ended = [a.identifier for a in actions if isinstance(a, EndTest)]
    if ended and ended[-1] != actions[-1].identifier:
        raise LanguageError(
            f"{where}, action {ended[0]}",
            "EndTest ends the test, so the actions after it would never run; make it the last",
        )
    transitions = raw.get("Transitions", {})
    if not isinstance(transitions, dict):
        raise LanguageError(where, 'Transitions must be {"NextObservations": [...]} or {}')
    _keys(transitions, f"{where} Transitions", optional=("NextObservations",))
    following = transitions.get("NextObservations", [])
    if not isinstance(following, list) or not all(_is_text(n) for n in following):
        raise LanguageError(where, "NextObservations must be a list of observation Identifiers")
    if ended and following:
        raise LanguageError(
            f"{where}, action {ended[0]}",
            f"EndTest ends the test, so NextObservations {following} would never be active; "
            "remove them or end the test later",
        )
    return Observation(
        identifier=identifier,
        event=event,
        actions=actions,
        usage=_usage(where, raw.get("Usage")),
        next_observations=tuple(dict.fromkeys(following)),
    )


def _usage(where: str, raw: Any) -> Usage:
    if raw is None:
        return Usage()
    types = ", ".join(UsageType)
    if not isinstance(raw, dict):
        raise LanguageError(where, f'Usage must be {{"Type": one of {types}, "Times": n}}')
    _keys(raw, f"{where} Usage", required=("Type",), optional=("Times",))
    kind = raw["Type"]
    if kind not in set(UsageType):
        hint = (
            " (the upper-case forms come from an outdated AWS example and are rejected live)"
            if isinstance(kind, str) and kind.upper() in {"EXACTLY", "ANY", "ATLEAST", "ATMOST"}
            else ""
        )
        raise LanguageError(where, f"Usage Type {kind!r} is unknown; use one of {types}{hint}")
    usage_type = UsageType(kind)
    if usage_type is UsageType.ALWAYS:
        if "Times" in raw:
            raise LanguageError(where, "Usage Always takes no Times; remove it")
        return Usage(usage_type, 0)
    times = whole_number(raw.get("Times")) if not isinstance(raw.get("Times"), str) else None
    if times is None or times < 0:
        raise LanguageError(
            where, f"Usage {usage_type} needs Times, a whole number of 0 or more (JSON number)"
        )
    return Usage(usage_type, times)


def _event(where: str, raw: Any) -> Event:
    if not isinstance(raw, dict):
        raise LanguageError(where, "Event must be an object with Identifier, Type, Actor and "
                                   "Properties")  # fmt: skip
    _keys(raw, f"{where} Event", required=("Type",), optional=("Identifier", "Actor", "Properties"))
    if not _is_text(raw.get("Identifier")):
        raise LanguageError(where, "the Event has no Identifier; give it one (Connect needs it)")
    kind = raw["Type"]
    if kind not in set(EventType):
        raise LanguageError(
            where, f"unknown event type {kind!r}; events are {', '.join(EventType)}"
        )
    if raw.get("Actor") != SYSTEM:
        raise LanguageError(
            where, f'{kind} has Actor {raw.get("Actor")!r}; every event\'s Actor is "{SYSTEM}"'
        )
    properties = raw.get("Properties", {})
    if not isinstance(properties, dict):
        raise LanguageError(where, "the Event's Properties must be an object")
    event_type = EventType(kind)
    identifier = raw["Identifier"]
    if event_type is EventType.MESSAGE_RECEIVED:
        return Event(identifier, event_type, message=_message(where, properties))
    if event_type is EventType.FLOW_ACTION_STARTED:
        return Event(identifier, event_type, flow_action=_flow_action(where, properties))
    if properties:
        raise LanguageError(where, f'{kind} takes no Properties; write "Properties": {{}}')
    return Event(identifier, event_type)


def _message(where: str, properties: dict[str, Any]) -> ExpectedMessage:
    kinds = [kind for kind in MessageKind if kind in properties]
    _keys(properties, f"{where} MessageReceived", optional=(*MessageKind, "MatchingCriteria"))
    if len(kinds) != 1:
        raise LanguageError(
            where,
            f"MessageReceived needs exactly one of {', '.join(MessageKind)} "
            f"(got {', '.join(kinds) or 'none'})",
        )
    kind = kinds[0]
    value = properties[kind]
    if kind is MessageKind.MEDIA:
        _keys(value if isinstance(value, dict) else {}, f"{where} Media", required=("Uri",),
              optional=("SourceType", "MediaType"))  # fmt: skip
        return ExpectedMessage(kind, str(value["Uri"]))
    if not _is_text(value):
        raise LanguageError(where, f"MessageReceived {kind} must be non-empty text")
    criteria = properties.get("MatchingCriteria")
    if kind is MessageKind.PROMPT_ID:
        if criteria is not None:
            raise LanguageError(where, "a PromptId is matched as it is; remove MatchingCriteria")
        return ExpectedMessage(kind, value)
    choices = " or ".join(f'{{"Type": "{m}"}}' for m in Matching)
    if isinstance(criteria, str):
        raise LanguageError(
            where,
            f"MatchingCriteria {criteria!r} is a bare string (reported to never match live); "
            f"write {choices}",
        )
    if not isinstance(criteria, dict):
        raise LanguageError(where, f"MessageReceived {kind} needs MatchingCriteria {choices}")
    _keys(criteria, f"{where} MatchingCriteria", required=("Type",))
    if criteria["Type"] not in set(Matching):
        raise LanguageError(
            where, f"unknown MatchingCriteria Type {criteria['Type']!r}; use {choices}"
        )
    return ExpectedMessage(kind, value, Matching(criteria["Type"]))


def _flow_action(where: str, properties: dict[str, Any]) -> ExpectedFlowAction:
    _keys(properties, f"{where} FlowActionStarted", required=("ActionType",),
          optional=("ActionParameters",))  # fmt: skip
    kind = properties["ActionType"]
    observable = ", ".join(OBSERVABLE)
    if kind not in OBSERVABLE:
        raise LanguageError(
            where, f"FlowActionStarted cannot observe {kind!r}; it observes {observable}"
        )
    action_type = FlowActionType(kind)
    parameters = _resource_parameters(where, action_type, properties.get("ActionParameters", {}))
    return ExpectedFlowAction(action_type, tuple(parameters.items()))


def _resource_parameters(where: str, action_type: FlowActionType, raw: Any) -> dict[str, str]:
    """ActionParameters naming a resource, flattened (`LexV2Bot.AliasArn` → its ARN)."""
    allowed = RESOURCE_PARAMETERS[action_type]
    if not isinstance(raw, dict):
        raise LanguageError(where, f"{action_type} ActionParameters must be an object")
    _keys(raw, f"{where} {action_type} ActionParameters", optional=allowed)
    flat: dict[str, str] = {}
    for key, value in raw.items():
        if key == "LexV2Bot":
            if (
                not isinstance(value, dict)
                or set(value) != {LEX_ALIAS}
                or not _is_text(value[LEX_ALIAS])
            ):
                raise LanguageError(where, f'LexV2Bot must be {{"{LEX_ALIAS}": "<alias ARN>"}}')
            flat[key] = value[LEX_ALIAS]
        elif _is_text(value):
            flat[key] = value
        else:
            raise LanguageError(where, f"{action_type} {key} must be a non-empty id or ARN")
    return flat


def _actions(where: str, raw: Any) -> tuple[Action, ...]:
    """The actions in NextAction order: the one no other action names first."""
    if not isinstance(raw, list):
        raise LanguageError(where, "Actions must be a list ([] for none)")
    parsed: dict[str, Action] = {}
    following: dict[str, str | None] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not _is_text(item.get("Identifier")):
            raise LanguageError(
                f"{where}, Actions[{index}]", "has no Identifier; give each action a unique one"
            )
        identifier = item["Identifier"]
        if identifier in parsed:
            raise LanguageError(f"{where}, action {identifier}", "the Identifier is used twice")
        parsed[identifier] = _action(f"{where}, action {identifier}", item)
        following[identifier] = _next_action(f"{where}, action {identifier}", item)
    for identifier, target in following.items():
        if target is not None and target not in parsed:
            raise LanguageError(
                f"{where}, action {identifier}",
                f"NextAction names {target!r}, which is no action of this observation; "
                f"known: {', '.join(parsed)}",
            )
    if not parsed:
        return ()
    named = {t for t in following.values() if t is not None}
    first = [identifier for identifier in parsed if identifier not in named]
    if len(first) != 1:
        raise LanguageError(
            where,
            "the actions' order is unclear: "
            + (
                f"{', '.join(first)} are each named by no NextAction; chain them with "
                "Transitions.NextAction (the last one with {})"
                if first
                else 'their NextActions form a loop; end the chain with "Transitions": {}'
            ),
        )
    order: list[str] = []
    current: str | None = first[0]
    while current is not None:
        if current in order:
            raise LanguageError(where, f"NextAction loops back to {current}; end the chain")
        order.append(current)
        current = following[current]
    left = [identifier for identifier in parsed if identifier not in order]
    if left:
        raise LanguageError(
            f"{where}, action {left[0]}", "is never reached by NextAction from the first action"
        )
    return tuple(parsed[identifier] for identifier in order)


def _next_action(where: str, raw: dict[str, Any]) -> str | None:
    transitions = raw.get("Transitions", {})
    if not isinstance(transitions, dict):
        raise LanguageError(where, 'Transitions must be {"NextAction": "<action>"} or {}')
    _keys(transitions, f"{where} Transitions", optional=("NextAction",))
    target = transitions.get("NextAction")
    if target is None:
        return None
    if not _is_text(target):
        raise LanguageError(
            where,
            f'NextAction {target!r} names no action; the last action has "Transitions": {{}} '
            '("NextAction": "" is rejected live)',
        )
    return str(target)


ACTION_TYPES: Final = ("SendInstruction", "OverrideSystemBehavior", "Assert", "TestControl")


def _action(where: str, raw: dict[str, Any]) -> Action:
    _keys(raw, where, required=("Type", "Parameters"), optional=("Identifier", "Transitions"))
    kind = raw["Type"]
    if kind not in ACTION_TYPES:
        raise LanguageError(
            where, f"unknown action type {kind!r}; actions are {', '.join(ACTION_TYPES)}"
        )
    parameters = raw["Parameters"]
    if not isinstance(parameters, dict):
        raise LanguageError(where, f"{kind} Parameters must be an object")
    identifier = raw["Identifier"]
    if kind == "Assert":
        return _assertion(where, identifier, parameters)
    if parameters.get("ActionType") != kind:
        raise LanguageError(
            where, f'{kind} Parameters must repeat the type: "ActionType": "{kind}"'
        )
    if kind == "SendInstruction":
        return _instruction(where, identifier, parameters)
    if kind == "OverrideSystemBehavior":
        return _override(where, identifier, parameters)
    return _test_control(where, identifier, parameters)


INSTRUCTIONS: Final = ("DtmfInput", "Utterance", "Disconnect")


def _instruction(where: str, identifier: str, parameters: dict[str, Any]) -> Action:
    _keys(parameters, f"{where} Parameters", required=("ActionType", "Instruction"),
          optional=("Actor",))  # fmt: skip
    if parameters.get("Actor") != CUSTOMER:
        raise LanguageError(
            where,
            f"SendInstruction has Actor {parameters.get('Actor')!r}; only the customer is "
            f'simulated: "Actor": "{CUSTOMER}"',
        )
    instruction = parameters["Instruction"]
    if not isinstance(instruction, dict):
        raise LanguageError(where, 'Instruction must be {"Type": ..., "Properties": {...}}')
    _keys(instruction, f"{where} Instruction", required=("Type",), optional=("Properties",))
    kind = instruction["Type"]
    properties = instruction.get("Properties", {})
    if kind not in INSTRUCTIONS:
        raise LanguageError(
            where, f"unknown instruction type {kind!r}; instructions are {', '.join(INSTRUCTIONS)}"
        )
    if not isinstance(properties, dict):
        raise LanguageError(where, f"{kind} Properties must be an object")
    if kind == "Disconnect":
        if properties:
            raise LanguageError(where, "Disconnect takes no Properties; write {}")
        return HangUp(identifier)
    if kind == "Utterance":
        _keys(properties, f"{where} Utterance", optional=("Text", "SSML", "Value", "LanguageCode"))
        said = [properties[k] for k in ("Text", "SSML", "Value") if k in properties]
        if len(said) != 1 or not _is_text(said[0]):
            raise LanguageError(where, "Utterance needs one of Text, SSML or Value, as text")
        return Speak(identifier, said[0])
    _keys(properties, f"{where} DtmfInput", required=("Value",))
    value = properties["Value"]
    keys = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(keys, str) or not is_keys(keys):
        raise LanguageError(
            where, f'DtmfInput Value {value!r} is not phone keys; write e.g. "1", "42#" or "*"'
        )
    return PressKeys(identifier, keys)


def _override(where: str, identifier: str, parameters: dict[str, Any]) -> Override:
    _keys(parameters, f"{where} Parameters", required=("ActionType", "Behavior"))
    behavior = parameters["Behavior"]
    if not isinstance(behavior, dict) or behavior.get("Type") != "FlowAction":
        raise LanguageError(where, 'Behavior must be {"Type": "FlowAction", "Properties": {...}}')
    _keys(behavior, f"{where} Behavior", required=("Type", "Properties"))
    properties = behavior["Properties"]
    if not isinstance(properties, dict):
        raise LanguageError(where, "Behavior Properties must be an object")
    _keys(properties, f"{where} Behavior Properties",
          required=("ActionType", "ActionParameters", "Strategy"))  # fmt: skip
    kind = properties["ActionType"]
    if kind not in set(FlowActionType):
        raise LanguageError(
            where,
            f"OverrideSystemBehavior cannot override {kind!r}; it overrides "
            f"{', '.join(FlowActionType)}",
        )
    action_type = FlowActionType(kind)
    resource = _resource_parameters(where, action_type, properties["ActionParameters"])
    if len(resource) != 1:
        raise LanguageError(
            where,
            f"{action_type} ActionParameters must name the one resource to override "
            f"({' or '.join(RESOURCE_PARAMETERS[action_type])}); an empty object is rejected live",
        )
    [value] = resource.values()
    return Override(identifier, action_type, value,
                    _strategy(where, action_type, properties["Strategy"]))  # fmt: skip


def _strategy(where: str, action_type: FlowActionType, raw: Any) -> Strategy:
    if not isinstance(raw, dict) or raw.get("Type") not in ("MockResponse", "SubstituteResource"):
        raise LanguageError(where, 'Strategy Type must be "MockResponse" or "SubstituteResource"')
    if raw["Type"] == "SubstituteResource":
        _keys(raw, f"{where} Strategy", required=("Type", "SubstituteArn"))
        if not _is_text(raw["SubstituteArn"]):
            raise LanguageError(where, "SubstituteArn must be the ARN of the resource to use")
        return Substitute(raw["SubstituteArn"])
    _keys(raw, f"{where} Strategy", required=("Type", "Response"))
    response = raw["Response"]
    errors = MOCK_ERRORS[action_type]
    if not isinstance(response, dict) or response.get("Type") not in ("ExecutionResult", "Error"):
        raise LanguageError(where, 'a MockResponse Response has Type "ExecutionResult" or "Error"')
    if response["Type"] == "Error":
        _keys(response, f"{where} Response", required=("Type", "Error"))
        error = response["Error"]
        if not isinstance(error, dict):
            raise LanguageError(where, 'Error must be {"Value": ...}')
        _keys(error, f"{where} Error", required=("Value",), optional=("DelaySeconds",))
        if error["Value"] not in errors:
            raise LanguageError(
                where,
                f"{action_type} cannot fail with {error['Value']!r}; its errors are "
                f"{', '.join(errors)}",
            )
        return MockError(error["Value"], _delay(where, error))
    if action_type in (
        FlowActionType.TRANSFER_CONTACT_TO_QUEUE,
        FlowActionType.DEQUEUE_AND_TRANSFER_TO_QUEUE,
    ):
        raise LanguageError(
            where,
            f"{action_type} has no ExecutionResult mock; mock an Error ({', '.join(errors)})",
        )
    _keys(response, f"{where} Response", required=("Type", "ExecutionResult"))
    result = response["ExecutionResult"]
    if not isinstance(result, dict):
        raise LanguageError(where, "ExecutionResult must be an object")
    if action_type is FlowActionType.CHECK_HOURS_OF_OPERATION:
        _keys(result, f"{where} ExecutionResult", required=("Value",))
        if result["Value"] not in HOURS_VALUES:
            raise LanguageError(
                where, f"the hours ExecutionResult Value is {' or '.join(HOURS_VALUES)}"
            )
        return MockResult(value=result["Value"])
    _keys(result, f"{where} ExecutionResult", required=("LoadedData",), optional=("DelaySeconds",))
    loaded = result["LoadedData"]
    try:
        data = json.loads(loaded) if isinstance(loaded, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise LanguageError(
            where,
            "LoadedData must be a JSON object serialized as a string, e.g. "
            '"{\\"valid\\": \\"true\\"}"',
        )
    return MockResult(loaded_data=data, delay_seconds=_delay(where, result))


def _delay(where: str, raw: dict[str, Any]) -> float:
    delay = raw.get("DelaySeconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise LanguageError(where, "DelaySeconds must be a number of seconds, 0 or more")
    return float(delay)


def _assertion(where: str, identifier: str, parameters: dict[str, Any]) -> Assertion:
    _keys(parameters, f"{where} Assert Parameters", required=("Namespace", "Operator"),
          optional=("Operand",))  # fmt: skip
    namespace, operator = parameters["Namespace"], parameters["Operator"]
    if not isinstance(namespace, str) or not namespace.startswith("$."):
        raise LanguageError(
            where,
            f"Namespace {namespace!r} must be a JSON path into the contact, e.g. "
            "$.Attributes.EffortScore",
        )
    if operator not in ASSERT_OPERATORS:
        raise LanguageError(
            where, f"unknown operator {operator!r}; operators are {', '.join(ASSERT_OPERATORS)}"
        )
    operand = parameters.get("Operand")
    if operator != EXISTS and not isinstance(operand, str):
        raise LanguageError(where, f'{operator} needs an Operand, as text ("5", not 5)')
    if operand is not None and not isinstance(operand, str):
        raise LanguageError(where, "Operand must be text")
    return Assertion(identifier, namespace, operator, operand)


COMMANDS: Final = ("EndTest", "LogData")


def _test_control(where: str, identifier: str, parameters: dict[str, Any]) -> Action:
    _keys(parameters, f"{where} Parameters", required=("ActionType", "Command"))
    command = parameters["Command"]
    if not isinstance(command, dict) or command.get("Type") not in COMMANDS:
        found = command.get("Type") if isinstance(command, dict) else command
        raise LanguageError(
            where, f"unknown TestControl command {found!r}; commands are {', '.join(COMMANDS)}"
        )
    if command["Type"] == "EndTest":
        _keys(command, f"{where} Command", required=("Type",), optional=("Properties",))
        if command.get("Properties", {}):
            raise LanguageError(where, "EndTest takes no Properties")
        return EndTest(identifier)
    _keys(command, f"{where} Command", required=("Type", "Properties"))
    properties = command["Properties"]
    expressions = properties.get("Expressions") if isinstance(properties, dict) else None
    if (
        not isinstance(properties, dict)
        or set(properties) != {"Expressions"}
        or not isinstance(expressions, dict)
        or not expressions
        or not all(_is_text(k) and _is_text(v) for k, v in expressions.items())
    ):
        raise LanguageError(
            where, 'LogData needs {"Expressions": {"label": "$.Attributes.Name", ...}}'
        )
    return LogData(identifier, tuple(expressions.items()))


# -- helpers ----------------------------------------------------------------------------------


def _keys(
    raw: Mapping[str, Any],
    where: str,
    *,
    required: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> None:
    """Refuse a missing required key or a key the language does not have, naming the fix."""
    for key in required:
        if key not in raw:
            raise LanguageError(where, f"{key} is missing")
    unknown = [key for key in raw if key not in required and key not in optional]
    if unknown:
        allowed = ", ".join((*required, *optional)) or "none"
        hint = (
            " (put MatchingCriteria inside Properties)" if unknown[0] == "MatchingCriteria" else ""
        )
        raise LanguageError(where, f"unknown key {unknown[0]!r}; allowed: {allowed}{hint}")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())

"""A linter for Amazon Connect Flow Language documents: what Connect would reject, and traps.

`lint(document, flow)` runs every rule in `RULES` and returns their findings. A rule is one small
check that reads the document and yields each problem as (action, message); `lint` makes each a
`Finding` naming the flow, the action id ("" for the document), the rule (the check's name in
kebab case) and the message. Errors are what Connect rejects or a call would get stuck on;
warnings are legal but risky (an input with no timeout branch, an unguarded Lambda).

Values may hold unresolved CDK tokens (`${Token[TOKEN.123]}`), so ARNs are only required to be
non-empty strings.
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from flows.engine.conditions import OPERATORS, as_number

VERSION = "2019-10-30"
MAX_ACTIONS = 250
MAX_CONTENT = 256_000
MAX_IDENTIFIER = 50
FORBIDDEN_CHARACTERS = set("%:(\\/)=$,;[]{}")
FORBIDDEN_IDENTIFIERS = frozenset(
    {
        "__proto__",
        "constructor",
        "__defineGetter__",
        "__defineSetter__",
        "toString",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "valueOf",
    }
)
EVENT_HOOKS = frozenset(
    {
        "AgentHold",
        "AgentWhisper",
        "CustomerHold",
        "CustomerQueue",
        "CustomerRemaining",
        "CustomerWhisper",
        "DefaultAgentUI",
        "DisconnectAgentUI",
        "PauseContact",
        "ResumeContact",
    }
)
PROMPT_KEYS = ("Text", "SSML", "PromptId")
METRIC_TYPES = (
    "NumberOfAgentsAvailable",
    "NumberOfAgentsStaffed",
    "NumberOfAgentsOnline",
    "OldestContactInQueueAgeSeconds",
    "NumberOfContactsInQueue",
)
# Console exports always write a NextAction on these, though they leave by errors/conditions.
CONSOLE_NEXT_ACTION = {
    "TransferContactToQueue": "the NoMatchingError target",
    "Loop": "the DoneLooping target",
}
DTMF_KEYS = re.compile(r"[0-9*#]")
MAX_DELAY_SECONDS = 259_200
MAX_WAIT_SECONDS = 604_800

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ActionType:
    """What the linter knows of an action type: how it leaves, and which errors it raises."""

    leaves_by: Literal["next", "conditions", "errors", "end"]
    errors: frozenset[str] = frozenset()


def _type(leaves_by: Literal["next", "conditions", "errors", "end"], *errors: str) -> ActionType:
    return ActionType(leaves_by, frozenset({"NoMatchingError", *errors}))


# "conditions": the action's result picks a branch (and NoMatchingCondition is the rest).
# GetParticipantInput leaves by conditions as a menu and by NextAction when it stores input.
TYPES: dict[str, ActionType] = {
    "MessageParticipant": _type("next"),
    "GetParticipantInput": _type(
        "conditions", "InputTimeLimitExceeded", "NoMatchingCondition", "InvalidPhoneNumber"
    ),
    "UpdateContactAttributes": _type("next"),
    "Compare": _type("conditions", "NoMatchingCondition"),
    "InvokeLambdaFunction": _type("next"),
    "UpdateContactEventHooks": _type("next"),
    "UpdateContactTargetQueue": _type("next"),
    "TransferContactToQueue": _type("errors", "QueueAtCapacity"),
    "DisconnectParticipant": _type("end"),
    "EndFlowExecution": _type("end"),
    "TransferToFlow": _type("end"),
    "UpdateContactTextToSpeechVoice": _type("next"),
    "UpdateFlowLoggingBehavior": _type("next"),
    "UpdateContactRecordingBehavior": _type("next"),
    "CheckHoursOfOperation": _type("conditions"),
    "CreateCallbackContact": _type("next"),
    "UpdateContactCallbackNumber": _type(
        "next", "InvalidCallbackNumber", "CallbackNumberNotDialable"
    ),
    "CheckMetricData": _type("conditions", "NoMatchingCondition"),
    "DistributeByPercentage": _type("conditions", "NoMatchingCondition"),
    "Loop": _type("conditions"),
    "Wait": _type("conditions", "ParticipantNotFound"),
}


@dataclass(frozen=True)
class Finding:
    """One problem: where (flow, action id or "" for the document), which rule, what is wrong."""

    flow: str
    action: str
    rule: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.flow}: {self.action or '(flow)'}: {self.rule}: {self.message}"


class LintError(ValueError):
    """Raised by `require_clean` when a flow has error findings; lists every one."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


class Document:
    """The document as the rules read it: well-formed actions only (`action-shape` reports
    the rest), with tolerant accessors so every rule can run on a broken document."""

    def __init__(self, raw: Mapping[str, Any], content: str | None = None) -> None:
        self.raw = raw
        self.content = content
        actions = raw.get("Actions") if isinstance(raw, Mapping) else None
        self.all_actions: list[Any] = actions if isinstance(actions, list) else []
        self.actions: list[Mapping[str, Any]] = [
            a for a in self.all_actions if isinstance(a, Mapping) and _is_str(a.get("Identifier"))
        ]
        self.ids = {a["Identifier"] for a in self.actions}

    def of_type(self, *types: str) -> Iterator[Mapping[str, Any]]:
        return (a for a in self.actions if _type_name(a) in types)


Problem = tuple[Mapping[str, Any] | None, str]
"""What a check yields: the action (None for the document) and what is wrong with it."""


@dataclass(frozen=True)
class Rule:
    """A check with its severity; the rule is named after the check (`dead_end`: dead-end)."""

    check: Callable[[Document], Iterator[Problem]]
    severity: Severity = "error"

    @property
    def name(self) -> str:
        return self.check.__name__.replace("_", "-")


def lint(document: Mapping[str, Any], flow: str, *, content: str | None = None) -> list[Finding]:
    """Every finding of every rule, rules in `RULES` order, actions in document order.

    `content` is the document as it will be deployed (its size is what counts); without it the
    size is that of `json.dumps(document)`.
    """
    doc = Document(document, content)
    return [
        Finding(flow, action["Identifier"] if action else "", rule.name, message, rule.severity)
        for rule in RULES
        for action, message in rule.check(doc)
    ]


def require_clean(
    document: Mapping[str, Any], flow: str, *, content: str | None = None
) -> list[Finding]:
    """The warnings of a flow that has no errors; raises `LintError` listing the errors."""
    findings = lint(document, flow, content=content)
    errors = [finding for finding in findings if finding.severity == "error"]
    if errors:
        raise LintError(errors)
    return findings


# -- small readers that never fail on a malformed document -------------------------------------


def _type_name(action: Mapping[str, Any]) -> str:
    kind = action.get("Type")
    return kind if isinstance(kind, str) else ""


def _is_str(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _params(action: Mapping[str, Any]) -> Mapping[str, Any]:
    params = action.get("Parameters")
    return params if isinstance(params, Mapping) else {}


def _transitions(action: Mapping[str, Any]) -> Mapping[str, Any]:
    transitions = action.get("Transitions")
    return transitions if isinstance(transitions, Mapping) else {}


def _entries(action: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    entries = _transitions(action).get(key)
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, Mapping)]


def _conditions(action: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        entry["Condition"]
        for entry in _entries(action, "Conditions")
        if isinstance(entry.get("Condition"), Mapping)
    ]


def _error_types(action: Mapping[str, Any]) -> list[str]:
    return [
        e["ErrorType"] for e in _entries(action, "Errors") if isinstance(e.get("ErrorType"), str)
    ]


def _operand(condition: Mapping[str, Any]) -> str | None:
    operands = condition.get("Operands")
    if isinstance(operands, list) and len(operands) == 1 and isinstance(operands[0], str):
        return operands[0]
    return None


def targets(action: Mapping[str, Any]) -> list[Any]:
    """Every NextAction an action names, in document order (as written: may be malformed)."""
    targets = [e.get("NextAction") for e in _entries(action, "Conditions")]
    targets += [e.get("NextAction") for e in _entries(action, "Errors")]
    if "NextAction" in _transitions(action):
        targets.insert(0, _transitions(action)["NextAction"])
    return targets


def _integer(value: Any) -> int | None:
    """An integer written as a JSON number or a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("$.") and " " not in value


def _stores_input(action: Mapping[str, Any]) -> bool:
    return _params(action).get("StoreInput") == "True"


def _leaves_by(action: Mapping[str, Any]) -> str:
    kind = TYPES[action["Type"]].leaves_by
    return "next" if action["Type"] == "GetParticipantInput" and _stores_input(action) else kind


# -- document rules ---------------------------------------------------------------------------


def version(doc: Document) -> Iterator[Problem]:
    found = doc.raw.get("Version") if isinstance(doc.raw, Mapping) else None
    if found != VERSION:
        yield (None, f'Version must be "{VERSION}", got {found!r}')


def start_action(doc: Document) -> Iterator[Problem]:
    start = doc.raw.get("StartAction") if isinstance(doc.raw, Mapping) else None
    if not isinstance(start, str) or start not in doc.ids:
        yield (None, f"StartAction {start!r} names no action")


def action_shape(doc: Document) -> Iterator[Problem]:
    if not isinstance(doc.raw, Mapping) or not isinstance(doc.raw.get("Actions"), list):
        yield (None, "Actions must be a list of actions")
        return
    for index, action in enumerate(doc.all_actions):
        if not isinstance(action, Mapping) or not _is_str(action.get("Identifier")):
            yield (None, f"Actions[{index}] needs a non-empty string Identifier")
            continue
        yield from _action_fields(action)


def _action_fields(action: Mapping[str, Any]) -> Iterator[Problem]:
    if not isinstance(action.get("Type"), str):
        yield (action, "Type must be a string")
    for key in ("Parameters", "Transitions"):
        if not isinstance(action.get(key), Mapping):
            yield (action, f"{key} must be an object (may be empty)")
    transitions = _transitions(action)
    if "NextAction" in transitions and not _is_str(transitions["NextAction"]):
        yield (action, "Transitions.NextAction must be an action id")
    for key, fields in (
        ("Conditions", ("NextAction", "Condition")),
        ("Errors", ("NextAction", "ErrorType")),
    ):
        entries = transitions.get(key, [])
        if not isinstance(entries, list) or not all(
            isinstance(e, Mapping) and all(field in e for field in fields) for e in entries
        ):
            yield (
                action,
                f"Transitions.{key} must be a list of {{{', '.join(fields)}}}",
            )


def identifiers(doc: Document) -> Iterator[Problem]:
    seen: set[str] = set()
    for action in doc.actions:
        identifier = action["Identifier"]
        if identifier in seen:
            yield (action, "identifier is used by more than one action")
        seen.add(identifier)
        if len(identifier) > MAX_IDENTIFIER:
            yield (action, f"identifier is {len(identifier)} characters; at most 50")
        bad = sorted(FORBIDDEN_CHARACTERS.intersection(identifier))
        if bad:
            yield (action, f"identifier contains {' '.join(bad)}")
        if identifier in FORBIDDEN_IDENTIFIERS:
            yield (action, f"{identifier!r} is a reserved identifier")


def action_type(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        kind = action.get("Type")
        if isinstance(kind, str) and kind not in TYPES:
            yield (action, f"unknown action type {kind!r}")


def action_count(doc: Document) -> Iterator[Problem]:
    if len(doc.all_actions) > MAX_ACTIONS:
        yield (None, f"{len(doc.all_actions)} actions; a flow holds at most 250")


def content_size(doc: Document) -> Iterator[Problem]:
    try:
        size = len(doc.content if doc.content is not None else json.dumps(doc.raw))
    except (TypeError, ValueError) as error:
        yield (None, f"the document is not JSON: {error}")
        return
    if size > MAX_CONTENT:
        yield (None, f"{size} characters of JSON; Content holds at most 256000")


def transition_targets(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        # dict.fromkeys: one finding per missing target, however many branches name it
        for target in dict.fromkeys(t for t in targets(action) if isinstance(t, str)):
            if target not in doc.ids:
                yield (action, f"transition to unknown {target!r}")


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


def dead_end(doc: Document) -> Iterator[Problem]:
    """Every action but a terminal one needs a way on for its outcome."""
    for action in doc.actions:
        if _type_name(action) not in TYPES:
            continue
        leaves_by, transitions = _leaves_by(action), _transitions(action)
        if leaves_by == "next" and not _is_str(transitions.get("NextAction")):
            yield (action, "no NextAction: the call would be stuck here")
        elif leaves_by == "conditions" and not _entries(action, "Conditions"):
            yield (action, "no Conditions: every result would be stuck here")
        elif leaves_by == "errors" and "NoMatchingError" not in _error_types(action):
            yield (action, "no NoMatchingError branch: a failed transfer would be stuck")


def console_next_action(doc: Document) -> Iterator[Problem]:
    """Write what console exports always carry: a NextAction where the console writes one."""
    for action in doc.of_type(*CONSOLE_NEXT_ACTION):
        if not _is_str(_transitions(action).get("NextAction")):
            yield (
                action,
                f"no NextAction: console exports of {action['Type']} always carry one "
                f"({CONSOLE_NEXT_ACTION[action['Type']]})",
            )


def error_types(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        known = TYPES.get(_type_name(action))
        if known is None:
            continue
        seen: set[str] = set()
        for error_type in _error_types(action):
            if error_type not in known.errors:
                yield (action, f"{action['Type']} has no error {error_type!r}")
            if error_type in seen:
                yield (action, f"error {error_type!r} has two branches")
            seen.add(error_type)


# -- conditions -------------------------------------------------------------------------------


def conditions_unsupported(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        known = _type_name(action) in TYPES
        if known and _entries(action, "Conditions") and _leaves_by(action) != "conditions":
            yield (action, f"{_kind(action)} takes no Conditions")


def _kind(action: Mapping[str, Any]) -> str:
    return "stored input" if _stores_input(action) else str(action["Type"])


def operators(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in _conditions(action):
            operator = condition.get("Operator")
            if not isinstance(operator, str) or operator not in OPERATORS:
                yield (action, f"unknown operator {operator!r}")
            elif _operand(condition) is None:
                yield (action, f"{operator} needs exactly one string operand")


def numeric_operands(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in _conditions(action):
            operator, operand = condition.get("Operator"), _operand(condition)
            numeric = str(operator).startswith("Number") and operand is not None
            if numeric and as_number(str(operand)) is None:
                yield (
                    action,
                    f"{operator} operand {operand!r} is not a number",
                )


# -- participant actions ----------------------------------------------------------------------


def prompt(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("MessageParticipant", "GetParticipantInput"):
        given = [key for key in PROMPT_KEYS if key in _params(action)]
        if len(given) != 1:
            yield (
                action,
                f"give exactly one of Text, SSML, PromptId (got {', '.join(given) or 'none'})",
            )
        elif not _is_str(_params(action)[given[0]]):
            yield (action, f"{given[0]} must be a non-empty string")


def input_time_limit(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("GetParticipantInput"):
        value = _params(action).get("InputTimeLimitSeconds")
        seconds = _integer(value)
        if seconds is None or seconds < 1:
            yield (
                action,
                f"InputTimeLimitSeconds must be a positive whole number, got {value!r}",
            )


def store_input(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("GetParticipantInput"):
        value = _params(action).get("StoreInput")
        if value not in ("True", "False"):
            yield (action, f'StoreInput must be "True" or "False", got {value!r}')


def stored_input(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("GetParticipantInput"):
        if not _stores_input(action):
            continue
        validation = _params(action).get("InputValidation")
        custom = validation.get("CustomValidation") if isinstance(validation, Mapping) else None
        if not isinstance(validation, Mapping) or not (
            "PhoneNumberValidation" in validation or isinstance(custom, Mapping)
        ):
            yield (action, "stored input needs InputValidation")
        elif isinstance(custom, Mapping) and (_integer(custom.get("MaximumLength")) or 0) < 1:
            yield (
                action,
                "MaximumLength must be a positive whole number, "
                f"got {custom.get('MaximumLength')!r}",
            )
        yield from _terminator(action)


def _terminator(action: Mapping[str, Any]) -> Iterator[Problem]:
    config = _params(action).get("DTMFConfiguration", {})
    sequence = config.get("InputTerminationSequence") if isinstance(config, Mapping) else None
    if sequence is not None and not (
        isinstance(sequence, str)
        and 1 <= len(sequence) <= 5
        and all(map(DTMF_KEYS.fullmatch, sequence))
    ):
        yield (
            action,
            f"InputTerminationSequence must be 1 to 5 keys of 0-9, *, #, got {sequence!r}",
        )


def menu_conditions(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("GetParticipantInput"):
        if _stores_input(action):
            continue
        seen: set[str] = set()
        for condition in _conditions(action):
            operand = _operand(condition)
            if (
                condition.get("Operator") != "Equals"
                or operand is None
                or not DTMF_KEYS.fullmatch(operand)
            ):
                yield (
                    action,
                    "a menu condition must be Equals on one key (0-9, *, #), "
                    f"got {condition.get('Operator')} {condition.get('Operands')!r}",
                )
            elif operand in seen:
                yield (action, f"key {operand} has two branches; the second is dead")
            else:
                seen.add(operand)


# -- interactions -----------------------------------------------------------------------------


def lambda_arn(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("InvokeLambdaFunction"):
        if not _is_str(_params(action).get("LambdaFunctionARN")):
            yield (action, "LambdaFunctionARN must be a non-empty string")


def lambda_timeout(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("InvokeLambdaFunction"):
        value = _params(action).get("InvocationTimeLimitSeconds")
        seconds = _integer(value)
        if seconds is None or not 1 <= seconds <= 8:
            yield (
                action,
                f"InvocationTimeLimitSeconds must be a whole number from 1 to 8, got {value!r}",
            )


def lambda_options(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("InvokeLambdaFunction"):
        params = _params(action)
        validation = params.get("ResponseValidation", {})
        response_type = validation.get("ResponseType") if isinstance(validation, Mapping) else None
        if "ResponseValidation" in params and response_type not in ("STRING_MAP", "JSON"):
            yield (
                action,
                "ResponseValidation.ResponseType must be STRING_MAP or JSON, "
                f"got {response_type!r}",
            )
        invocation = params.get("InvocationType", "SYNCHRONOUS")
        if invocation not in ("SYNCHRONOUS", "ASYNCHRONOUS"):
            yield (
                action,
                f"InvocationType must be SYNCHRONOUS or ASYNCHRONOUS, got {invocation!r}",
            )
        attributes = params.get("LambdaInvocationAttributes", {})
        if not isinstance(attributes, Mapping) or not all(
            isinstance(value, str) for value in attributes.values()
        ):
            yield (action, "LambdaInvocationAttributes must map names to strings")


def callback(doc: Document) -> Iterator[Problem]:
    limits = {
        "InitialCallDelaySeconds": MAX_DELAY_SECONDS,
        "MaximumConnectionAttempts": None,
        "RetryDelaySeconds": MAX_DELAY_SECONDS,
    }
    for action in doc.of_type("CreateCallbackContact"):
        for name, most in limits.items():
            value = _integer(_params(action).get(name))
            if value is None or value < 1 or (most is not None and value > most):
                bound = f" and at most {most}" if most else ""
                yield (
                    action,
                    f"{name} must be a whole number above 0{bound}, "
                    f"got {_params(action).get(name)!r}",
                )


# -- contact actions --------------------------------------------------------------------------


def callback_number(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactCallbackNumber"):
        value = _params(action).get("CallbackNumber")
        if not _is_path(value):
            yield (action, f"CallbackNumber must be one JSONPath (never static), got {value!r}")


def attributes(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactAttributes"):
        values = _params(action).get("Attributes")
        if not isinstance(values, Mapping) or not values:
            yield (action, "Attributes must be a non-empty object")
        elif not all(isinstance(value, str) for value in values.values()):
            yield (action, "attribute values must be strings")


def event_hooks(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactEventHooks"):
        hooks = _params(action).get("EventHooks")
        if not isinstance(hooks, Mapping) or len(hooks) != 1:
            count = len(hooks) if isinstance(hooks, Mapping) else 0
            yield (action, f"EventHooks must hold exactly one hook, got {count}")
            continue
        [(hook, flow)] = hooks.items()
        if hook not in EVENT_HOOKS:
            yield (action, f"unknown event hook {hook!r}")
        if not _is_str(flow):
            yield (action, f"{hook} must name a flow (ARN or id)")


def target_queue(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactTargetQueue", "CreateCallbackContact"):
        given = [key for key in ("QueueId", "AgentId") if key in _params(action)]
        if len(given) == 2 or (not given and action["Type"] == "UpdateContactTargetQueue"):
            yield (action, "give exactly one of QueueId and AgentId")
        elif given and not _is_str(_params(action)[given[0]]):
            yield (action, f"{given[0]} must be a non-empty string")


def voice(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactTextToSpeechVoice"):
        if not _is_str(_params(action).get("TextToSpeechVoice")):
            yield (action, "TextToSpeechVoice must be a voice name")


def recording(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateContactRecordingBehavior"):
        behavior = _params(action).get("RecordingBehavior")
        people = behavior.get("RecordedParticipants") if isinstance(behavior, Mapping) else None
        if not isinstance(people, list) or not all(p in ("Agent", "Customer") for p in people):
            yield (
                action,
                "RecordingBehavior.RecordedParticipants must list Agent and/or Customer",
            )


# -- flow control actions ---------------------------------------------------------------------


def compare_value(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("Compare"):
        value = _params(action).get("ComparisonValue")
        if not _is_path(value):
            yield (action, f"ComparisonValue must be one JSONPath, got {value!r}")


def loop(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("Loop"):
        value = _params(action).get("LoopCount")
        count = _integer(value)
        if not _is_path(value) and (count is None or not 0 <= count <= 100):
            yield (action, f"LoopCount must be a whole number from 0 to 100, got {value!r}")
        yield from _exact_results(action, ("ContinueLooping", "DoneLooping"))


def metric_data(doc: Document) -> Iterator[Problem]:
    """CheckMetricData: a known MetricType; agent counts support only NumberGreaterThan 0."""
    for action in doc.of_type("CheckMetricData"):
        metric = _params(action).get("MetricType")
        if metric not in METRIC_TYPES:
            yield (action, f"MetricType must be one of {', '.join(METRIC_TYPES)}, got {metric!r}")
        elif metric.startswith("NumberOfAgents"):
            for condition in _conditions(action):
                if condition.get("Operator") != "NumberGreaterThan" or _operand(condition) != "0":
                    yield (action, f"{metric} supports only the condition NumberGreaterThan 0")
        if "QueueId" in _params(action) and "AgentId" in _params(action):
            yield (action, "give QueueId or AgentId, not both")


def hours_conditions(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("CheckHoursOfOperation"):
        yield from _exact_results(action, ("True", "False"))


def _exact_results(action: Mapping[str, Any], results: tuple[str, ...]) -> Iterator[Problem]:
    found = sorted(
        str(_operand(c)) if c.get("Operator") == "Equals" else f"{c.get('Operator')}"
        for c in _conditions(action)
    )
    if found != sorted(results):
        yield (
            action,
            f"Conditions must be exactly Equals {' and Equals '.join(results)}, "
            f"got {', '.join(found) or 'none'}",
        )


def distribution(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("DistributeByPercentage"):
        previous = 0
        for condition in _conditions(action):
            operand = _operand(condition)
            number = _integer(operand)
            if condition.get("Operator") != "NumberLessThan" or number is None:
                yield (action, "each condition must be NumberLessThan a whole number")
            elif not previous < number <= 100:
                yield (
                    action,
                    f"NumberLessThan {number} must rise above {previous} and stay within 100%",
                )
            else:
                previous = number


def transfer_flow(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("TransferToFlow"):
        if not _is_str(_params(action).get("ContactFlowId")):
            yield (action, "ContactFlowId must name a flow (ARN or id)")


def logging(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("UpdateFlowLoggingBehavior"):
        value = _params(action).get("FlowLoggingBehavior")
        if value not in ("Enabled", "Disabled"):
            yield (action, f"FlowLoggingBehavior must be Enabled or Disabled, got {value!r}")


def wait(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("Wait"):
        value = _params(action).get("TimeoutSeconds")
        seconds = _integer(value)
        if not _is_path(value) and (seconds is None or not 1 <= seconds <= MAX_WAIT_SECONDS):
            yield (action, f"TimeoutSeconds must be 1 to {MAX_WAIT_SECONDS}, got {value!r}")
        if "WaitCompleted" not in [_operand(c) for c in _conditions(action)]:
            yield (action, "Conditions need Equals WaitCompleted")


# -- warnings ---------------------------------------------------------------------------------


def input_timeout_unhandled(doc: Document) -> Iterator[Problem]:
    """Stored input that times out may go on by NextAction with the value "Timeout"."""
    for action in doc.of_type("GetParticipantInput"):
        handled = "InputTimeLimitExceeded" in _error_types(action) or (
            _stores_input(action) and _is_str(_transitions(action).get("NextAction"))
        )
        if not handled:
            yield (
                action,
                "no InputTimeLimitExceeded branch: a silent caller has nowhere to go",
            )


def lambda_error_unhandled(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type("InvokeLambdaFunction"):
        if "NoMatchingError" not in _error_types(action):
            yield (
                action,
                "no NoMatchingError branch: a failing or slow Lambda has nowhere to go",
            )


def no_match_unhandled(doc: Document) -> Iterator[Problem]:
    for action in doc.of_type(
        "Compare", "GetParticipantInput", "DistributeByPercentage", "CheckMetricData"
    ):
        if _leaves_by(action) != "conditions":
            continue
        if not {"NoMatchingCondition", "NoMatchingError"} & set(_error_types(action)):
            yield (
                action,
                "no NoMatchingCondition branch: a result no condition matches has nowhere to go",
            )


RULES: list[Rule] = [
    Rule(version),
    Rule(start_action),
    Rule(action_shape),
    Rule(identifiers),
    Rule(action_type),
    Rule(action_count),
    Rule(content_size),
    Rule(transition_targets),
    Rule(unreachable),
    Rule(dead_end),
    Rule(console_next_action),
    Rule(error_types),
    Rule(conditions_unsupported),
    Rule(operators),
    Rule(numeric_operands),
    Rule(prompt),
    Rule(input_time_limit),
    Rule(store_input),
    Rule(stored_input),
    Rule(menu_conditions),
    Rule(lambda_arn),
    Rule(lambda_timeout),
    Rule(lambda_options),
    Rule(callback),
    Rule(callback_number),
    Rule(attributes),
    Rule(event_hooks),
    Rule(target_queue),
    Rule(voice),
    Rule(recording),
    Rule(compare_value),
    Rule(loop),
    Rule(metric_data),
    Rule(hours_conditions),
    Rule(distribution),
    Rule(transfer_flow),
    Rule(logging),
    Rule(wait),
    Rule(input_timeout_unhandled, "warning"),
    Rule(lambda_error_unhandled, "warning"),
    Rule(no_match_unhandled, "warning"),
]

"""The Amazon Connect Flow Language as this project knows it: the linter and the simulator read it.

How to add an action type: (1) add its `ActionType` entry to `ACTION_TYPES` below (how it leaves,
its errors, parameters, limits and choices); (2) write one simulator function decorated
`@implements("Type")` in flows/engine/actions/; (3) add its rules (`@action_rule`) in flows/lint/.

Everything else here (limits, enums, operators, digits, whole numbers, tolerant document readers)
is a fact of the language that both sides must agree on, so it is written here and nowhere else.
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

# -- the document -------------------------------------------------------------------------------

VERSION = "2019-10-30"
MAX_ACTIONS = 250
MAX_CONTENT = 256_000  # characters of JSON in AWS::Connect::ContactFlow Content
MAX_IDENTIFIER = 50
FORBIDDEN_CHARACTERS = frozenset("%:(\\/)=$,;[]{}")
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

# -- error types and results --------------------------------------------------------------------

NO_MATCHING_ERROR = "NoMatchingError"  # every action has it: the catch-all error branch
NO_MATCHING_CONDITION = "NoMatchingCondition"
INPUT_TIME_LIMIT_EXCEEDED = "InputTimeLimitExceeded"
INVALID_PHONE_NUMBER = "InvalidPhoneNumber"
QUEUE_AT_CAPACITY = "QueueAtCapacity"
PARTICIPANT_NOT_FOUND = "ParticipantNotFound"
INVALID_CALLBACK_NUMBER = "InvalidCallbackNumber"
CALLBACK_NUMBER_NOT_DIALABLE = "CallbackNumberNotDialable"

CONTINUE_LOOPING = "ContinueLooping"
DONE_LOOPING = "DoneLooping"
LOOP_RESULTS = (CONTINUE_LOOPING, DONE_LOOPING)
HOURS_RESULTS = ("True", "False")  # CheckHoursOfOperation: in hours, out of hours
WAIT_COMPLETED = "WaitCompleted"

# -- enums ----------------------------------------------------------------------------------------

CUSTOMER_REMAINING = "CustomerRemaining"  # the event hook of the disconnect flow
EVENT_HOOKS = frozenset(
    {
        "AgentHold",
        "AgentWhisper",
        "CustomerHold",
        "CustomerQueue",
        CUSTOMER_REMAINING,
        "CustomerWhisper",
        "DefaultAgentUI",
        "DisconnectAgentUI",
        "PauseContact",
        "ResumeContact",
    }
)
PROMPT_KEYS = ("Text", "SSML", "PromptId")  # exactly one of them says what the caller hears
STRING_MAP = "STRING_MAP"
JSON = "JSON"
RECORDED_PARTICIPANTS = ("Agent", "Customer")
# CheckMetricData: the metrics it reads; the agent counts support only "NumberGreaterThan 0".
# https://docs.aws.amazon.com/connect/latest/APIReference/flow-control-actions-checkmetricdata.html
AGENT_METRIC_TYPES = ("NumberOfAgentsAvailable", "NumberOfAgentsStaffed", "NumberOfAgentsOnline")
METRIC_TYPES = (*AGENT_METRIC_TYPES, "OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue")
AGENT_METRIC_CONDITION = ("NumberGreaterThan", "0")
# UpdateContactCallbackNumber accepts E.164 numbers only.
E164 = re.compile(r"^\+[1-9]\d{1,14}$")

# -- condition operators --------------------------------------------------------------------------

NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def as_number(text: str) -> Decimal | None:
    """The number a text spells, or None (no NaN, infinity, exponent or padding)."""
    return Decimal(text) if NUMBER.fullmatch(text) else None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> Callable[[str, str], bool]:
    def operator(result: str, operand: str) -> bool:
        left, right = as_number(result), as_number(operand)
        return left is not None and right is not None and compare(left, right)

    return operator


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda result, operand: result == operand,
    "TextStartsWith": lambda result, operand: result.startswith(operand),
    "TextEndsWith": lambda result, operand: result.endswith(operand),
    "TextContains": lambda result, operand: operand in result,
    "NumberGreaterThan": _numeric(lambda a, b: a > b),
    "NumberGreaterOrEqualTo": _numeric(lambda a, b: a >= b),
    "NumberLessThan": _numeric(lambda a, b: a < b),
    "NumberLessOrEqualTo": _numeric(lambda a, b: a <= b),
}
"""Each operator compares an action's result with the condition's one operand; a `Number*`
operator is false when either side is not a number."""

# -- digits and numbers ---------------------------------------------------------------------------

DTMF_KEYS = re.compile(r"[0-9*#]+")
DEFAULT_TERMINATOR = "#"
STORED_TIMEOUT = "Timeout"  # what "Store customer input" stores when the caller says nothing


def is_keys(text: str, *, most: int | None = None) -> bool:
    """Whether `text` is one or more phone keys (0-9, *, #), at most `most` of them."""
    return DTMF_KEYS.fullmatch(text) is not None and (most is None or len(text) <= most)


def whole_number(value: Any) -> int | None:
    """An integer written as a JSON number or a string of digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def is_path(value: Any) -> bool:
    """Whether a value is written as one JSONPath reference (`$.Attributes.X`)."""
    return isinstance(value, str) and value.startswith("$.") and " " not in value


# -- action types ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """The whole numbers a parameter may take: `low` to `high` (no upper bound when None)."""

    low: int
    high: int | None = None

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and self.low <= value
            and (self.high is None or value <= self.high)
        )


@dataclass(frozen=True)
class Choice:
    """The values an enumerated parameter may take; `default` when absent (None: required)."""

    values: tuple[str, ...]
    default: str | None = None


LeavesBy = Literal["next", "conditions", "errors", "end"]
"""How an action leaves: by NextAction, by its result matching Conditions (NoMatchingCondition
being the rest), only by Errors (a transfer that succeeds ends the flow), or not at all."""


@dataclass(frozen=True)
class ActionType:
    """One action type: how it leaves, its error types, parameters, limits and choices.

    `errors` always includes NoMatchingError. `limits` and `choices` are keyed by the parameter's
    own name (`MaximumLength`, not its path inside `InputValidation`).
    """

    leaves_by: LeavesBy
    errors: frozenset[str]
    parameters: tuple[str, ...] = ()
    limits: Mapping[str, Range] = field(default_factory=dict)
    choices: Mapping[str, Choice] = field(default_factory=dict)


def _type(
    leaves_by: LeavesBy,
    *errors: str,
    parameters: tuple[str, ...] = (),
    limits: Mapping[str, Range] | None = None,
    choices: Mapping[str, Choice] | None = None,
) -> ActionType:
    return ActionType(
        leaves_by,
        frozenset({NO_MATCHING_ERROR, *errors}),
        parameters,
        limits or {},
        choices or {},
    )


CALLBACK_DELAY_SECONDS = Range(1, 259_200)  # three days
MAX_PERCENT = 100
PERCENTAGES = Range(1, MAX_PERCENT)  # DistributeByPercentage draws one of these per contact
TERMINATOR_KEYS = Range(1, 5)  # length of DTMFConfiguration.InputTerminationSequence

ACTION_TYPES: dict[str, ActionType] = {
    "MessageParticipant": _type("next", parameters=PROMPT_KEYS),
    # Leaves by conditions as a menu, by NextAction when it stores input (see `leaves_by`).
    "GetParticipantInput": _type(
        "conditions",
        INPUT_TIME_LIMIT_EXCEEDED,
        NO_MATCHING_CONDITION,
        INVALID_PHONE_NUMBER,
        parameters=(
            *PROMPT_KEYS,
            "InputTimeLimitSeconds",
            "StoreInput",
            "InputValidation",
            "DTMFConfiguration",
        ),
        limits={"InputTimeLimitSeconds": Range(1), "MaximumLength": Range(1)},
        choices={"StoreInput": Choice(("True", "False"), "False")},
    ),
    "UpdateContactAttributes": _type("next", parameters=("Attributes",)),
    "Compare": _type("conditions", NO_MATCHING_CONDITION, parameters=("ComparisonValue",)),
    "InvokeLambdaFunction": _type(
        "next",
        parameters=(
            "LambdaFunctionARN",
            "InvocationTimeLimitSeconds",
            "InvocationType",
            "LambdaInvocationAttributes",
            "ResponseValidation",
        ),
        limits={"InvocationTimeLimitSeconds": Range(1, 8)},
        choices={
            "InvocationType": Choice(("SYNCHRONOUS", "ASYNCHRONOUS"), "SYNCHRONOUS"),
            "ResponseType": Choice((STRING_MAP, JSON), STRING_MAP),
        },
    ),
    "UpdateContactEventHooks": _type("next", parameters=("EventHooks",)),
    "UpdateContactTargetQueue": _type("next", parameters=("QueueId", "AgentId")),
    "TransferContactToQueue": _type("errors", QUEUE_AT_CAPACITY),
    "DisconnectParticipant": _type("end"),
    "EndFlowExecution": _type("end"),
    "TransferToFlow": _type("end", parameters=("ContactFlowId",)),
    "UpdateContactTextToSpeechVoice": _type(
        "next",
        parameters=("TextToSpeechVoice", "TextToSpeechEngine", "TextToSpeechStyle"),
        choices={"TextToSpeechEngine": Choice(("Standard", "Neural", "Generative"), "Standard")},
    ),
    "UpdateFlowLoggingBehavior": _type(
        "next",
        parameters=("FlowLoggingBehavior",),
        choices={"FlowLoggingBehavior": Choice(("Enabled", "Disabled"))},
    ),
    "UpdateContactRecordingBehavior": _type("next", parameters=("RecordingBehavior",)),
    "CheckHoursOfOperation": _type("conditions"),
    "CheckMetricData": _type(
        "conditions",
        NO_MATCHING_CONDITION,
        parameters=("MetricType", "QueueId", "AgentId"),
        choices={"MetricType": Choice(METRIC_TYPES)},
    ),
    # CallbackNumber must be one JSONPath (never static); its two errors are all the docs list.
    "UpdateContactCallbackNumber": _type(
        "next",
        INVALID_CALLBACK_NUMBER,
        CALLBACK_NUMBER_NOT_DIALABLE,
        parameters=("CallbackNumber",),
    ),
    "CreateCallbackContact": _type(
        "next",
        parameters=(
            "InitialCallDelaySeconds",
            "MaximumConnectionAttempts",
            "RetryDelaySeconds",
            "QueueId",
            "AgentId",
        ),
        limits={
            "InitialCallDelaySeconds": CALLBACK_DELAY_SECONDS,
            "MaximumConnectionAttempts": Range(1),
            "RetryDelaySeconds": CALLBACK_DELAY_SECONDS,
        },
    ),
    "DistributeByPercentage": _type("conditions", NO_MATCHING_CONDITION),
    "Loop": _type("conditions", parameters=("LoopCount",), limits={"LoopCount": Range(0, 100)}),
    "Wait": _type(
        "conditions",
        PARTICIPANT_NOT_FOUND,
        parameters=("TimeoutSeconds",),
        limits={"TimeoutSeconds": Range(1, 604_800)},  # seven days
    ),
}


def limit(action_type: str, parameter: str) -> Range:
    """The range of a numeric parameter of an action type."""
    return ACTION_TYPES[action_type].limits[parameter]


def choice(action_type: str, parameter: str) -> Choice:
    """The values of an enumerated parameter of an action type."""
    return ACTION_TYPES[action_type].choices[parameter]


# -- reading a document that may be malformed -----------------------------------------------------


def type_name(action: Mapping[str, Any]) -> str:
    """The action's `Type`, or "" when it is not a string."""
    kind = action.get("Type")
    return kind if isinstance(kind, str) else ""


def parameters(action: Mapping[str, Any]) -> Mapping[str, Any]:
    """The action's `Parameters`, or {} when it is not an object."""
    params = action.get("Parameters")
    return params if isinstance(params, Mapping) else {}


def transitions(action: Mapping[str, Any]) -> Mapping[str, Any]:
    """The action's `Transitions`, or {} when it is not an object."""
    found = action.get("Transitions")
    return found if isinstance(found, Mapping) else {}


def entries(action: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The objects of `Transitions.Conditions` or `Transitions.Errors`."""
    found = transitions(action).get(key)
    if not isinstance(found, list):
        return []
    return [entry for entry in found if isinstance(entry, Mapping)]


def conditions(action: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The `Condition` objects of the action's condition branches."""
    return [
        entry["Condition"]
        for entry in entries(action, "Conditions")
        if isinstance(entry.get("Condition"), Mapping)
    ]


def error_types(action: Mapping[str, Any]) -> list[str]:
    """The error types the action has branches for, in document order."""
    return [
        e["ErrorType"] for e in entries(action, "Errors") if isinstance(e.get("ErrorType"), str)
    ]


def operand(condition: Mapping[str, Any]) -> str | None:
    """A condition's one string operand, or None when it has not exactly one."""
    operands = condition.get("Operands")
    if isinstance(operands, list) and len(operands) == 1 and isinstance(operands[0], str):
        return operands[0]
    return None


def targets(action: Mapping[str, Any]) -> list[Any]:
    """Every NextAction an action names, in document order (as written: may be malformed)."""
    found = [e.get("NextAction") for e in entries(action, "Conditions")]
    found += [e.get("NextAction") for e in entries(action, "Errors")]
    if "NextAction" in transitions(action):
        found.insert(0, transitions(action)["NextAction"])
    return found


def stores_input(action: Mapping[str, Any]) -> bool:
    """Whether a GetParticipantInput stores the caller's digits instead of acting as a menu."""
    return parameters(action).get("StoreInput") == "True"


def is_text(value: Any) -> bool:
    """Whether a value is a non-empty string."""
    return isinstance(value, str) and value != ""


# -- the shape of a document: what the linter reports and the simulator refuses to run ------------

ACTIONS_PROBLEM = "Actions must be a list of actions"
IDENTIFIER_PROBLEM = "needs a non-empty string Identifier"
DUPLICATE_IDENTIFIER_PROBLEM = "identifier is used by more than one action"
BRANCH_FIELDS: dict[str, dict[str, type]] = {
    "Conditions": {"NextAction": str, "Condition": Mapping},
    "Errors": {"NextAction": str, "ErrorType": str},
}
"""The fields of each entry of `Transitions.Conditions` and `Transitions.Errors`."""


def start_problem(document: Mapping[str, Any], identifiers: set[str]) -> str | None:
    """What is wrong with `StartAction`, given the flow's action ids; None when it is right."""
    start = document.get("StartAction") if isinstance(document, Mapping) else None
    if not isinstance(start, str) or start not in identifiers:
        return f"StartAction {start!r} names no action"
    return None


def action_problems(action: Mapping[str, Any]) -> list[str]:
    """What is wrong with the shape of an action that has an Identifier (see `is_text`)."""
    problems = []
    if not isinstance(action.get("Type"), str):
        problems.append("Type must be a string")
    for key in ("Parameters", "Transitions"):
        if not isinstance(action.get(key), Mapping):
            problems.append(f"{key} must be an object (may be empty)")
    found = transitions(action)
    if "NextAction" in found and not is_text(found["NextAction"]):
        problems.append("Transitions.NextAction must be an action id")
    for key, fields in BRANCH_FIELDS.items():
        branches = found.get(key, [])
        if not isinstance(branches, list) or not all(
            isinstance(branch, Mapping)
            and all(isinstance(branch.get(name), kind) for name, kind in fields.items())
            for branch in branches
        ):
            problems.append(f"Transitions.{key} must be a list of {{{', '.join(fields)}}}")
    return problems


def leaves_by(action: Mapping[str, Any]) -> LeavesBy:
    """How an action of a known type leaves; stored input leaves by NextAction."""
    kind = ACTION_TYPES[action["Type"]].leaves_by
    return "next" if action["Type"] == "GetParticipantInput" and stores_input(action) else kind

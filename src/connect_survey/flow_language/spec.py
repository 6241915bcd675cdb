"""The Amazon Connect Flow Language as this project knows it: the linter and the simulator read it.

Each action type's constraints are declared once, as data (`ACTION_TYPES`: its parameters, the
constraints on them from `constraints`, and its forms: how it leaves, which branches it may and
must have, the NextAction console exports write). `checks` holds one function per kind of
constraint; the linter reports what they find, and the simulator refuses a flow the linter
rejects with an error. How to add an action type: (1) add its `ActionType` entry below;
(2) write one simulator function decorated `@implements("Type")` in `engine/actions/`. A new kind
of constraint is a dataclass in `constraints` and its function in `checks`.

Everything else here (limits, enums, operators, digits, whole numbers, tolerant document readers)
is a fact of the language that both sides must agree on, so it is written here and nowhere else.
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language.html
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeGuard, TypeVar

from connect_survey.flow_language.constraints import (
    AllowedBranches,
    Choice,
    Conditions,
    ConsoleNextAction,
    Constraint,
    JsonPath,
    LeavesBy,
    Object,
    OneEntry,
    OneOf,
    Pattern,
    Percentages,
    Range,
    RequiredBranches,
    Results,
    String,
    StringMap,
)

C = TypeVar("C", bound=Constraint)

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
class Form:
    """How an action of one form leaves, the errors it may branch on (NoMatchingError always),
    those it must, what else it needs, and the NextAction console exports write on it."""

    leaves_by: LeavesBy
    errors: frozenset[str] = frozenset()
    required_errors: frozenset[str] = frozenset()
    constraints: tuple[Constraint, ...] = ()
    console_next_action: str | None = None

    @property
    def allowed_errors(self) -> frozenset[str]:
        return self.errors | {NO_MATCHING_ERROR}

    @cached_property
    def with_branches(self) -> tuple[Constraint, ...]:
        """The form's constraints, with its branches as constraints: required, allowed, and the
        console's habit."""
        derived: list[Constraint] = [
            RequiredBranches(self.leaves_by, self.required_errors),
            AllowedBranches(self.leaves_by == "conditions", self.allowed_errors),
        ]
        if self.console_next_action is not None:
            derived.append(ConsoleNextAction(self.console_next_action))
        return (*self.constraints, *derived)


@dataclass(frozen=True)
class When:
    """A form applies when the parameter `name` has one of `values`."""

    name: str
    values: frozenset[str]

    def holds(self, parameters: Mapping[str, Any]) -> bool:
        return parameters.get(self.name) in self.values


@dataclass(frozen=True)
class ActionType:
    """One action type: its documented parameters, the constraints on them, and its forms.

    `form` is how the action leaves unless a `variants` entry's `When` holds (a menu or stored
    input, an agent or queue metric): the first that holds gives the form instead.
    """

    parameters: tuple[str, ...]
    form: Form
    constraints: tuple[Constraint, ...] = ()
    variants: tuple[tuple[When, Form], ...] = ()

    def form_for(self, parameters: Mapping[str, Any]) -> Form:
        return next((form for when, form in self.variants if when.holds(parameters)), self.form)

    @property
    def forms(self) -> tuple[Form, ...]:
        return (self.form, *(form for _, form in self.variants))

    @property
    def all_constraints(self) -> tuple[Constraint, ...]:
        """Every constraint of every form (for the tests that break each one)."""
        return (*self.constraints, *(c for form in self.forms for c in form.with_branches))


def _type(
    leaves_by: LeavesBy,
    *errors: str,
    parameters: tuple[str, ...] = (),
    constraints: tuple[Constraint, ...] = (),
    conditions: tuple[Constraint, ...] = (),
    console_next_action: str | None = None,
) -> ActionType:
    form = Form(
        leaves_by,
        frozenset(errors),
        constraints=conditions,
        console_next_action=console_next_action,
    )
    return ActionType(parameters, form, constraints)


PROMPT_KEYS = ("Text", "SSML", "PromptId")  # what the caller hears: never more than one
PROMPT = (OneOf(PROMPT_KEYS), *(String(key, required=False) for key in PROMPT_KEYS))
QUEUE_KEYS = ("QueueId", "AgentId")  # a queue, or an agent's own queue: never both
AT_MOST_ONE_QUEUE = (
    OneOf(QUEUE_KEYS, required=False),
    *(String(key, required=False) for key in QUEUE_KEYS),
)
CALLBACK_DELAY_SECONDS = 259_200  # three days
MAX_PERCENT = 100
MIN_PERCENT = 1  # DistributeByPercentage draws a number from 1 to 100 per contact
MENU_KEY = Conditions(("Equals",), r"[0-9*#]", "on one key (0-9, *, #)")
TERMINATOR = Pattern(
    "DTMFConfiguration.InputTerminationSequence", r"[0-9*#]{1,5}", "1 to 5 keys of 0-9, *, #"
)
BOOLEAN_TEXT = ("True", "False")
NUMBER_OPERATORS = tuple(name for name in OPERATORS if name.startswith("Number"))
VALIDATION_KEYS = ("InputValidation.PhoneNumberValidation", "InputValidation.CustomValidation")
# GetParticipantInput: "NoMatchingError - Must always be defined" (its action page).
MUST_HANDLE_ERRORS = frozenset({NO_MATCHING_ERROR})

ACTION_TYPES: dict[str, ActionType] = {
    "MessageParticipant": _type("next", parameters=(*PROMPT_KEYS, "Media"), constraints=PROMPT),
    # A menu (StoreInput absent or "False") leaves by Conditions on one key; stored input
    # (StoreInput "True") leaves by NextAction and needs one kind of InputValidation.
    "GetParticipantInput": ActionType(
        parameters=(
            *PROMPT_KEYS,
            "Media",
            "InputTimeLimitSeconds",
            "StoreInput",
            "InputValidation",
            "InputEncryption",
            "DTMFConfiguration",
        ),
        constraints=(
            OneOf(PROMPT_KEYS, required=False),
            *PROMPT[1:],
            Range("InputTimeLimitSeconds", 1),
            Choice("StoreInput", BOOLEAN_TEXT, "False"),
            Object("DTMFConfiguration", required=False),
            TERMINATOR,
            Choice("DTMFConfiguration.DisableCancelKey", BOOLEAN_TEXT, "False"),
        ),
        form=Form(
            "conditions",
            frozenset({INPUT_TIME_LIMIT_EXCEEDED, NO_MATCHING_CONDITION}),
            MUST_HANDLE_ERRORS,
            constraints=(MENU_KEY,),
        ),
        variants=(
            (
                When("StoreInput", frozenset({"True"})),
                Form(
                    "next",
                    frozenset({INPUT_TIME_LIMIT_EXCEEDED, INVALID_PHONE_NUMBER}),
                    MUST_HANDLE_ERRORS,
                    constraints=(
                        OneOf(VALIDATION_KEYS),
                        Range("InputValidation.CustomValidation.MaximumLength", 1),
                    ),
                ),
            ),
        ),
    ),
    "UpdateContactAttributes": _type(
        "next",
        parameters=("Attributes", "TargetContact"),
        constraints=(
            StringMap("Attributes", required=True),
            Choice("TargetContact", ("Current", "Related"), "Current"),
        ),
    ),
    # The console's "Set contact properties": Connect-defined contact data, such as the
    # language code the contact record, Contact Lens and Lex see.
    "UpdateContactData": _type(
        "next",
        parameters=(
            "Name",
            "Description",
            "LanguageCode",
            "CustomerId",
            "References",
            "TargetContact",
            "WisdomSessionArn",
        ),
        constraints=(
            *(
                String(key, required=False)
                for key in ("Name", "Description", "LanguageCode", "CustomerId")
            ),
            Object("References", required=False),
            Choice("TargetContact", ("Current", "Related"), "Current"),
        ),
    ),
    "Compare": _type(
        "conditions",
        NO_MATCHING_CONDITION,
        parameters=("ComparisonValue",),
        constraints=(JsonPath("ComparisonValue"),),
    ),
    "InvokeLambdaFunction": _type(
        "next",
        parameters=(
            "LambdaFunctionARN",
            "InvocationTimeLimitSeconds",
            "InvocationType",
            "LambdaInvocationAttributes",
            "ResponseValidation",
        ),
        constraints=(
            String("LambdaFunctionARN"),
            Range("InvocationTimeLimitSeconds", 1, 8),
            Choice("InvocationType", ("SYNCHRONOUS", "ASYNCHRONOUS"), "SYNCHRONOUS"),
            StringMap("LambdaInvocationAttributes"),
            Object("ResponseValidation", required=False),
            Choice("ResponseValidation.ResponseType", (STRING_MAP, JSON), STRING_MAP),
        ),
    ),
    "UpdateContactEventHooks": _type(
        "next", parameters=("EventHooks",), constraints=(OneEntry("EventHooks", EVENT_HOOKS),)
    ),
    "UpdateContactTargetQueue": _type(
        "next", parameters=QUEUE_KEYS, constraints=(OneOf(QUEUE_KEYS), *AT_MOST_ONE_QUEUE[1:])
    ),
    "TransferContactToQueue": _type(
        "errors", QUEUE_AT_CAPACITY, console_next_action="the NoMatchingError target"
    ),
    "DisconnectParticipant": _type("end"),
    "EndFlowExecution": _type("end"),
    "TransferToFlow": _type(
        "end",
        parameters=("ContactFlowId",),
        constraints=(String("ContactFlowId"),),
        console_next_action="the NoMatchingError target",
    ),
    "UpdateContactTextToSpeechVoice": _type(
        "next",
        parameters=("TextToSpeechVoice", "TextToSpeechEngine", "TextToSpeechStyle"),
        constraints=(
            String("TextToSpeechVoice"),
            # The docs list no engine names (console exports write Neural): a voice the engine
            # does not speak fails the block when it runs, as the simulator plays it.
            String("TextToSpeechEngine", required=False),
            String("TextToSpeechStyle", required=False),
        ),
    ),
    "UpdateFlowLoggingBehavior": _type(
        "next",
        parameters=("FlowLoggingBehavior",),
        constraints=(Choice("FlowLoggingBehavior", ("Enabled", "Disabled")),),
    ),
    "UpdateContactRecordingBehavior": _type(
        "next",
        parameters=("RecordingBehavior", "AnalyticsBehavior"),
        constraints=(
            Object("RecordingBehavior"),
            Choice("RecordingBehavior.RecordedParticipants", RECORDED_PARTICIPANTS, many=True),
        ),
    ),
    "CheckHoursOfOperation": _type(
        "conditions",
        parameters=("HoursOfOperationId",),
        constraints=(String("HoursOfOperationId", required=False),),
        conditions=(Results(HOURS_RESULTS),),
    ),
    # The docs allow NoMatchingCondition only on the queue metrics; console exports wire it on
    # agent metrics too, and Connect accepts that, so every form allows it.
    "CheckMetricData": ActionType(
        parameters=("MetricType", *QUEUE_KEYS),
        constraints=(Choice("MetricType", METRIC_TYPES), *AT_MOST_ONE_QUEUE),
        form=Form(
            "conditions",
            frozenset({NO_MATCHING_CONDITION}),
            constraints=(Conditions(("Equals", *NUMBER_OPERATORS)),),
        ),
        variants=(
            (
                When("MetricType", frozenset(AGENT_METRIC_TYPES)),
                Form(
                    "conditions",
                    frozenset({NO_MATCHING_CONDITION}),
                    constraints=(Conditions((AGENT_METRIC_CONDITION[0],), "0", "0"),),
                ),
            ),
        ),
    ),
    # CallbackNumber must be one JSONPath (never static); its two errors are all the docs list.
    "UpdateContactCallbackNumber": _type(
        "next",
        INVALID_CALLBACK_NUMBER,
        CALLBACK_NUMBER_NOT_DIALABLE,
        parameters=("CallbackNumber",),
        constraints=(JsonPath("CallbackNumber"),),
    ),
    "CreateCallbackContact": _type(
        "next",
        parameters=(
            "InitialCallDelaySeconds",
            "MaximumConnectionAttempts",
            "RetryDelaySeconds",
            *QUEUE_KEYS,
        ),
        constraints=(
            *AT_MOST_ONE_QUEUE,
            Range("InitialCallDelaySeconds", 1, CALLBACK_DELAY_SECONDS),
            Range("MaximumConnectionAttempts", 1),
            Range("RetryDelaySeconds", 1, CALLBACK_DELAY_SECONDS),
        ),
    ),
    "DistributeByPercentage": _type(
        "conditions", NO_MATCHING_CONDITION, conditions=(Percentages(MAX_PERCENT),)
    ),
    "Loop": _type(
        "conditions",
        parameters=("LoopCount",),
        constraints=(Range("LoopCount", 0, 100, dynamic=True),),
        conditions=(Results(LOOP_RESULTS),),
        console_next_action="the DoneLooping target",
    ),
    # WaitCompleted is always a condition; each interrupting event (Events) adds its own.
    "Wait": _type(
        "conditions",
        PARTICIPANT_NOT_FOUND,
        parameters=("TimeoutSeconds", "Events"),
        constraints=(Range("TimeoutSeconds", 1, 604_800, dynamic=True),),  # seven days
        conditions=(Results((WAIT_COMPLETED,), exact=False), Conditions(("Equals",))),
    ),
}


def _declared(action_type: str, name: str, kind: type[C]) -> C:
    found = [
        c
        for c in ACTION_TYPES[action_type].constraints
        if isinstance(c, kind) and getattr(c, "name", None) == name
    ]
    if len(found) != 1:
        raise KeyError(f"{action_type} declares no single {kind.__name__} for {name}")
    return found[0]


def limit(action_type: str, parameter: str) -> Range:
    """The range of a numeric parameter of an action type."""
    return _declared(action_type, parameter, Range)


def choice(action_type: str, parameter: str) -> Choice:
    """The values of an enumerated parameter of an action type."""
    return _declared(action_type, parameter, Choice)


# -- reading a document that may be malformed -----------------------------------------------------


def is_object(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether a value is a JSON object (a dict first: the Mapping ABC check is slow, and the
    linter asks this thousands of times per flow)."""
    return type(value) is dict or isinstance(value, Mapping)


def type_name(action: Mapping[str, Any]) -> str:
    """The action's `Type`, or "" when it is not a string."""
    kind = action.get("Type")
    return kind if isinstance(kind, str) else ""


def parameters(action: Mapping[str, Any]) -> Mapping[str, Any]:
    """The action's `Parameters`, or {} when it is not an object."""
    params = action.get("Parameters")
    return params if is_object(params) else {}


def transitions(action: Mapping[str, Any]) -> Mapping[str, Any]:
    """The action's `Transitions`, or {} when it is not an object."""
    found = action.get("Transitions")
    return found if is_object(found) else {}


def entries(action: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """The objects of `Transitions.Conditions` or `Transitions.Errors`."""
    found = transitions(action).get(key)
    if not isinstance(found, list):
        return []
    return [entry for entry in found if is_object(entry)]


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


MISSING: Any = object()
"""What `value_at` reads for a parameter that is not there."""


def value_at(params: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """Whether the parent object of the dotted parameter `path` is there, and the parameter's
    value (`MISSING` when absent)."""
    *parents, name = path.split(".")
    found: Any = params
    for key in parents:
        found = found.get(key) if is_object(found) else None
    if not is_object(found):
        return False, MISSING
    return True, found.get(name, MISSING)


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


def form(action: Mapping[str, Any]) -> Form:
    """The form of an action of a known type (a menu or stored input, an agent metric...)."""
    return ACTION_TYPES[action["Type"]].form_for(parameters(action))


def leaves_by(action: Mapping[str, Any]) -> LeavesBy:
    """How an action of a known type leaves (stored input leaves by NextAction)."""
    return form(action).leaves_by


def constraints(action: Mapping[str, Any]) -> tuple[Constraint, ...]:
    """Every constraint on an action of a known type: its type's and its form's."""
    return (*ACTION_TYPES[action["Type"]].constraints, *form(action).with_branches)

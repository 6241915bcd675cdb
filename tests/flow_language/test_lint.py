"""The linter: every rule passes a small valid flow and names what is wrong in a broken one."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest

from connect_survey.flow_language.engine import ACTIONS
from connect_survey.flow_language.lint import RULES, Finding, LintError, lint, require_clean
from connect_survey.flow_language.spec import ACTION_TYPES as TYPES
from tests.flow_language.fixtures.flowdocs import action, flow, hang_up, load, say

TOKEN_ARN = "${Token[TOKEN.123]}"  # an unresolved CDK token, as the stack passes ARNs

MENU = action(
    "menu",
    "GetParticipantInput",
    {"Text": "Press 1", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
    next_action=None,
    conditions=[("Equals", "1")],
    errors=["InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"],
)
ASK = action(
    "ask",
    "GetParticipantInput",
    {
        "Text": "Rate us",
        "StoreInput": "True",
        "InputTimeLimitSeconds": 8,
        "InputValidation": {"CustomValidation": {"MaximumLength": "1"}},
        "DTMFConfiguration": {"InputTerminationSequence": "#"},
    },
    errors=["NoMatchingError"],
)
LAMBDA = action(
    "score",
    "InvokeLambdaFunction",
    {
        "LambdaFunctionARN": TOKEN_ARN,
        "InvocationTimeLimitSeconds": "8",
        "LambdaInvocationAttributes": {"digits": "$.StoredCustomerInput"},
        "ResponseValidation": {"ResponseType": "STRING_MAP"},
    },
    errors=["NoMatchingError"],
)
COMPARE = action(
    "check",
    "Compare",
    {"ComparisonValue": "$.Attributes.Survey_Opt_in"},
    next_action=None,
    conditions=[("Equals", "true")],
    errors=["NoMatchingCondition"],
)
LOOP = action(
    "attempts",
    "Loop",
    {"LoopCount": "3"},
    conditions=[("Equals", "ContinueLooping"), ("Equals", "DoneLooping")],
)
HOURS = action(
    "hours",
    "CheckHoursOfOperation",
    {},
    next_action=None,
    conditions=[("Equals", "True"), ("Equals", "False")],
    errors=["NoMatchingError"],
)
SPLIT = action(
    "split",
    "DistributeByPercentage",
    {},
    next_action=None,
    conditions=[("NumberLessThan", "21"), ("NumberLessThan", "61")],
    errors=["NoMatchingCondition"],
)
CALLBACK = action(
    "callback",
    "CreateCallbackContact",
    {
        "QueueId": TOKEN_ARN,
        "InitialCallDelaySeconds": 5,
        "MaximumConnectionAttempts": "3",
        "RetryDelaySeconds": "60",
    },
    errors=["NoMatchingError"],
)
HOOK = action(
    "set-survey", "UpdateContactEventHooks", {"EventHooks": {"CustomerRemaining": TOKEN_ARN}}
)
QUEUE = action("set-queue", "UpdateContactTargetQueue", {"QueueId": TOKEN_ARN})
TRANSFER = action(
    "transfer",
    "TransferContactToQueue",
    {},
    errors=["QueueAtCapacity", "NoMatchingError"],
)
AGENTS = action(
    "check-agents",
    "CheckMetricData",
    {"MetricType": "NumberOfAgentsAvailable", "QueueId": TOKEN_ARN},
    conditions=[("NumberGreaterThan", "0")],
    errors=["NoMatchingCondition", "NoMatchingError"],
)
CALLBACK_NUMBER = action(
    "callback-number",
    "UpdateContactCallbackNumber",
    {"CallbackNumber": "$.CustomerEndpoint.Address"},
    errors=["InvalidCallbackNumber", "CallbackNumberNotDialable"],
)
ATTRIBUTES = action(
    "save", "UpdateContactAttributes", {"Attributes": {"Score": "$.External.score"}}
)
VOICE = action("voice", "UpdateContactTextToSpeechVoice", {"TextToSpeechVoice": "Joanna"})
LOGGING = action("logging", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"})
RECORDING = action(
    "record",
    "UpdateContactRecordingBehavior",
    {"RecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]}},
)
TO_FLOW = action(
    "to-flow",
    "TransferToFlow",
    {"ContactFlowId": TOKEN_ARN},
    next_action=None,
    errors=["NoMatchingError"],
)
WAIT = action(
    "wait",
    "Wait",
    {"TimeoutSeconds": "60"},
    next_action=None,
    conditions=[("Equals", "WaitCompleted")],
    errors=["NoMatchingError"],
)


def changed(base: dict[str, Any], **parameters: Any) -> dict[str, Any]:
    """A copy of `base` with some parameters replaced (None removes one)."""
    result = copy.deepcopy(base)
    for name, value in parameters.items():
        if value is None:
            result["Parameters"].pop(name, None)
        else:
            result["Parameters"][name] = value
    return result


def retargeted(base: dict[str, Any], **transitions: Any) -> dict[str, Any]:
    """A copy of `base` with some transitions replaced (None removes one)."""
    result = copy.deepcopy(base)
    for name, value in transitions.items():
        if value is None:
            result["Transitions"].pop(name, None)
        else:
            result["Transitions"][name] = value
    return result


@dataclass(frozen=True)
class Case:
    """A rule, a flow that passes it, and a flow that breaks it with the findings expected."""

    rule: str
    valid: dict[str, Any]
    broken: dict[str, Any]
    expected: list[tuple[str, str]]  # (action id, message)
    severity: str = "error"


def too_many_actions() -> dict[str, Any]:
    steps = [say(f"step-{i}", "Hello", next_action=f"step-{i + 1}") for i in range(250)]
    steps[-1] = say("step-249", "Hello")
    return flow(*steps)


def oversized() -> dict[str, Any]:
    return flow(say("greet", "x" * 256_000))


CASES = [
    Case(
        "version",
        flow(say("greet", "Hello")),
        {**flow(say("greet", "Hello")), "Version": "2020-01-01"},
        [("", "Version must be \"2019-10-30\", got '2020-01-01'")],
    ),
    Case(
        "start-action",
        flow(say("greet", "Hello")),
        flow(say("greet", "Hello"), start="welcome"),
        [("", "StartAction 'welcome' names no action")],
    ),
    Case(
        "action-shape",
        flow(say("greet", "Hello")),
        flow({**say("greet", "Hello"), "Parameters": []}),
        [("greet", "Parameters must be an object (may be empty)")],
    ),
    Case(
        "action-shape",
        flow(say("greet", "Hello")),
        flow(say("greet", "Hello"), {"Type": "MessageParticipant"}),
        [("", "Actions[1] needs a non-empty string Identifier")],
    ),
    Case(
        "identifiers",
        flow(say("ask-effort", "Hello")),
        flow(say("ask:effort", "Hello")),
        [("ask:effort", "identifier contains :")],
    ),
    Case(
        "identifiers",
        flow(say("a" * 50, "Hello")),
        flow(say("a" * 51, "Hello")),
        [("a" * 51, "identifier is 51 characters; at most 50")],
    ),
    Case(
        "identifiers",
        flow(say("greet", "Hello", next_action="again"), say("again", "Hi")),
        flow(say("greet", "Hello", next_action="again"), say("greet", "Hi")),
        [("greet", "identifier is used by more than one action")],
    ),
    Case(
        "identifiers",
        flow(say("greet", "Hello")),
        flow(say("constructor", "Hello")),
        [("constructor", "'constructor' is a reserved identifier")],
    ),
    Case(
        "action-type",
        flow(say("greet", "Hello")),
        flow(action("greet", "PlayPrompt", {"Text": "Hello"})),
        [("greet", "unknown action type 'PlayPrompt'")],
    ),
    Case(
        "action-count",
        flow(*[say(f"step-{i}", "Hi", f"step-{i + 1}") for i in range(248)], say("step-248", "Hi")),
        too_many_actions(),
        [("", "251 actions; a flow holds at most 250")],
    ),
    Case(
        "content-size",
        flow(say("greet", "x" * 255_000)),
        oversized(),
        [("", f"{len(json.dumps(oversized()))} characters of JSON; Content holds at most 256000")],
    ),
    Case(
        "transition-targets",
        flow(say("greet", "Hello")),
        flow(retargeted(LAMBDA, Errors=[{"NextAction": "sorry", "ErrorType": "NoMatchingError"}])),
        [("score", "transition to unknown 'sorry'")],
    ),
    Case(
        "unreachable",
        flow(say("greet", "Hello", next_action="bye"), say("bye", "Bye")),
        flow(say("greet", "Hello"), say("bye", "Bye")),
        [("bye", "no path from StartAction leads here")],
    ),
    Case(
        "dead-end",
        flow(say("greet", "Hello")),
        flow(retargeted(say("greet", "Hello"), NextAction=None), start="greet"),
        [("greet", "no NextAction: the call would be stuck here")],
    ),
    Case(
        "dead-end",
        flow(QUEUE | {"Transitions": {"NextAction": "transfer"}}, TRANSFER),
        flow(
            QUEUE | {"Transitions": {"NextAction": "transfer"}},
            retargeted(
                TRANSFER, Errors=[{"NextAction": "hang-up", "ErrorType": "QueueAtCapacity"}]
            ),
        ),
        [("transfer", "no NoMatchingError branch: a failed transfer would be stuck")],
    ),
    Case(
        "dead-end",
        flow(COMPARE),
        flow(retargeted(COMPARE, Conditions=None, NextAction="hang-up")),
        [("check", "no Conditions: every result would be stuck here")],
    ),
    Case(
        "console-next-action",
        flow(retargeted(TRANSFER, NextAction="attempts"), LOOP),
        flow(retargeted(TRANSFER, NextAction=None), retargeted(LOOP, NextAction=None)),
        [
            (
                "transfer",
                "no NextAction: console exports of TransferContactToQueue always carry one "
                "(the NoMatchingError target)",
            ),
            (
                "attempts",
                "no NextAction: console exports of Loop always carry one (the DoneLooping target)",
            ),
        ],
    ),
    Case(
        "callback-number",
        flow(CALLBACK_NUMBER),
        flow(changed(CALLBACK_NUMBER, CallbackNumber="+15555550100")),
        [
            (
                "callback-number",
                "CallbackNumber must be one JSONPath (never static), got '+15555550100'",
            )
        ],
    ),
    Case(
        "metric-data",
        flow(AGENTS),
        flow(
            retargeted(
                AGENTS,
                Conditions=[
                    {
                        "NextAction": "hang-up",
                        "Condition": {"Operator": "NumberGreaterThan", "Operands": ["2"]},
                    }
                ],
            )
        ),
        [
            (
                "check-agents",
                "NumberOfAgentsAvailable supports only the condition NumberGreaterThan 0",
            )
        ],
    ),
    Case(
        "metric-data",
        flow(AGENTS),
        flow(changed(AGENTS, MetricType="AgentsAvailable")),
        [
            (
                "check-agents",
                "MetricType must be one of NumberOfAgentsAvailable, NumberOfAgentsStaffed, "
                "NumberOfAgentsOnline, OldestContactInQueueAgeSeconds, NumberOfContactsInQueue, "
                "got 'AgentsAvailable'",
            )
        ],
    ),
    Case(
        "error-types",
        flow(say("greet", "Hello")),
        flow(action("greet", "MessageParticipant", {"Text": "Hi"}, errors=["QueueAtCapacity"])),
        [("greet", "MessageParticipant has no error 'QueueAtCapacity'")],
    ),
    Case(
        "error-types",
        flow(LAMBDA),
        flow(retargeted(LAMBDA, Errors=LAMBDA["Transitions"]["Errors"] * 2)),
        [("score", "error 'NoMatchingError' has two branches")],
    ),
    Case(
        "conditions-unsupported",
        flow(LAMBDA),
        flow(retargeted(LAMBDA, Conditions=COMPARE["Transitions"]["Conditions"])),
        [("score", "InvokeLambdaFunction takes no Conditions")],
    ),
    Case(
        "conditions-unsupported",
        flow(ASK),
        flow(retargeted(ASK, Conditions=MENU["Transitions"]["Conditions"])),
        [("ask", "stored input takes no Conditions")],
    ),
    Case(
        "operators",
        flow(COMPARE),
        flow(
            action(
                "check",
                "Compare",
                {"ComparisonValue": "$.External.score"},
                next_action=None,
                conditions=[("GreaterThan", "3")],
                errors=["NoMatchingCondition"],
            )
        ),
        [("check", "unknown operator 'GreaterThan'")],
    ),
    Case(
        "operators",
        flow(COMPARE),
        flow(
            retargeted(
                COMPARE,
                Conditions=[
                    {
                        "NextAction": "hang-up",
                        "Condition": {"Operator": "Equals", "Operands": ["a", "b"]},
                    }
                ],
            )
        ),
        [("check", "Equals needs exactly one string operand")],
    ),
    Case(
        "numeric-operands",
        flow(
            action(
                "check",
                "Compare",
                {"ComparisonValue": "$.External.score"},
                next_action=None,
                conditions=[("NumberLessThan", "3")],
                errors=["NoMatchingCondition"],
            )
        ),
        flow(
            action(
                "check",
                "Compare",
                {"ComparisonValue": "$.External.score"},
                next_action=None,
                conditions=[("NumberLessThan", "three")],
                errors=["NoMatchingCondition"],
            )
        ),
        [("check", "NumberLessThan operand 'three' is not a number")],
    ),
    Case(
        "prompt",
        flow(action("greet", "MessageParticipant", {"SSML": "<speak>Hello</speak>"})),
        flow(action("greet", "MessageParticipant", {"Text": "Hello", "SSML": "<speak>Hi</speak>"})),
        [("greet", "give exactly one of Text, SSML, PromptId (got Text, SSML)")],
    ),
    Case(
        "prompt",
        flow(action("greet", "MessageParticipant", {"PromptId": TOKEN_ARN})),
        flow(changed(MENU, Text=None)),
        [("menu", "give exactly one of Text, SSML, PromptId (got none)")],
    ),
    Case(
        "prompt",
        flow(say("greet", "Hello")),
        flow(say("greet", "")),
        [("greet", "Text must be a non-empty string")],
    ),
    Case(
        "input-time-limit",
        flow(MENU),
        flow(changed(MENU, InputTimeLimitSeconds="0")),
        [("menu", "InputTimeLimitSeconds must be a positive whole number, got '0'")],
    ),
    Case(
        "store-input",
        flow(MENU),
        flow(changed(MENU, StoreInput="false")),
        [("menu", 'StoreInput must be "True" or "False", got \'false\'')],
    ),
    Case(
        "stored-input",
        flow(ASK),
        flow(changed(ASK, InputValidation=None)),
        [("ask", "stored input needs InputValidation")],
    ),
    Case(
        "stored-input",
        flow(changed(ASK, InputValidation={"PhoneNumberValidation": {"NumberFormat": "E164"}})),
        flow(changed(ASK, InputValidation={"CustomValidation": {"MaximumLength": "0"}})),
        [("ask", "MaximumLength must be a positive whole number, got '0'")],
    ),
    Case(
        "stored-input",
        flow(changed(ASK, DTMFConfiguration={"InputTerminationSequence": "*#"})),
        flow(changed(ASK, DTMFConfiguration={"InputTerminationSequence": "#A"})),
        [("ask", "InputTerminationSequence must be 1 to 5 keys of 0-9, *, #, got '#A'")],
    ),
    Case(
        "menu-conditions",
        flow(
            retargeted(
                MENU,
                Conditions=[
                    {
                        "NextAction": "hang-up",
                        "Condition": {"Operator": "Equals", "Operands": [key]},
                    }
                    for key in ("1", "*", "#")
                ],
            )
        ),
        flow(
            retargeted(
                MENU,
                Conditions=[
                    {
                        "NextAction": "hang-up",
                        "Condition": {"Operator": "Equals", "Operands": ["12"]},
                    }
                ],
            )
        ),
        [("menu", "a menu condition must be Equals on one key (0-9, *, #), got Equals ['12']")],
    ),
    Case(
        "menu-conditions",
        flow(MENU),
        flow(retargeted(MENU, Conditions=MENU["Transitions"]["Conditions"] * 2)),
        [("menu", "key 1 has two branches; the second is dead")],
    ),
    Case(
        "lambda-arn",
        flow(changed(LAMBDA, LambdaFunctionARN="arn:aws:lambda:us-east-1:123456789012:function:x")),
        flow(changed(LAMBDA, LambdaFunctionARN="")),
        [("score", "LambdaFunctionARN must be a non-empty string")],
    ),
    Case(
        "lambda-timeout",
        flow(changed(LAMBDA, InvocationTimeLimitSeconds=1)),
        flow(changed(LAMBDA, InvocationTimeLimitSeconds="9")),
        [("score", "InvocationTimeLimitSeconds must be a whole number from 1 to 8, got '9'")],
    ),
    Case(
        "lambda-options",
        flow(changed(LAMBDA, ResponseValidation={"ResponseType": "JSON"})),
        flow(changed(LAMBDA, ResponseValidation={"ResponseType": "XML"})),
        [("score", "ResponseValidation.ResponseType must be STRING_MAP or JSON, got 'XML'")],
    ),
    Case(
        "lambda-options",
        flow(changed(LAMBDA, InvocationType="ASYNCHRONOUS")),
        flow(changed(LAMBDA, InvocationType="LATER")),
        [("score", "InvocationType must be SYNCHRONOUS or ASYNCHRONOUS, got 'LATER'")],
    ),
    Case(
        "lambda-options",
        flow(LAMBDA),
        flow(changed(LAMBDA, LambdaInvocationAttributes={"digits": 5})),
        [("score", "LambdaInvocationAttributes must map names to strings")],
    ),
    Case(
        "callback",
        flow(CALLBACK),
        flow(changed(CALLBACK, RetryDelaySeconds=0)),
        [
            (
                "callback",
                "RetryDelaySeconds must be a whole number above 0 and at most 259200, got 0",
            )
        ],
    ),
    Case(
        "callback",
        flow(changed(CALLBACK, QueueId=None)),
        flow(changed(CALLBACK, MaximumConnectionAttempts=None)),
        [("callback", "MaximumConnectionAttempts must be a whole number above 0, got None")],
    ),
    Case(
        "attributes",
        flow(ATTRIBUTES),
        flow(changed(ATTRIBUTES, Attributes={})),
        [("save", "Attributes must be a non-empty object")],
    ),
    Case(
        "event-hooks",
        flow(HOOK),
        flow(changed(HOOK, EventHooks={"CustomerRemaining": TOKEN_ARN, "CustomerQueue": "x"})),
        [("set-survey", "EventHooks must hold exactly one hook, got 2")],
    ),
    Case(
        "event-hooks",
        flow(changed(HOOK, EventHooks={"CustomerQueue": TOKEN_ARN})),
        flow(changed(HOOK, EventHooks={"Disconnect": TOKEN_ARN})),
        [("set-survey", "unknown event hook 'Disconnect'")],
    ),
    Case(
        "target-queue",
        flow(changed(QUEUE, QueueId=None, AgentId=TOKEN_ARN)),
        flow(changed(QUEUE, AgentId=TOKEN_ARN)),
        [("set-queue", "give exactly one of QueueId and AgentId")],
    ),
    Case(
        "voice",
        flow(VOICE),
        flow(changed(VOICE, TextToSpeechVoice=None)),
        [("voice", "TextToSpeechVoice must be a voice name")],
    ),
    Case(
        "recording",
        flow(changed(RECORDING, RecordingBehavior={"RecordedParticipants": []})),
        flow(changed(RECORDING, RecordingBehavior={"RecordedParticipants": ["Supervisor"]})),
        [("record", "RecordingBehavior.RecordedParticipants must list Agent and/or Customer")],
    ),
    Case(
        "compare-value",
        flow(COMPARE),
        flow(changed(COMPARE, ComparisonValue="Survey_Opt_in")),
        [("check", "ComparisonValue must be one JSONPath, got 'Survey_Opt_in'")],
    ),
    Case(
        "loop",
        flow(changed(LOOP, LoopCount=0)),
        flow(changed(LOOP, LoopCount="101")),
        [("attempts", "LoopCount must be a whole number from 0 to 100, got '101'")],
    ),
    Case(
        "loop",
        flow(LOOP),
        flow(retargeted(LOOP, Conditions=LOOP["Transitions"]["Conditions"][:1])),
        [
            (
                "attempts",
                "Conditions must be exactly Equals ContinueLooping and Equals DoneLooping, "
                "got ContinueLooping",
            )
        ],
    ),
    Case(
        "hours-conditions",
        flow(HOURS),
        flow(retargeted(HOURS, Conditions=HOURS["Transitions"]["Conditions"][1:])),
        [("hours", "Conditions must be exactly Equals True and Equals False, got False")],
    ),
    Case(
        "distribution",
        flow(SPLIT),
        flow(retargeted(SPLIT, Conditions=SPLIT["Transitions"]["Conditions"][::-1])),
        [("split", "NumberLessThan 21 must rise above 61 and stay within 100%")],
    ),
    Case(
        "distribution",
        flow(SPLIT),
        flow(
            retargeted(
                SPLIT,
                Conditions=[
                    {
                        "NextAction": "hang-up",
                        "Condition": {"Operator": "Equals", "Operands": ["50"]},
                    }
                ],
            )
        ),
        [("split", "each condition must be NumberLessThan a whole number")],
    ),
    Case(
        "transfer-flow",
        flow(TO_FLOW),
        flow(changed(TO_FLOW, ContactFlowId="")),
        [("to-flow", "ContactFlowId must name a flow (ARN or id)")],
    ),
    Case(
        "logging",
        flow(LOGGING),
        flow(changed(LOGGING, FlowLoggingBehavior="On")),
        [("logging", "FlowLoggingBehavior must be Enabled or Disabled, got 'On'")],
    ),
    Case(
        "wait",
        flow(WAIT),
        flow(changed(WAIT, TimeoutSeconds="604801")),
        [("wait", "TimeoutSeconds must be 1 to 604800, got '604801'")],
    ),
    Case(
        "input-timeout-unhandled",
        flow(ASK),
        flow(
            retargeted(
                MENU,
                Errors=[
                    {"NextAction": "hang-up", "ErrorType": "NoMatchingCondition"},
                    {"NextAction": "hang-up", "ErrorType": "NoMatchingError"},
                ],
            )
        ),
        [("menu", "no InputTimeLimitExceeded branch: a silent caller has nowhere to go")],
        "warning",
    ),
    Case(
        "lambda-error-unhandled",
        flow(LAMBDA),
        flow(retargeted(LAMBDA, Errors=None)),
        [("score", "no NoMatchingError branch: a failing or slow Lambda has nowhere to go")],
        "warning",
    ),
    Case(
        "no-match-unhandled",
        flow(COMPARE),
        flow(retargeted(COMPARE, Errors=None)),
        [
            (
                "check",
                "no NoMatchingCondition branch: a result no condition matches has nowhere to go",
            )
        ],
        "warning",
    ),
]


def case_id(case: Case) -> str:
    return f"{case.rule}:{case.expected[0][1][:30]}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_lint_passes_valid_flow(case: Case) -> None:
    # GIVEN a small flow that is right for the rule (and every other rule)
    # WHEN it is linted THEN nothing is found
    assert lint(case.valid, "tiny") == []


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_lint_names_what_breaks_the_rule(case: Case) -> None:
    # GIVEN a flow broken in one way WHEN it is linted
    findings = [f for f in lint(case.broken, "tiny") if f.rule == case.rule]
    # THEN the rule reports exactly that, where it is, with its severity
    assert [(f.action, f.message) for f in findings] == case.expected
    assert {f.severity for f in findings} == {case.severity}


def test_lint_has_a_case_for_every_rule() -> None:
    assert {case.rule for case in CASES} == {rule.name for rule in RULES}


def test_lint_knows_the_types_the_simulator_runs() -> None:
    assert set(TYPES) == set(ACTIONS)


def test_lint_passes_a_flow_using_every_action_type() -> None:
    # GIVEN a hand-written flow with one action of every known type
    document = load("every-action-type")
    assert {a["Type"] for a in document["Actions"]} == set(TYPES)
    # WHEN it is linted THEN it is clean
    assert lint(document, "every-action-type") == []


def test_lint_finding_reads_flow_action_rule_message() -> None:
    finding = Finding("on-demand-survey", "ask-effort", "prompt", "give exactly one of Text")
    document_level = Finding("on-demand-survey", "", "version", "wrong", "error")
    assert str(finding) == "on-demand-survey: ask-effort: prompt: give exactly one of Text"
    assert str(document_level) == "on-demand-survey: (flow): version: wrong"


def test_lint_reports_a_target_and_unreachable_action_once_each() -> None:
    # GIVEN a menu branch to a missing action and an action nothing leads to
    document = flow(
        retargeted(
            MENU,
            Conditions=[
                {"NextAction": "sales", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
            ],
        ),
        say("orphan", "Nobody hears this"),
    )
    # WHEN it is linted THEN each problem is one finding
    assert [str(f) for f in lint(document, "inbound")] == [
        "inbound: menu: transition-targets: transition to unknown 'sales'",
        "inbound: orphan: unreachable: no path from StartAction leads here",
    ]


@pytest.mark.parametrize(
    "document",
    [
        {},
        [],
        {"Version": "2019-10-30", "StartAction": ["a"], "Actions": "none"},
        {"Version": "2019-10-30", "StartAction": "a", "Actions": [None, 3, {"Identifier": "a"}]},
        flow(
            {
                "Identifier": "a",
                "Type": ["Compare"],
                "Parameters": {"ComparisonValue": ["x"]},
                "Transitions": {
                    "NextAction": ["b"],
                    "Conditions": [{"NextAction": ["b"], "Condition": {"Operator": ["Equals"]}}],
                    "Errors": ["NoMatchingError", {"ErrorType": 3}],
                },
            }
        ),
    ],
    ids=["empty", "list", "actions-not-a-list", "actions-not-objects", "wrong-types-everywhere"],
)
def test_lint_reports_malformed_documents_without_crashing(document: Any) -> None:
    findings = lint(document, "broken")
    assert findings
    assert all(f.severity == "error" for f in findings)


def test_require_clean_returns_warnings_and_raises_on_errors() -> None:
    # GIVEN a flow with only a warning, and one with an error
    warned = flow(retargeted(LAMBDA, Errors=None))
    broken = flow(say("greet", ""))
    # THEN the warnings come back, and the error raises with every finding in its message
    assert [f.rule for f in require_clean(warned, "f")] == ["lambda-error-unhandled"]
    with pytest.raises(LintError) as raised:
        require_clean(broken, "f")
    assert str(raised.value) == "f: greet: prompt: Text must be a non-empty string"
    assert raised.value.findings == lint(broken, "f")


def test_lint_measures_the_content_as_deployed_when_given() -> None:
    # GIVEN a small flow whose deployed Content is (say, indented) over the limit
    document = flow(say("greet", "Hello"))
    content = json.dumps(document) + " " * 256_000
    # THEN the size rule counts the Content, not the document
    assert [str(f) for f in lint(document, "f", content=content)] == [
        f"f: (flow): content-size: {len(content)} characters of JSON; Content holds at most 256000"
    ]
    assert lint(document, "f", content=json.dumps(document)) == []


def test_lint_accepts_cdk_tokens_in_arns_and_flows() -> None:
    document = flow(
        HOOK | {"Transitions": {"NextAction": "set-queue"}},
        QUEUE | {"Transitions": {"NextAction": "score"}},
        LAMBDA,
        hang_up(),
    )
    assert lint(document, "inbound") == []


def test_lint_reports_a_missing_target_once_however_many_branches_name_it() -> None:
    document = flow(
        action(
            "start",
            "MessageParticipant",
            {"Text": "Hi."},
            next_action="gone",
            errors=[("NoMatchingError", "gone")],
        )
    )

    findings = [f for f in lint(document, "f") if f.rule == "transition-targets"]

    assert [str(f) for f in findings] == [
        "f: start: transition-targets: transition to unknown 'gone'"
    ]

"""The simulator follows AWS's documented semantics: conditions, references, input, loops."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from connect_survey.flow_language.engine import (
    CallResult,
    DeadEndError,
    EventKind,
    Flow,
    InvalidFlowError,
    ScriptError,
    Simulation,
    StepLimitError,
    UnknownFlowError,
    UnsupportedReferenceError,
)
from connect_survey.flow_language.engine.conditions import holds
from tests.flow_language.fixtures.flowdocs import HANG_UP, action, flow, hang_up, say


def play(
    document: dict[str, Any],
    inputs: list[str] | tuple[str, ...] = (),
    attributes: dict[str, str] | None = None,
    **options: Any,
) -> CallResult:
    return Simulation(**options).run(Flow("tiny", document), inputs=inputs, attributes=attributes)


def compare(
    value: str, *conditions: tuple[str, str, str], errors: Any = ("NoMatchingCondition",)
) -> dict[str, Any]:
    return action(
        "check",
        "Compare",
        {"ComparisonValue": value},
        next_action=None,
        conditions=conditions,
        errors=[(error, "no-match") for error in errors],
    )


def branches(*targets: str) -> list[dict[str, Any]]:
    return [say(target, target) for target in targets]


MENU_ERRORS = [
    ("InputTimeLimitExceeded", "timed-out"),
    ("NoMatchingCondition", "no-match"),
    ("NoMatchingError", "error"),
]


def menu(**parameters: Any) -> dict[str, Any]:
    return action(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1 or 2", "StoreInput": "False", "InputTimeLimitSeconds": "5", **parameters},
        next_action=None,
        conditions=[("Equals", "1", "one"), ("Equals", "2", "two")],
        errors=MENU_ERRORS,
    )


def ask(errors: Any = (("NoMatchingError", HANG_UP),), **parameters: Any) -> dict[str, Any]:
    return action(
        "ask",
        "GetParticipantInput",
        {
            "Text": "Rate us",
            "StoreInput": "True",
            "InputTimeLimitSeconds": "8",
            "InputValidation": {"CustomValidation": {"MaximumLength": "3"}},
            **parameters,
        },
        next_action="echo",
        errors=errors,
    )


ECHO = say("echo", "You entered $.StoredCustomerInput.")


# -- conditions and transitions ---------------------------------------------------------------


def test_engine_takes_first_true_condition() -> None:
    # GIVEN two conditions that are both true of "42"
    document = flow(
        compare("$.Attributes.code", ("TextStartsWith", "4", "first"), ("Equals", "42", "second")),
        *branches("first", "second", "no-match"),
    )
    # WHEN the flow runs THEN the first one listed wins
    assert play(document, attributes={"code": "42"}).prompts == ["first"]


@pytest.mark.parametrize(
    ("result", "operator", "operand", "expected"),
    [
        ("3", "Equals", "3", True),
        ("3", "Equals", "03", False),
        ("Complete", "TextStartsWith", "Comp", True),
        ("Complete", "TextEndsWith", "plete", True),
        ("Complete", "TextContains", "mple", True),
        ("Complete", "TextContains", "x", False),
        ("2", "NumberLessThan", "3", True),
        ("2.5", "NumberLessThan", "3", True),
        ("03", "NumberLessOrEqualTo", "3", True),
        ("-1", "NumberGreaterThan", "-2", True),
        ("3", "NumberGreaterOrEqualTo", "3.0", True),
        ("abc", "NumberLessThan", "3", False),
        ("abc", "NumberGreaterOrEqualTo", "3", False),
        ("", "NumberLessThan", "3", False),
        ("3", "NumberLessThan", "x", False),
        ("Timeout", "NumberLessOrEqualTo", "5", False),
        ("NaN", "NumberGreaterThan", "0", False),
        ("1e3", "NumberGreaterThan", "0", False),
    ],
)
def test_engine_operators_compare_as_documented(
    result: str, operator: str, operand: str, expected: bool
) -> None:
    condition = {"Operator": operator, "Operands": [operand]}
    assert holds(condition, result) is expected


def test_engine_number_comparison_of_text_takes_no_matching_condition() -> None:
    # GIVEN "NumberLessThan 3" on a value that is not a number
    document = flow(
        compare("$.Attributes.score", ("NumberLessThan", "3", "low")), *branches("low", "no-match")
    )
    # THEN neither "low" nor an error: the condition is simply false
    result = play(document, attributes={"score": "Timeout"})
    assert result.prompts == ["no-match"]


def test_engine_takes_no_matching_error_for_an_error_without_branch() -> None:
    document = flow(
        compare("$.Attributes.x", ("Equals", "1", "one"), errors=["NoMatchingError"]),
        *branches("one", "no-match"),
    )
    assert play(document).prompts == ["no-match"]


def test_engine_stops_where_a_needed_branch_is_missing() -> None:
    document = flow(compare("$.Attributes.x", ("Equals", "1", HANG_UP), errors=[]))
    with pytest.raises(DeadEndError) as raised:
        play(document, attributes={"x": "2"})
    assert str(raised.value) == (
        "tiny: check: no branch for error NoMatchingCondition (no condition matches '2'): "
        "the call would be stuck here"
    )


@pytest.mark.parametrize(
    ("document", "refusal"),
    [
        (
            flow({**say("greet", "Hello"), "Transitions": {}}),
            "tiny: greet: dead-end: no NextAction: the call would be stuck here",
        ),
        (
            flow(action("greet", "PlayPrompt", {"Text": "Hello"})),
            "tiny: greet: action-type: unknown action type 'PlayPrompt'",
        ),
        (
            flow(say("greet", "Hello", next_action="bye")),
            "tiny: greet: transition-targets: transition to unknown 'bye'",
        ),
        (
            flow(compare("$.Attributes.x", ("GreaterThan", "1", HANG_UP), errors=())),
            "tiny: check: operators: unknown operator 'GreaterThan'",
        ),
        (
            flow(say("greet", "Hi"), start="welcome"),
            "tiny: (flow): start-action: StartAction 'welcome' names no action",
        ),
        (
            flow(action("greet", "MessageParticipant", {"Text": "Hi", "PromptId": "p"})),
            "tiny: greet: one-of: give exactly one of Text, SSML, PromptId (got Text, PromptId)",
        ),
    ],
    ids=["no-next-action", "unknown-type", "missing-target", "operator", "start", "two-prompts"],
)
def test_engine_refuses_a_flow_the_linter_rejects_naming_the_rule(
    document: dict[str, Any], refusal: str
) -> None:
    # GIVEN a document the linter rejects with one error
    # WHEN it is loaded THEN it is refused with the linter's own line, rule id included
    with pytest.raises(InvalidFlowError) as raised:
        Flow("tiny", document)
    assert str(raised.value) == refusal


def test_engine_stops_a_flow_that_never_ends() -> None:
    document = flow(
        say("ping", "ping", next_action="pong"), say("pong", "pong", next_action="ping")
    )
    with pytest.raises(StepLimitError, match="more than 10 steps in one flow run"):
        play(document, max_steps=10)


# -- references -------------------------------------------------------------------------------


def test_engine_interpolates_references_embedded_in_text() -> None:
    document = flow(
        action(
            "voice",
            "UpdateContactTextToSpeechVoice",
            {"TextToSpeechVoice": "Seoyeon"},
            next_action="greet",
        ),
        say(
            "greet",
            "Hi $.Attributes.name, contact $.ContactId on $.Channel, "
            "voice $.TextToSpeechVoiceId, caller $.CustomerEndpoint.Address, "
            "language $.LanguageCode, missing '$.Attributes.nope'.",
        ),
    )
    result = play(document, attributes={"name": "Ann"})
    contact = result.contact
    assert result.prompts == [
        f"Hi Ann, contact {contact.contact_id} on VOICE, voice Seoyeon, "
        f"caller {contact.customer_address}, language en-US, missing ''."
    ]


def test_engine_resolves_a_whole_value_reference_and_missing_ones_to_empty_text() -> None:
    document = flow(
        action(
            "save",
            "UpdateContactAttributes",
            {
                "Attributes": {
                    "Copy": "$.Attributes.Original",
                    "Empty": "$.External.none",
                    "$.Attributes.key": "dynamic key",
                }
            },
        )
    )
    result = play(document, attributes={"Original": "kept", "key": "Named"})
    assert result.attributes == {
        "Original": "kept",
        "key": "Named",
        "Copy": "kept",
        "Empty": "",
        "Named": "dynamic key",
    }


ECHO_ARN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def language_flow(**parameters: str) -> dict[str, Any]:
    """Set the contact data, then call a Lambda, then say the language code."""
    return flow(
        action("language", "UpdateContactData", parameters, next_action="lambda"),
        action(
            "lambda",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": ECHO_ARN, "InvocationTimeLimitSeconds": "3"},
            next_action="say",
            errors=["NoMatchingError"],
        ),
        say("say", "Language $.LanguageCode."),
    )


def test_engine_update_contact_data_sets_the_language_code_flows_and_lambdas_see() -> None:
    # GIVEN a flow that sets the contact's language code to ko-KR, then calls a Lambda
    seen: list[str] = []

    def echo(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen.append(event["Details"]["ContactData"]["LanguageCode"])
        return {}

    # WHEN an en-US contact plays it
    result = play(language_flow(LanguageCode="ko-KR"), functions={ECHO_ARN: echo})

    # THEN the Lambda event, $.LanguageCode and the result carry ko-KR from then on
    assert seen == ["ko-KR"]
    assert result.prompts == ["Language ko-KR."]
    assert (result.language_code, result.contact.language_code) == ("ko-KR", "en-US")
    assert [e.text for e in result.events if e.kind is EventKind.SETTING] == ["language code ko-KR"]


def test_engine_update_contact_data_of_the_related_contact_leaves_this_one_alone() -> None:
    document = language_flow(LanguageCode="ko-KR", TargetContact="Related")
    result = play(document, functions={ECHO_ARN: lambda event, context: {}})
    assert (result.language_code, result.prompts) == ("en-US", ["Language en-US."])


def test_engine_refuses_a_reference_it_does_not_know() -> None:
    document = flow(compare("$.Lex.IntentName", ("Equals", "x", HANG_UP), errors=()))
    with pytest.raises(
        UnsupportedReferenceError, match=re.escape("does not know the reference '$.Lex.IntentName'")
    ):
        play(document)


def test_engine_reads_ssml_and_prompt_ids_as_heard() -> None:
    document = flow(
        action(
            "ssml",
            "MessageParticipant",
            {"SSML": "<speak>Hi <emphasis>$.Attributes.name</emphasis> &amp; bye</speak>"},
            next_action="prompt",
        ),
        action("prompt", "MessageParticipant", {"PromptId": "arn:prompt/beep"}),
    )
    assert play(document, attributes={"name": "Ann"}).prompts == [
        "Hi Ann & bye",
        "[prompt arn:prompt/beep]",
    ]


def test_engine_resolves_every_attribute_before_updating_any() -> None:
    document = flow(
        action(
            "swap",
            "UpdateContactAttributes",
            {"Attributes": {"a": "$.Attributes.b", "b": "$.Attributes.a"}},
        )
    )
    result = play(document, attributes={"a": "1", "b": "2"})
    assert result.attributes == {"a": "2", "b": "1"}
    changes = [e.data for e in result.events if e.kind is EventKind.ATTRIBUTE]
    assert changes == [{"key": "a", "old": "1", "new": "2"}, {"key": "b", "old": "2", "new": "1"}]


# -- caller input -----------------------------------------------------------------------------

MENU_FLOW = flow(menu(), *branches("one", "two", "timed-out", "no-match", "error"))


@pytest.mark.parametrize(
    ("entry", "heard"),
    [
        ("1", "one"),
        ("2", "two"),
        ("21#", "two"),
        ("9", "no-match"),
        ("#", "no-match"),
        ("timeout", "timed-out"),
    ],
)
def test_engine_menu_branches_on_the_first_key(entry: str, heard: str) -> None:
    assert play(MENU_FLOW, [entry]).prompts == ["Press 1 or 2", heard]


def test_engine_menu_times_out_when_the_caller_runs_out_of_entries() -> None:
    result = play(MENU_FLOW, [])
    assert result.prompts == ["Press 1 or 2", "timed-out"]
    assert [e.kind for e in result.events if e.action == "menu"] == [
        EventKind.PROMPT,
        EventKind.TIMEOUT,
        EventKind.BRANCH,
    ]


@pytest.mark.parametrize(
    ("entry", "parameters", "stored"),
    [
        ("42#", {}, "42"),
        ("4#2", {}, "4"),
        ("12345", {}, "123"),
        ("12#", {"DTMFConfiguration": {"InputTerminationSequence": "*"}}, "12#"),
        ("12*3", {"DTMFConfiguration": {"InputTerminationSequence": "*"}}, "12"),
        ("#", {}, ""),
    ],
)
def test_engine_stored_input_stops_at_terminator_and_maximum_length(
    entry: str, parameters: dict[str, Any], stored: str
) -> None:
    result = play(flow(ask(**parameters), ECHO), [entry])
    assert result.prompts == ["Rate us", f"You entered {stored}."]


def test_engine_stored_input_timeout_takes_its_branch_when_there_is_one() -> None:
    document = flow(
        ask(errors=[("InputTimeLimitExceeded", "timed-out"), ("NoMatchingError", HANG_UP)]),
        ECHO,
        *branches("timed-out"),
    )
    assert play(document, ["timeout"]).prompts == ["Rate us", "timed-out"]


def test_engine_stored_input_timeout_stores_timeout_without_a_branch() -> None:
    # The admin guide: "Store customer input" goes on by its success branch with "Timeout".
    document = flow(ask(errors=[("NoMatchingError", "error")]), ECHO, *branches("error"))
    assert play(document, []).prompts == ["Rate us", "You entered Timeout."]


def test_engine_caller_hang_up_at_an_input_ends_the_call() -> None:
    result = play(MENU_FLOW, ["hangup", "1"])
    assert result.ended_by == "caller"
    assert result.prompts == ["Press 1 or 2"]
    assert result.unused_input == ["1"]


def test_engine_rejects_a_script_entry_that_is_not_keys() -> None:
    with pytest.raises(
        ScriptError,
        match="inputs\\[1\\]: 'abc' is not keys \\(0-9, \\*, #\\), 'timeout' or 'hangup'",
    ):
        play(MENU_FLOW, ["1", "abc"])


# -- flow control -----------------------------------------------------------------------------


def loop(identifier: str, count: Any, again: str, done: str) -> dict[str, Any]:
    return action(
        identifier,
        "Loop",
        {"LoopCount": count},
        next_action=None,
        conditions=[("Equals", "ContinueLooping", again), ("Equals", "DoneLooping", done)],
    )


def test_engine_loop_continues_count_times_then_is_done_then_starts_over() -> None:
    # GIVEN an inner loop of 2 run twice by an outer loop of 2
    document = flow(
        loop("outer", "2", "inner", HANG_UP),
        loop("inner", 2, "turn", "outer"),
        say("turn", "turn", next_action="inner"),
    )
    # THEN the inner loop counts to 2 each time, because "Done" resets it
    assert play(document).prompts == ["turn"] * 4


def test_engine_loop_of_zero_is_done_at_once() -> None:
    document = flow(loop("attempts", "0", "turn", "done"), *branches("turn", "done"))
    assert play(document).prompts == ["done"]


def test_engine_loop_count_may_come_from_an_attribute() -> None:
    document = flow(
        loop("attempts", "$.Attributes.tries", "turn", HANG_UP),
        say("turn", "turn", next_action="attempts"),
    )
    assert play(document, attributes={"tries": "3"}).prompts == ["turn"] * 3


@pytest.mark.parametrize(
    ("kind", "name", "results", "value"),
    [
        *(
            ("Loop", "LoopCount", ["ContinueLooping", "DoneLooping"], v)
            for v in ("x", "101", "0.5")
        ),
        *(("Wait", "TimeoutSeconds", ["WaitCompleted"], v) for v in ("x", "0", "604801")),
    ],
)
def test_engine_number_read_from_a_reference_out_of_range_takes_the_error_branch(
    kind: str, name: str, results: list[str], value: str
) -> None:
    # GIVEN a loop count or wait time read from an attribute, with an error branch
    document = flow(
        action(
            "block",
            kind,
            {name: "$.Attributes.n"},
            next_action=None,
            conditions=[("Equals", result, "went-on") for result in results],
            errors=[("NoMatchingError", "error")],
        ),
        *branches("went-on", "error"),
    )
    # WHEN the attribute holds a value the parameter does not take
    result = play(document, attributes={"n": value})
    # THEN the block fails down its error branch, saying why as the linter would
    assert result.prompts == ["error"]
    [why] = [e.text for e in result.events if e.kind is EventKind.BRANCH]
    assert why.startswith(f"NoMatchingError: {name} must be a whole number from ")


@pytest.mark.parametrize(("is_open", "heard"), [(True, "open"), (False, "closed")])
def test_engine_checks_hours_of_operation_as_the_run_says(is_open: bool, heard: str) -> None:
    document = flow(
        action(
            "hours",
            "CheckHoursOfOperation",
            {},
            next_action=None,
            conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
        ),
        *branches("open", "closed"),
    )
    assert play(document, hours_open=is_open).prompts == [heard]


SPLIT = flow(
    action(
        "split",
        "DistributeByPercentage",
        {},
        next_action=None,
        conditions=[("NumberLessThan", "21", "a"), ("NumberLessThan", "61", "b")],
        errors=[("NoMatchingCondition", "rest")],
    ),
    *branches("a", "b", "rest"),
)


def test_engine_distributes_by_percentage_with_a_seed() -> None:
    # GIVEN a 20% / 40% / 40% split, run with many seeds
    heard = {seed: play(SPLIT, seed=seed) for seed in range(400)}
    # THEN the same seed always takes the same branch
    assert all(play(SPLIT, seed=seed).prompts == heard[seed].prompts for seed in (0, 7, 399))
    # AND each branch matches the number drawn from 1 to 100
    for result in heard.values():
        [number] = [e.data["number"] for e in result.events if "number" in e.data]
        assert 1 <= number <= 100
        assert result.prompts == ["a" if number < 21 else "b" if number < 61 else "rest"]
    # AND the shares are close to the percentages
    shares = Counter(result.prompts[0] for result in heard.values())
    assert 50 <= shares["a"] <= 110 and 130 <= shares["b"] <= 190 and 130 <= shares["rest"] <= 190


def test_engine_wait_completes() -> None:
    document = flow(
        action(
            "wait",
            "Wait",
            {"TimeoutSeconds": "30"},
            next_action=None,
            conditions=[("Equals", "WaitCompleted", "done")],
        ),
        *branches("done"),
    )
    assert play(document).prompts == ["done"]


def test_engine_transfers_to_another_flow() -> None:
    # GIVEN a flow that transfers to another one by ARN
    billing = Flow("billing", flow(say("billing", "Billing here, $.Attributes.name.")))
    document = flow(
        action(
            "to-billing", "TransferToFlow", {"ContactFlowId": "arn:flow/billing"}, next_action=None
        )
    )
    # WHEN it runs THEN the other flow takes over with the same contact
    result = play(document, attributes={"name": "Ann"}, flows={"arn:flow/billing": billing})
    assert result.flows == ["tiny", "billing"]
    assert result.prompts == ["Billing here, Ann."]
    assert result.ended_by == "flow"


def test_engine_transfer_to_an_unknown_flow_is_an_error() -> None:
    document = flow(
        action(
            "to-billing", "TransferToFlow", {"ContactFlowId": "arn:flow/billing"}, next_action=None
        )
    )
    with pytest.raises(
        UnknownFlowError, match="tiny: to-billing: no flow known for 'arn:flow/billing'"
    ):
        play(document)


def test_engine_end_flow_execution_ends_the_call() -> None:
    document = flow(
        say("bye", "Bye", next_action="end"), action("end", "EndFlowExecution", next_action=None)
    )
    result = play(document)
    assert (result.prompts, result.ended_by) == (["Bye"], "flow")


def test_engine_records_visited_actions_in_order() -> None:
    result = play(MENU_FLOW, ["2"])
    assert result.visited == [("tiny", "menu"), ("tiny", "two"), ("tiny", HANG_UP)]


def test_engine_logging_and_recording_settings_go_on() -> None:
    document = flow(
        action(
            "logging",
            "UpdateFlowLoggingBehavior",
            {"FlowLoggingBehavior": "Enabled"},
            next_action="record",
        ),
        action(
            "record",
            "UpdateContactRecordingBehavior",
            {"RecordingBehavior": {"RecordedParticipants": ["Agent"]}},
        ),
        hang_up(),
    )
    result = play(document)
    assert [e.text for e in result.events if e.kind is EventKind.SETTING] == [
        "flow logging Enabled",
        "recording ['Agent']",
    ]

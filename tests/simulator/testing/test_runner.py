"""The offline runner plays cases with Connect's test-runner semantics on the dev stage's flows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.config.stage import load_stage
from connect_survey.test_cases.results import Verdict
from tests.test_cases.cases import (
    GOODBYE,
    INVALID,
    NEVER,
    NOT_RECORDED,
    Q1,
    Q2,
    Q3,
    answers,
    case,
    check,
    end_test,
    event,
    hang_up,
    heard,
    instruction,
    log_data,
    mock_data,
    mock_error,
    observation,
    override,
    press,
    started,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from connect_survey.simulator.testing import CaseRunner
    from connect_survey.test_cases.results import CaseResult

    Play = Callable[[dict[str, Any]], CaseResult]

SCORE = {"LambdaFunctionARN": "{{function:score}}"}
ALL_DONE = [check("status", "$.Attributes.SurveyStatus", "Equals", "complete"), end_test()]


def test_a_survey_answered_as_expected_passes(play: Play) -> None:
    result = play(case(*answers("5", "4", "3"), heard("goodbye", GOODBYE, ALL_DONE)))
    assert result.line().startswith("PASS case (4 observations, ")
    assert result.verdict is Verdict.PASS


def test_starting_observations_are_all_active_and_one_message_can_match_several(
    play: Play,
) -> None:
    # GIVEN two observations no other names, both waiting for parts of the first message
    result = play(
        case(
            heard("thanks", "Thank you for taking our short survey"),
            heard("scale", "rate each statement from 1 to 5"),
            *answers("5", "5", "5"),
            heard("goodbye", GOODBYE, ALL_DONE),
        )
    )
    assert result.verdict is Verdict.PASS, result.line()


def test_an_observation_waits_until_its_predecessor_matched(play: Play) -> None:
    # GIVEN q1 is named by an observation of the goodbye, which comes after q1 was played
    result = play(
        case(heard("goodbye", GOODBYE, then=["late-q1"]), heard("late-q1", Q1, [press("k", "5")]))
    )
    # THEN q1 was never awaited while it played
    assert result.line() == (
        'FAIL case: observation late-q1: expected prompt "It was easy to get my issue handled" '
        "never played; the call ended at action hang-up"
    )


def test_events_no_active_observation_waits_for_are_ignored(play: Play) -> None:
    # GIVEN only the goodbye is observed: every question times out unobserved
    result = play(
        case(
            heard(
                "goodbye",
                GOODBYE,
                [check("s", "$.Attributes.SurveyStatus", "Equals", "unanswered"), end_test()],
            )
        )
    )
    assert result.verdict is Verdict.PASS, result.line()


def test_an_observation_without_usage_is_done_once_matched(play: Play) -> None:
    # GIVEN q1 without Usage presses 9 (invalid); the retry plays q1 again
    result = play(
        case(
            heard("q1", Q1, [press("wrong", "9")], ["retry"]),
            heard("retry", INVALID, [press("right", "4")], ["q2"]),
            *answers("4", "4", "4")[1:],
            heard(
                "goodbye",
                GOODBYE,
                [check("e", "$.Attributes.EffortScore", "Equals", "4"), end_test()],
            ),
        )
    )
    # THEN q1 did not press 9 again at the retry (it was done), and the retry's 4 was kept
    assert result.verdict is Verdict.PASS, result.line()


def test_actions_run_in_next_action_order(play: Play) -> None:
    # GIVEN the actions listed last-first, chained first-to-last by NextAction
    chained = [
        {**end_test(), "Transitions": {}},
        {
            **check("effort", "$.Attributes.EffortScore", "Equals", "5"),
            "Transitions": {"NextAction": "end"},
        },
        {
            **log_data("log", {"status": "$.Attributes.SurveyStatus"}),
            "Transitions": {"NextAction": "effort"},
        },
    ]
    goodbye = heard("goodbye", GOODBYE)
    goodbye["Actions"] = chained
    result = play(case(*answers("5", "5", "5"), goodbye))
    assert result.verdict is Verdict.PASS, result.line()
    notes = [
        entry["test"] for entry in result.transcript if entry.get("test") in {"assert", "end-test"}
    ]
    assert notes == ["assert", "end-test"]
    assert result.logged == [{"observation": "goodbye", "label": "status", "value": "complete"}]


# Silence at every question: 3 attempts each, each followed by the invalid-answer prompt.
INVALID_MESSAGES = 9


@pytest.mark.parametrize(
    ("usage", "verdict", "reason"),
    [
        ({"Type": "Exactly", "Times": INVALID_MESSAGES}, Verdict.PASS, ""),
        (
            {"Type": "Exactly", "Times": 2},
            Verdict.FAIL,
            "played 3 times, more than Usage Exactly 2 allows",
        ),
        ({"Type": "AtLeast", "Times": INVALID_MESSAGES}, Verdict.PASS, ""),
        ({"Type": "AtLeast", "Times": 10}, Verdict.FAIL, "10 times; it played 9; the call ended"),
        ({"Type": "AtMost", "Times": INVALID_MESSAGES}, Verdict.PASS, ""),
        ({"Type": "AtMost", "Times": 8}, Verdict.FAIL, "played 9 times, more than Usage AtMost 8"),
        ({"Type": "AtMost", "Times": 0}, Verdict.FAIL, "which Usage AtMost 0 forbids"),
        ({"Type": "Always"}, Verdict.PASS, ""),
    ],
)
def test_usage_counts_every_occurrence(
    play: Play, usage: dict[str, Any], verdict: Verdict, reason: str
) -> None:
    result = play(case(heard("invalid", INVALID, usage=usage), heard("bye", GOODBYE)))
    assert result.verdict is verdict, result.line()
    assert reason in result.reason


def test_overrides_are_used_once_first_in_first_out(play: Play) -> None:
    # GIVEN two score overrides: a failure, then an answer of 2 whatever was pressed
    says_two = {
        "valid": "true",
        "score": "2",
        "attribute": "EffortScore",
        "question": "effort",
        "stored": "true",
    }
    start = observation(
        "start",
        event("TestInitiated"),
        [
            override("fails", "InvokeLambdaFunction", SCORE, mock_error("NoMatchingError")),
            override("two", "InvokeLambdaFunction", SCORE, mock_data(says_two)),
        ],
    )
    result = play(
        case(
            start,
            heard("q1", Q1, [press("first", "5")], ["not-recorded"]),
            heard("not-recorded", NOT_RECORDED, [press("second", "5")], ["q2"]),
            heard(
                "q2",
                Q2,
                [check("mocked", "$.Attributes.EffortScore", "Equals", "2"), press("real", "4")],
                ["q3"],
            ),
            heard("q3", Q3, [press("three", "3")], ["goodbye"]),
            heard(
                "goodbye",
                GOODBYE,
                [check("real", "$.Attributes.PromoterScore", "Equals", "4"), end_test()],
            ),
        )
    )
    assert result.verdict is Verdict.PASS, result.line()
    used = [
        entry["override"] for entry in result.transcript if entry.get("test") == "override used"
    ]
    assert used == ["fails", "two"]


@pytest.mark.parametrize(("delay", "recorded"), [(7, True), (8, False), (9, False)])
def test_a_mocked_delay_past_the_time_limit_is_a_timeout(
    play: Play, delay: float, recorded: bool
) -> None:
    # GIVEN the score function answers after `delay` s (the flow waits 8 s)
    data = {
        "valid": "true",
        "score": "5",
        "attribute": "EffortScore",
        "question": "effort",
        "stored": "true",
    }
    start = observation(
        "start",
        event("TestInitiated"),
        [override("slow", "InvokeLambdaFunction", SCORE, mock_data(data, delay))],
    )
    text = Q2 if recorded else NOT_RECORDED
    result = play(case(start, heard("q1", Q1, [press("k", "5")], ["next"]), heard("next", text)))
    assert result.verdict is Verdict.PASS, result.line()


def test_a_substituted_queue_takes_the_transfer(play: Play, context: dict[str, Any]) -> None:
    support = load_stage(context, "dev").offline.queues["support"]
    substitute = {"Type": "SubstituteResource", "SubstituteArn": "{{queue:support}}"}
    result = play(
        case(
            observation(
                "start",
                event("TestInitiated"),
                [
                    override(
                        "to-support",
                        "TransferContactToQueue",
                        {"QueueId": "{{queue:sales}}"},
                        substitute,
                    )
                ],
            ),
            heard("menu", "For sales, press 1", [press("sales", "1")]),
            observation(
                "ended", event("TestCompleted"), [check("queue", "$.Queue.ARN", "Equals", support)]
            ),
            flow="on-demand-inbound",
        )
    )
    assert result.verdict is Verdict.PASS, result.line()
    transfers = [entry["text"] for entry in result.transcript if entry.get("call") == "transfer"]
    assert transfers == ["to queue support"]


def test_a_substitute_naming_no_function_fails_in_one_line(play: Play) -> None:
    substitute = {
        "Type": "SubstituteResource",
        "SubstituteArn": "arn:aws:lambda:us-east-1:1:function:x",
    }
    start = observation(
        "start",
        event("TestInitiated"),
        [override("other", "InvokeLambdaFunction", SCORE, substitute)],
    )
    result = play(case(start, *answers("5", "5", "5"), heard("goodbye", GOODBYE)))
    assert result.line() == (
        "FAIL case: override other: SubstituteArn arn:aws:lambda:us-east-1:1:function:x is no "
        "function of the stage"
    )


@pytest.mark.parametrize(
    ("operator", "operand", "reason"),
    [
        ("Equals", "4", 'assertion-1: $.Attributes.EffortScore is "5"; expected it to equal "4"'),
        ("NumberLessThan", "3", 'is "5"; expected it to be a number less than "3"'),
        ("TextContains", "x", 'is "5"; expected it to contain "x"'),
    ],
)
def test_a_failed_assertion_gives_the_actual_and_expected_value(
    play: Play, operator: str, operand: str, reason: str
) -> None:
    result = play(
        case(
            *answers("5", "5", "5"),
            heard(
                "goodbye",
                GOODBYE,
                [check("assertion-1", "$.Attributes.EffortScore", operator, operand), end_test()],
            ),
        )
    )
    assert result.verdict is Verdict.FAIL
    assert result.observation == "goodbye"
    assert reason in result.reason


@pytest.mark.parametrize(
    ("namespace", "operator", "operand"),
    [
        ("$.Attributes.EffortScore", "NumberGreaterOrEqualTo", "5"),
        ("$.Attributes['SurveyStatus']", "TextStartsWith", "comp"),
        ("$.Attributes.SurveyMode", "TextEndsWith", "demand"),
        ("$.External.status", "Equals", "complete"),
        ("$.CustomerEndpoint.Address", "Equals", "+15555550100"),
        ("$.Channel", "Equals", "VOICE"),
        ("$.StoredCustomerInput", "Equals", "3"),
        ("$.Attributes.PromoterScore", "Exists", None),
    ],
)
def test_asserts_read_any_contact_data_the_flows_read(
    play: Play, namespace: str, operator: str, operand: str | None
) -> None:
    result = play(
        case(
            *answers("5", "4", "3"),
            heard("goodbye", GOODBYE, [check("c", namespace, operator, operand), end_test()]),
        )
    )
    assert result.verdict is Verdict.PASS, result.line()


def test_a_missing_value_fails_every_operator(play: Play) -> None:
    result = play(case(heard("q1", Q1, [check("c", "$.Attributes.Nothing", "Exists", None)])))
    assert result.reason == "c: $.Attributes.Nothing is not set; expected it to exist"


def test_similarity_tolerates_small_differences_inclusion_does_not(play: Play) -> None:
    misspelt = "It was eazy to get my isue handled"
    similar = play(case(heard("q1", misspelt, [end_test()], matching="Similarity")))
    included = play(case(heard("q1", misspelt, [end_test()])))
    assert similar.verdict is Verdict.PASS
    assert included.verdict is Verdict.FAIL


def test_an_ssml_expectation_is_matched_on_its_words(play: Play) -> None:
    ssml = {
        "SSML": "<speak>It was <emphasis>easy</emphasis> to get</speak>",
        "MatchingCriteria": {"Type": "Inclusion"},
    }
    result = play(case(observation("q1", event("MessageReceived", ssml), [end_test()])))
    assert result.verdict is Verdict.PASS, result.line()


def test_a_caller_hanging_up_ends_the_flow_and_later_prompts_never_come(play: Play) -> None:
    result = play(
        case(
            started(
                "no-finish",
                "InvokeLambdaFunction",
                {"LambdaFunctionARN": "{{function:finish}}"},
                usage=NEVER,
            ),
            heard("q1", Q1, [press("k", "4")], ["q2"]),
            heard("q2", Q2, [hang_up()], ["q3"]),
            heard("q3", Q3),
        )
    )
    assert result.line() == (
        'FAIL case: observation q3: expected prompt "very satisfied with the call I just had" '
        "never played; the call ended at action ask-recommend"
    )


def test_a_case_the_simulator_cannot_play_is_refused(play: Play) -> None:
    said = instruction("say", {"Type": "Utterance", "Properties": {"Text": "five"}})
    result = play(case(heard("q1", Q1, [said])))
    assert result.verdict is Verdict.REFUSED
    assert "Utterance needs a Lex bot" in result.reason


def test_an_entry_point_that_is_no_flow_of_the_stage_is_refused(play: Play) -> None:
    document = case(heard("q1", Q1))
    document["EntryPoint"]["VoiceCallEntryPointParameters"]["FlowId"] = "arn:aws:connect:x"
    result = play(document)
    assert result.verdict is Verdict.REFUSED
    assert "EntryPoint FlowId arn:aws:connect:x is none of stage dev's flows" in result.reason


def test_a_case_does_not_depend_on_the_cases_before_it(runner: CaseRunner, play: Play) -> None:
    # GIVEN the caller answered a survey yesterday (their cooldown is running)
    runner.simulator.sandbox.remember_caller("+15555550100", days_ago=1)
    # WHEN a case calls in with that number / THEN it starts with no cooldown, as if alone
    result = play(
        case(
            heard("menu", "For sales, press 1", [press("sales", "1")], ["notice"]),
            heard("notice", "stay on the line", [end_test()]),
            flow="on-demand-inbound",
        )
    )
    assert result.verdict is Verdict.PASS, result.line()

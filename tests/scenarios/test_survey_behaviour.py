"""The survey behaviour README.md describes ("The three survey modes"), call by call, through
the six rendered flows and the real handlers on the embedded AWS (the code path of
`connect-survey simulate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.flows.catalog import (
    CALLBACK_QUEUE,
    FINISH_FUNCTION,
    SCORE_FUNCTION,
    SUPERVISOR_QUEUE,
)
from connect_survey.lambda_asset.survey.contract import (
    EVENT_DETAIL_TYPE,
    EVENT_SOURCE,
    MODE_ESCALATION,
    MODE_ON_DEMAND,
    MODE_OPT_IN,
    OPT_IN_ACCEPTED,
    OPT_IN_ATTRIBUTE,
    OPT_IN_COMPLETE,
    SURVEY_MODE_ATTRIBUTE,
)
from tests.scenarios.calls import (
    DEV_ALERT_CHANNELS,
    FINISH_TIMES_OUT,
    HANG_UP,
    MAIN_QUEUE,
    MODES,
    OPT_IN_MODES,
    OPTED_IN,
    SCORE_ATTRIBUTES,
    SCORE_FAILS,
    SILENCE,
    assert_survey_ended_at_once,
    caller,
    calls_to,
    channels,
    finish_response,
    inbound,
    opted_in,
    said,
    survey,
    survey_lambda_calls,
)

if TYPE_CHECKING:
    from connect_survey.flows.offline import OfflineStage
    from connect_survey.simulator.simulate import Report
    from tests.scenarios.conftest import Player

LOW = ("1", "2", "1")  # a survey that escalates

every_mode = pytest.mark.parametrize("mode", MODES)
opt_in_modes = pytest.mark.parametrize("mode", OPT_IN_MODES)


def scores(report: Report) -> dict[str, str]:
    return {
        name: report.call.attributes[name]
        for name in SCORE_ATTRIBUTES
        if name in report.call.attributes
    }


def stored(report: Report) -> dict[str, str]:
    return {row["attribute"]: row["score"] for row in report.results}


# --- Who is surveyed ------------------------------------------------------------------------


@every_mode
def test_full_call_plays_the_inbound_flow_then_the_survey_after_the_agent_hangs_up(
    play: Player, texts: dict[str, str], questions: list[str], mode: str
) -> None:
    # GIVEN a caller who picks sales, takes the survey where it is offered, and rates 5, 4, 5
    keys = caller(mode, "5", "4", "5")

    # WHEN the call plays from the mode's inbound flow
    report = play(inbound(mode), keys)

    # THEN the agent takes the call, the disconnect flow surveys the caller, and hangs up
    announcement = texts["stayOnLine"] if mode == MODE_ON_DEMAND else texts["surveyOffer"]
    assert report.call.prompts == [
        texts["welcome"],
        texts["menu"],
        announcement,
        texts["surveyIntro"],
        texts["scale"],
        *questions,
        texts["thanks"],
    ]
    assert report.call.flows == [inbound(mode), survey(mode)]
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]
    assert report.call.ended_by == "flow"
    assert report.call.unused_input == []


def test_on_demand_survey_asks_every_caller_without_an_opt_in(
    play: Player, texts: dict[str, str]
) -> None:
    # GIVEN an on-demand caller, who is never asked to opt in
    keys = caller(MODE_ON_DEMAND, "4", "4", "4")

    # WHEN the call plays
    report = play(inbound(MODE_ON_DEMAND), keys)

    # THEN they are told to stay on the line, and surveyed with no opt-in attribute set
    assert said(report, texts["stayOnLine"]) == 1
    assert said(report, texts["surveyOffer"]) == 0
    assert OPT_IN_ATTRIBUTE not in report.call.attributes
    assert said(report, texts["surveyIntro"]) == 1
    assert stored(report) == dict.fromkeys(SCORE_ATTRIBUTES, "4")


@opt_in_modes
def test_opt_in_caller_who_presses_1_is_marked_and_surveyed(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a caller who presses 1 at the survey offer
    keys = caller(mode, "4", "4", "4", offer="1")

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN the attribute agents see says so, and the survey runs after the agent hangs up
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == OPT_IN_ACCEPTED
    assert report.call.flows == [inbound(mode), survey(mode)]
    assert said(report, texts["surveyIntro"]) == 1
    assert stored(report) == dict.fromkeys(SCORE_ATTRIBUTES, "4")


@opt_in_modes
@pytest.mark.parametrize("answer", ["2", "9", SILENCE], ids=["another-digit", "9", "silence"])
def test_opt_in_caller_who_does_not_press_1_is_not_surveyed(
    play: Player, texts: dict[str, str], mode: str, answer: str
) -> None:
    # GIVEN a caller who presses another digit, or nothing, at the survey offer
    keys = caller(mode, offer=answer)

    # WHEN the call plays through the agent's hang-up
    report = play(inbound(mode), keys)

    # THEN the disconnect flow runs but hangs up without a word or a Lambda call
    assert OPT_IN_ATTRIBUTE not in report.call.attributes
    assert report.call.flows == [inbound(mode), survey(mode)]
    assert report.call.prompts[-1] == texts["surveyOffer"]
    assert survey_lambda_calls(report) == []
    assert report.call.visited[-2:] == [(survey(mode), "check-opt-in"), (survey(mode), "hang-up")]
    assert report.call.ended_by == "flow"


@opt_in_modes
def test_opt_in_survey_run_without_the_attribute_hangs_up_without_a_word(
    play: Player, mode: str
) -> None:
    # GIVEN no Survey_Opt_in attribute on the contact
    # WHEN the opt-in mode's survey flow runs on its own
    report = play(survey(mode))

    # THEN nothing is said and nothing is called
    assert report.call.prompts == []
    assert report.call.lambda_invocations == []
    assert report.call.visited == [
        (survey(mode), "enable-logging"),
        (survey(mode), "check-ended-in-flow"),
        (survey(mode), "check-opt-in"),
        (survey(mode), "hang-up"),
    ]
    assert report.call.ended_by == "flow"


@opt_in_modes
def test_opt_in_survey_runs_when_the_attribute_is_preset(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN Survey_Opt_in = "true" preset, as `--attr Survey_Opt_in=true` does
    # WHEN the survey flow runs on its own
    report = play(survey(mode), ["5", "5", "5"], attributes=OPTED_IN)

    # THEN the caller is surveyed
    assert report.call.prompts[0] == texts["surveyIntro"]
    assert scores(report) == dict.fromkeys(SCORE_ATTRIBUTES, "5")


@pytest.mark.parametrize("preset", [OPT_IN_COMPLETE, "false", ""])
def test_escalation_survey_with_a_preset_other_than_true_says_nothing(
    play: Player, preset: str
) -> None:
    # GIVEN Survey_Opt_in preset to "Complete" (after a supervisor) or anything but "true"
    # WHEN the escalation survey flow runs
    report = play(survey(MODE_ESCALATION), ["1", "1", "1"], attributes={OPT_IN_ATTRIBUTE: preset})

    # THEN it hangs up at once: never a second survey
    assert report.call.prompts == []
    assert report.call.lambda_invocations == []
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == preset


# --- Answers --------------------------------------------------------------------------------


@every_mode
def test_completed_survey_keeps_each_score_in_attributes_table_and_lambda_calls(
    play: Player, mode: str
) -> None:
    # GIVEN a caller who rates 4, 2, 5
    keys = caller(mode, "4", "2", "5")

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN each score is in its contact attribute and in the results table
    expected = dict(zip(SCORE_ATTRIBUTES, ["4", "2", "5"], strict=True))
    assert scores(report) == expected
    assert report.results == [{"attribute": a, "score": s} for a, s in expected.items()]
    # AND each answer went to the score Lambda (with the mode, for the alert), which validated
    # and stored it
    score_calls = calls_to(report, SCORE_FUNCTION)
    assert [call["parameters"] for call in score_calls] == [
        {"question": "effort", "digits": "4", "mode": mode, "language": "en-US"},
        {"question": "recommend", "digits": "2", "mode": mode, "language": "en-US"},
        {"question": "satisfaction", "digits": "5", "mode": mode, "language": "en-US"},
    ]
    assert [(c["response"]["valid"], c["response"]["stored"]) for c in score_calls] == [
        ("true", "true")
    ] * 3
    # AND the finish Lambda was told the mode and saw all three answers
    [finish] = calls_to(report, FINISH_FUNCTION)
    assert finish["parameters"] == {"mode": mode}
    assert finish["response"]["answered"] == "3"
    assert finish["response"]["lowest"] == "2"


@every_mode
def test_completed_survey_makes_exactly_four_synchronous_lambda_calls(
    play: Player, stage: OfflineStage, mode: str
) -> None:
    # GIVEN an opted-in caller who answers all three questions at the first try
    # WHEN the survey flow runs
    report = play(survey(mode), ["5", "4", "3"], attributes=opted_in(mode))

    # THEN three score calls and one finish call were made, each waited for
    actions = {a["Identifier"]: a for a in stage.render(survey(mode))["Actions"]}
    invoked = [
        actions[action_id]
        for _, action_id in report.call.visited
        if actions[action_id]["Type"] == "InvokeLambdaFunction"
    ]
    assert len(report.call.lambda_invocations) == 4
    assert [a["Parameters"]["InvocationType"] for a in invoked] == ["SYNCHRONOUS"] * 4
    assert all("response" in call for call in report.call.lambda_invocations)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("0", "out_of_range"),
        ("6", "out_of_range"),
        ("9", "out_of_range"),
        ("77#", "out_of_range"),  # one digit is read: 7
        ("*", "not_a_number"),
        (SILENCE, "timeout"),
    ],
)
def test_survey_reprompts_after_an_invalid_answer_and_keeps_the_valid_one(
    play: Player, texts: dict[str, str], questions: list[str], entry: str, reason: str
) -> None:
    # GIVEN a caller whose first answer is not a score, then 4
    keys = [entry, "4", "5", "5"]

    # WHEN the on-demand survey runs
    report = play(survey(MODE_ON_DEMAND), keys)

    # THEN the Lambda rejects it with the reason, the caller hears why and the question again
    first = calls_to(report, SCORE_FUNCTION)[0]["response"]
    assert (first["valid"], first["reason"]) == ("false", reason)
    assert said(report, texts["invalidAnswer"]) == 1
    assert said(report, questions[0]) == 2
    # AND the valid answer is what counts
    assert report.call.attributes["EffortScore"] == "4"
    assert stored(report) == {"EffortScore": "4", "PromoterScore": "5", "SatisfactionScore": "5"}


def test_empty_answer_is_invalid_without_a_score_call(
    play: Player, texts: dict[str, str], questions: list[str]
) -> None:
    # GIVEN a caller who presses only # (nothing stored) at the first question, then 4
    report = play(survey(MODE_ON_DEMAND), ["#", "4", "5", "5"])

    # THEN the flow itself finds nothing entered: the caller hears why and the question again,
    # and the score Lambda is called only for the answers (nothing entered is what a prompt
    # skipped with nobody on the line leaves, and that must never reach a Lambda)
    assert said(report, texts["invalidAnswer"]) == 1
    assert said(report, questions[0]) == 2
    digits = [call["parameters"]["digits"] for call in calls_to(report, SCORE_FUNCTION)]
    assert digits == ["4", "5", "5"]
    assert stored(report) == {"EffortScore": "4", "PromoterScore": "5", "SatisfactionScore": "5"}


@every_mode
def test_question_is_skipped_after_three_invalid_answers_and_the_survey_goes_on(
    play: Player, texts: dict[str, str], questions: list[str], mode: str
) -> None:
    # GIVEN a caller who answers the first question 0, 6, 77# and the others 4 and 5
    keys = ["0", "6", "77#", "4", "5"]

    # WHEN the survey runs
    report = play(survey(mode), keys, attributes=opted_in(mode))

    # THEN the first question is asked three times, then left unanswered
    assert said(report, questions[0]) == 3
    assert said(report, texts["invalidAnswer"]) == 3
    assert "EffortScore" not in report.call.attributes
    # AND the survey goes on and finishes with the two answers it has
    assert scores(report) == {"PromoterScore": "4", "SatisfactionScore": "5"}
    assert stored(report) == {"PromoterScore": "4", "SatisfactionScore": "5"}
    assert finish_response(report)["answered"] == "2"
    assert report.call.prompts[-1] == texts["thanks"]
    assert report.call.ended_by == "flow"


def test_silent_caller_hears_each_question_three_times_then_goodbye(
    play: Player, texts: dict[str, str], questions: list[str]
) -> None:
    # GIVEN a caller who stays on the line but presses nothing
    # WHEN the survey runs
    report = play(survey(MODE_ON_DEMAND), [])

    # THEN every question gets its three attempts, and the call ends politely
    assert [said(report, question) for question in questions] == [3, 3, 3]
    assert len(calls_to(report, SCORE_FUNCTION)) == 9
    # silence reaches the handler as Connect's stored value "Timeout", and is named as such
    first = calls_to(report, SCORE_FUNCTION)[0]
    assert first["parameters"]["digits"] == "Timeout"
    assert first["response"]["reason"] == "timeout"
    assert finish_response(report)["answered"] == "0"
    assert report.results == []
    assert report.call.prompts[-1] == texts["thanks"]
    assert report.call.ended_by == "flow"


@every_mode
def test_caller_who_hangs_up_mid_survey_keeps_the_answers_given(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a caller who answers two questions, then hangs up
    keys = caller(mode, "4", "2", HANG_UP)

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN the two answers are in the results table and the attributes
    assert stored(report) == {"EffortScore": "4", "PromoterScore": "2"}
    assert scores(report) == {"EffortScore": "4", "PromoterScore": "2"}
    # AND the call ended with the caller, before the survey could finish
    assert report.call.ended_by == "caller"
    assert calls_to(report, FINISH_FUNCTION) == []
    assert said(report, texts["thanks"]) == 0


# --- Low scores -----------------------------------------------------------------------------


@every_mode
def test_score_of_three_is_not_low(play: Player, texts: dict[str, str], mode: str) -> None:
    # GIVEN a caller who rates 3, 3, 3 (the threshold itself)
    # WHEN the survey runs
    report = play(survey(mode), ["3", "3", "3"], attributes=opted_in(mode))

    # THEN nothing escalates: no apology, no supervisor, no alert
    assert finish_response(report)["escalate"] == "false"
    assert said(report, texts["apology"]) == 0
    assert report.alerts == []
    assert report.call.prompts[-1] == texts["thanks"]


@every_mode
@pytest.mark.parametrize("keys", [["3", "3", "2"], ["2", "3", "3"], ["5", "2", "5"]])
def test_score_of_two_is_low(play: Player, mode: str, keys: list[str]) -> None:
    # GIVEN one answer of 2 among threes and fives
    # WHEN the survey runs
    report = play(survey(mode), keys, attributes=opted_in(mode))

    # THEN the survey escalates and the alert goes out
    assert finish_response(report)["escalate"] == "true"
    assert finish_response(report)["lowest"] == "2"
    assert channels(report) == DEV_ALERT_CHANNELS


@every_mode
def test_low_score_raises_exactly_one_sns_alert_and_one_eventbridge_event(
    play: Player, mode: str
) -> None:
    # GIVEN a caller who rates 1, 2, 1
    keys = caller(mode, *LOW, "2")  # escalation: declines the supervisor

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN one SNS message and one EventBridge event name the contact
    contact_id = report.call.contact.contact_id
    assert channels(report) == DEV_ALERT_CHANNELS
    sns = next(alert for alert in report.alerts if alert["channel"] == "sns")
    event = next(alert for alert in report.alerts if alert["channel"] == "eventbridge")
    assert contact_id in sns["subject"]
    assert (event["source"], event["detail-type"]) == (EVENT_SOURCE, EVENT_DETAIL_TYPE)
    assert contact_id in str(event["detail"])
    assert event["detail"]["alertId"] in sns["message"]


@every_mode
def test_high_scores_raise_no_alert(play: Player, mode: str) -> None:
    # GIVEN a caller who rates 5, 4, 3
    # WHEN the call plays
    report = play(inbound(mode), caller(mode, "5", "4", "3"))

    # THEN no alert is sent
    assert report.alerts == []


@pytest.mark.parametrize("mode", [MODE_ON_DEMAND, MODE_OPT_IN])
def test_surveys_without_escalation_never_offer_a_supervisor(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a caller of a mode without escalation who rates 1, 1, 1
    # WHEN the call plays
    report = play(inbound(mode), caller(mode, "1", "1", "1", "1"))

    # THEN they hear thanks, not an apology or an offer, and the extra key is never asked for
    assert said(report, texts["apology"]) == 0
    assert said(report, texts["supervisorOffer"]) == 0
    assert report.call.prompts[-1] == texts["thanks"]
    assert report.call.unused_input == ["1"]
    assert channels(report) == DEV_ALERT_CHANNELS


# --- Escalation -----------------------------------------------------------------------------


def test_escalation_caller_who_accepts_is_transferred_to_a_supervisor_and_not_surveyed_again(
    play: Player, texts: dict[str, str], questions: list[str]
) -> None:
    # GIVEN an escalation caller who rates 1, 2, 1 and presses 1 for a supervisor
    keys = caller(MODE_ESCALATION, *LOW, "1")

    # WHEN the call plays through the supervisor's hang-up
    report = play(inbound(MODE_ESCALATION), keys)

    # THEN the caller hears the apology and the offer, and is transferred to the supervisor
    assert report.call.prompts[-2:] == [texts["apology"], texts["supervisorOffer"]]
    assert report.call.transfers == [{"queue": MAIN_QUEUE}, {"queue": SUPERVISOR_QUEUE}]
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == OPT_IN_COMPLETE
    # AND the disconnect flow runs again after the supervisor, and ends the call silently
    survey_flow = survey(MODE_ESCALATION)
    assert report.call.flows == [inbound(MODE_ESCALATION), survey_flow, survey_flow]
    assert report.call.visited[-2:] == [(survey_flow, "check-opt-in"), (survey_flow, "hang-up")]
    assert said(report, texts["surveyIntro"]) == 1
    assert [said(report, question) for question in questions] == [1, 1, 1]
    assert len(survey_lambda_calls(report)) == 4
    assert channels(report) == DEV_ALERT_CHANNELS
    assert report.call.ended_by == "flow"


@pytest.mark.parametrize("answer", ["2", SILENCE])
def test_escalation_caller_who_declines_hears_thanks_and_is_hung_up(
    play: Player, texts: dict[str, str], answer: str
) -> None:
    # GIVEN an escalation caller who rates low and does not press 1 at the supervisor offer
    keys = caller(MODE_ESCALATION, *LOW, answer)

    # WHEN the call plays
    report = play(inbound(MODE_ESCALATION), keys)

    # THEN they are thanked and the call ends; no supervisor, no callback
    assert report.call.prompts[-3:] == [
        texts["apology"],
        texts["supervisorOffer"],
        texts["thanks"],
    ]
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]
    assert report.call.callbacks == []
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == OPT_IN_ACCEPTED
    assert report.call.visited[-1] == (survey(MODE_ESCALATION), "hang-up")
    assert report.call.ended_by == "flow"


def test_escalation_survey_offers_callback_when_supervisors_are_busy(
    play: Player, texts: dict[str, str]
) -> None:
    # GIVEN a full supervisor queue, and a low-scoring caller who wants a supervisor
    keys = caller(MODE_ESCALATION, *LOW, "1", "1")

    # WHEN the call plays and the caller presses 1 for a callback
    number = "+442071838750"  # the scenario player gives every other call a number of its own
    report = play(
        inbound(MODE_ESCALATION),
        keys,
        queues_at_capacity=[SUPERVISOR_QUEUE],
        caller_number=number,
    )

    # THEN a supervisor callback to the caller's number is created on the callback queue
    assert report.call.callbacks == [{"queue": CALLBACK_QUEUE, "number": number}]
    assert report.call.prompts[-2:] == [texts["supervisorBusy"], texts["callbackConfirmed"]]
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]
    assert report.call.flows == [inbound(MODE_ESCALATION), survey(MODE_ESCALATION)]
    assert report.call.ended_by == "flow"


@pytest.mark.parametrize("answer", ["2", SILENCE])
def test_escalation_caller_who_declines_the_callback_gets_none(
    play: Player, texts: dict[str, str], answer: str
) -> None:
    # GIVEN a full supervisor queue, and a caller who wants a supervisor but not a callback
    keys = caller(MODE_ESCALATION, *LOW, "1", answer)

    # WHEN the call plays
    report = play(inbound(MODE_ESCALATION), keys, queues_at_capacity=[SUPERVISOR_QUEUE])

    # THEN there is no callback, and the caller is thanked
    assert report.call.callbacks == []
    assert report.call.prompts[-2:] == [texts["supervisorBusy"], texts["thanks"]]
    assert report.call.ended_by == "flow"


def test_escalation_caller_with_good_scores_is_not_offered_a_supervisor(
    play: Player, texts: dict[str, str]
) -> None:
    # GIVEN an escalation caller who rates 5, 4, 3
    keys = caller(MODE_ESCALATION, "5", "4", "3", "1")

    # WHEN the call plays
    report = play(inbound(MODE_ESCALATION), keys)

    # THEN no apology or offer, the extra key is never asked for
    assert said(report, texts["apology"]) == 0
    assert report.call.prompts[-1] == texts["thanks"]
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]
    assert report.call.unused_input == ["1"]


# --- The inbound menu and the queue ---------------------------------------------------------


@every_mode
def test_menu_digit_2_routes_to_support(play: Player, mode: str) -> None:
    # GIVEN a caller who presses 2 at the menu
    # WHEN the call plays
    report = play(inbound(mode), caller(mode, "5", "5", "5", menu="2"))

    # THEN the call goes to the support queue
    assert report.call.transfers == [{"queue": "support"}]


@every_mode
def test_menu_silence_twice_routes_to_the_first_option(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a caller who presses nothing at the menu, nor when it is repeated
    keys = caller(mode, "5", "5", "5", menu=(SILENCE, SILENCE))

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN the menu is repeated once, and the call goes to the first option's queue
    assert said(report, texts["menuRetry"]) == 1
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]


@every_mode
def test_menu_retry_accepts_a_valid_digit(play: Player, texts: dict[str, str], mode: str) -> None:
    # GIVEN a caller who presses 9 (no such option), then 2
    keys = caller(mode, "5", "5", "5", menu=("9", "2"))

    # WHEN the call plays
    report = play(inbound(mode), keys)

    # THEN the second choice counts
    assert said(report, texts["menuRetry"]) == 1
    assert report.call.transfers == [{"queue": "support"}]


@every_mode
def test_full_main_queue_gets_a_polite_message_and_hang_up(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN the sales queue at capacity
    # WHEN a caller picks sales
    report = play(inbound(mode), caller(mode), queues_at_capacity=[MAIN_QUEUE])

    # THEN they are told so before the flow hangs up: never silence
    assert report.call.prompts[-1] == texts["queueFull"]
    assert report.call.transfers == []
    assert report.call.ended_by == "flow"
    # AND the survey flow, run on that disconnect with nobody there, ends at once
    assert_survey_ended_at_once(report, mode)


@every_mode
def test_failed_transfer_gets_a_polite_message_and_hang_up(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a transfer that fails on the platform (`--fail-action transfer-to-queue`)
    # WHEN a caller picks sales
    report = play(inbound(mode), caller(mode), failing_actions=["transfer-to-queue"])

    # THEN they are told so before the flow hangs up, and no survey runs
    assert report.call.prompts[-1] == texts["transferError"]
    assert report.call.ended_by == "flow"
    assert_survey_ended_at_once(report, mode)


@pytest.mark.parametrize(
    ("failing", "busy", "keys"),
    [
        ("target-supervisor", [], [*LOW, "1"]),
        ("transfer-to-supervisor", [], [*LOW, "1"]),
        ("create-callback", [SUPERVISOR_QUEUE], [*LOW, "1", "1"]),
    ],
)
def test_escalation_caller_hears_so_when_no_supervisor_can_be_reached(
    play: Player, texts: dict[str, str], failing: str, busy: list[str], keys: list[str]
) -> None:
    # GIVEN a supervisor queue, transfer or callback that fails on the platform
    # WHEN a low-scoring caller asks for a supervisor
    report = play(
        survey(MODE_ESCALATION),
        keys,
        attributes=OPTED_IN,
        queues_at_capacity=busy,
        failing_actions=[failing],
    )

    # THEN they are told the feedback is noted, and the call ends without a transfer
    assert report.call.prompts[-1] == texts["supervisorUnavailable"]
    assert report.call.transfers == []
    assert report.call.callbacks == []
    assert report.call.ended_by == "flow"


# --- Lambda failures and stubs --------------------------------------------------------------


@every_mode
def test_score_lambda_error_says_the_answer_was_not_recorded_and_retries_a_bounded_number_of_times(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a score Lambda that always fails (`--lambda-stub -score=!error`)
    # WHEN a caller keeps answering 4
    report = play(survey(mode), ["4"] * 12, attributes=opted_in(mode), stubs=[SCORE_FAILS])

    # THEN each failure is explained, each question is tried three times, and the survey ends
    assert texts["notRecorded"].startswith("Sorry, we could not record that answer")
    assert said(report, texts["notRecorded"]) == 9
    score_calls = calls_to(report, SCORE_FUNCTION)
    assert len(score_calls) == 9
    assert all("stubbed failure" in call["error"] for call in score_calls)
    assert scores(report) == {}
    assert report.call.prompts[-1] == texts["thanks"]
    assert report.call.unused_input == ["4"] * 3
    assert report.call.ended_by == "flow"


@every_mode
def test_finish_lambda_timeout_still_says_goodbye(
    play: Player, texts: dict[str, str], mode: str
) -> None:
    # GIVEN a finish Lambda that times out (`--lambda-stub -finish=!timeout`)
    # WHEN a caller rates 1, 1, 1
    report = play(
        survey(mode), ["1", "1", "1"], attributes=opted_in(mode), stubs=[FINISH_TIMES_OUT]
    )

    # THEN the caller is thanked and the call ends; the answers were already stored
    [finish] = calls_to(report, FINISH_FUNCTION)
    assert "timed out" in finish["error"]
    assert said(report, texts["apology"]) == 0
    assert report.call.prompts[-1] == texts["thanks"]
    assert stored(report) == dict.fromkeys(SCORE_ATTRIBUTES, "1")
    assert report.call.ended_by == "flow"


def test_stub_finish_response_decides_the_escalation(play: Player, texts: dict[str, str]) -> None:
    # GIVEN a finish stub that answers escalate=true whatever the scores
    stub = f'-{FINISH_FUNCTION}={{"escalate": "true"}}'

    # WHEN a caller rates 5, 5, 5 in the escalation survey
    report = play(survey(MODE_ESCALATION), ["5", "5", "5"], attributes=OPTED_IN, stubs=[stub])

    # THEN the flow follows the stub's answer, and the real handler never ran: no alert
    assert calls_to(report, FINISH_FUNCTION)[0]["response"] == {"escalate": "true"}
    assert report.call.prompts[-3:] == [
        texts["apology"],
        texts["supervisorOffer"],
        texts["thanks"],  # the caller pressed nothing more
    ]
    assert report.alerts == []


def test_stub_score_response_is_what_the_flow_stores(play: Player) -> None:
    # GIVEN a score stub that accepts every answer as a 4
    stub = f'-{SCORE_FUNCTION}={{"valid": "true", "score": "4"}}'

    # WHEN a caller presses 1, 2, 3
    report = play(survey(MODE_ON_DEMAND), ["1", "2", "3"], stubs=[stub])

    # THEN the attributes hold the stub's score, and nothing reached the table
    assert scores(report) == dict.fromkeys(SCORE_ATTRIBUTES, "4")
    assert report.results == []
    assert finish_response(report)["answered"] == "3"  # the finish Lambda reads the attributes


def test_preset_scores_reach_the_finish_lambda(play: Player) -> None:
    # GIVEN an opted-in contact that already carries a low EffortScore (`--attr EffortScore=1`)
    # WHEN the caller skips the first question and rates the others 5
    report = play(
        survey(MODE_OPT_IN),
        [SILENCE, SILENCE, SILENCE, "5", "5"],
        attributes={**OPTED_IN, "EffortScore": "1"},
    )

    # THEN the finish Lambda counts the preset attribute with the stored answers
    response = finish_response(report)
    assert (response["answered"], response["lowest"], response["escalate"]) == ("3", "1", "true")
    assert channels(report) == DEV_ALERT_CHANNELS
    assert stored(report) == {"PromoterScore": "5", "SatisfactionScore": "5"}


def test_answers_of_different_calls_never_mix(play: Player) -> None:
    # GIVEN two calls on the same embedded AWS
    first = play(survey(MODE_ON_DEMAND), ["1", "1", "1"])
    second = play(survey(MODE_ON_DEMAND), ["5", "5", "5"])

    # WHEN their stored answers and alerts are read back
    # THEN each call sees only its own
    assert first.call.contact.contact_id != second.call.contact.contact_id
    assert stored(first) == dict.fromkeys(SCORE_ATTRIBUTES, "1")
    assert stored(second) == dict.fromkeys(SCORE_ATTRIBUTES, "5")
    assert channels(first) == DEV_ALERT_CHANNELS
    assert second.alerts == []


@every_mode
def test_inbound_flow_records_the_survey_mode_on_the_contact(play: Player, mode: str) -> None:
    # GIVEN a caller of any mode who declines or takes the survey
    # WHEN the call plays through the inbound flow
    report = play(inbound(mode), caller(mode, "5", "5", "5"))

    # THEN the contact record carries the mode, so reports can group by it
    assert report.call.attributes[SURVEY_MODE_ATTRIBUTE] == mode

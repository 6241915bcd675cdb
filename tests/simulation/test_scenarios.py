"""Every survey behaviour of design.md, played through the real flows and handlers offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from flows.prompts import Prompts
from lambdas.survey.contract import OPT_IN_ATTRIBUTE
from tests.simulation.conftest import finish_calls, said, score_calls

if TYPE_CHECKING:
    from flows.simulate import Report

TEXT = Prompts().with_scale(1, 5).texts()
SCORES = ("EffortScore", "PromoterScore", "SatisfactionScore")
OPTED_IN = {OPT_IN_ATTRIBUTE: "true"}
SUPERVISOR_FAILURES = ["target-supervisor", "transfer-to-supervisor", "create-callback"]


def scores_of(report: Report) -> dict[str, str]:
    return {k: v for k, v in report.call.attributes.items() if k in SCORES}


def stored(report: Report) -> dict[str, str]:
    return {r["attribute"]: r["score"] for r in report.results}


def channels(report: Report) -> list[str]:
    return sorted(alert["channel"] for alert in report.alerts)


# --- inbound flows ---------------------------------------------------------------------------


def test_opt_in_accepted_sets_the_attribute_and_runs_the_survey(play: Any) -> None:
    # GIVEN a caller who picks sales and presses 1 for the survey
    report = play("opt-in-inbound", ["1", "1", "4", "5", "4"])

    # THEN agents see the opt-in, the agent's queue is sales, and the survey runs afterwards
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == "true"
    assert report.call.transfers == [{"queue": "sales"}]
    assert report.call.flows == ["opt-in-inbound", "opt-in-survey"]
    assert scores_of(report) == {"EffortScore": "4", "PromoterScore": "5", "SatisfactionScore": "4"}
    assert said(report, TEXT["thanks"]) == 1


@pytest.mark.parametrize("answer", ["2", "timeout"], ids=["declined", "silent"])
@pytest.mark.parametrize("flow", ["opt-in-inbound", "escalation-inbound"])
def test_opt_in_declined_or_silent_means_no_survey(play: Any, flow: str, answer: str) -> None:
    # GIVEN a caller who does not press 1 at the survey offer
    report = play(flow, ["1", answer, "5", "5", "5"])

    # THEN the disconnect flow hangs up without a word
    survey = flow.replace("inbound", "survey")
    assert report.call.flows == [flow, survey]
    assert OPT_IN_ATTRIBUTE not in report.call.attributes
    assert said(report, TEXT["surveyIntro"]) == 0
    assert report.call.lambda_invocations == []
    assert report.call.ended_by == "flow"


def test_on_demand_surveys_everyone_after_telling_them_to_stay(play: Any) -> None:
    report = play("on-demand-inbound", ["2", "3", "3", "3"])

    assert said(report, TEXT["stayOnLine"]) == 1
    assert report.call.transfers == [{"queue": "support"}]
    assert report.call.flows == ["on-demand-inbound", "on-demand-survey"]
    assert stored(report) == {"EffortScore": "3", "PromoterScore": "3", "SatisfactionScore": "3"}


def test_menu_asks_once_more_then_routes_silence_to_the_first_queue(play: Any) -> None:
    report = play("on-demand-inbound", ["timeout", "9"])

    assert said(report, TEXT["menuRetry"]) == 1
    assert report.call.transfers == [{"queue": "sales"}]


def test_menu_accepts_the_second_try(play: Any) -> None:
    report = play("on-demand-inbound", ["7", "2"])

    assert report.call.transfers == [{"queue": "support"}]


def test_full_queue_gets_a_polite_message_and_a_hang_up(play: Any) -> None:
    report = play("opt-in-inbound", ["1", "1"], queues_at_capacity=["sales"])

    assert report.call.prompts[-1] == TEXT["queueFull"]
    assert report.call.transfers == []
    assert report.call.flows == ["opt-in-inbound"]
    assert report.call.ended_by == "flow"


def test_failed_transfer_gets_a_polite_message_never_silence(play: Any) -> None:
    report = play("on-demand-inbound", ["1"], failing_actions=["transfer-to-queue"])

    assert report.call.prompts[-1] == TEXT["transferError"]
    assert report.call.ended_by == "flow"


# --- answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["on-demand-survey", "opt-in-survey", "escalation-survey"])
def test_all_three_scores_are_stored_in_attributes_and_table(play: Any, flow: str) -> None:
    report = play(flow, ["4", "5", "3"], attributes=OPTED_IN)

    expected = {"EffortScore": "4", "PromoterScore": "5", "SatisfactionScore": "3"}
    assert scores_of(report) == expected
    assert stored(report) == expected
    assert [c["parameters"]["question"] for c in score_calls(report)] == [
        "effort",
        "recommend",
        "satisfaction",
    ]


def test_completed_survey_takes_four_synchronous_lambda_calls(play: Any) -> None:
    report = play("on-demand-survey", ["5", "4", "5"])

    assert len(report.call.lambda_invocations) == 4
    assert len(finish_calls(report)) == 1


@pytest.mark.parametrize("wrong", ["0", "6", "77#", "timeout"])
def test_invalid_answer_or_silence_is_explained_and_asked_again(play: Any, wrong: str) -> None:
    report = play("on-demand-survey", [wrong, "4", "5", "5"])

    assert said(report, TEXT["invalidAnswer"]) == 1
    assert said(report, "It was easy to get my issue handled.") == 2
    assert scores_of(report)["EffortScore"] == "4"
    assert score_calls(report)[0]["response"]["valid"] == "false"


def test_silence_reaches_the_handler_as_timeout(play: Any) -> None:
    report = play("on-demand-survey", ["timeout", "4", "4", "4"])

    first = score_calls(report)[0]
    assert first["parameters"]["digits"] == "Timeout"
    assert first["response"]["reason"] == "timeout"


def test_attempts_exhausted_skips_the_question_and_goes_on(play: Any) -> None:
    report = play("on-demand-survey", ["9", "9", "9", "2", "3"])

    assert said(report, TEXT["invalidAnswer"]) == 3
    assert "EffortScore" not in report.call.attributes
    assert scores_of(report) == {"PromoterScore": "2", "SatisfactionScore": "3"}
    assert stored(report) == {"PromoterScore": "2", "SatisfactionScore": "3"}
    assert finish_calls(report)[0]["response"]["answered"] == "2"


def test_hang_up_mid_survey_keeps_the_answers_already_given(play: Any) -> None:
    report = play("on-demand-inbound", ["1", "5", "2", "hangup"])

    assert report.call.ended_by == "caller"
    assert stored(report) == {"EffortScore": "5", "PromoterScore": "2"}
    assert finish_calls(report) == []


@pytest.mark.parametrize(("lowest", "low"), [("3", False), ("2", True)])
def test_three_is_not_a_low_score_but_two_is(play: Any, lowest: str, low: bool) -> None:
    report = play("escalation-survey", ["5", lowest, "5", "2"], attributes=OPTED_IN)

    assert finish_calls(report)[0]["response"]["escalate"] == ("true" if low else "false")
    assert said(report, TEXT["apology"]) == int(low)
    assert len(report.alerts) == (2 if low else 0)


# --- escalation ------------------------------------------------------------------------------


def test_escalation_accepted_transfers_to_the_supervisor_and_never_surveys_twice(
    play: Any,
) -> None:
    report = play("escalation-inbound", ["1", "1", "5", "2", "5", "1"])

    assert report.call.transfers == [{"queue": "sales"}, {"queue": "supervisor"}]
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == "Complete"
    # the disconnect flow runs again after the supervisor and ends the call at once
    assert report.call.flows == ["escalation-inbound", "escalation-survey", "escalation-survey"]
    assert said(report, TEXT["surveyIntro"]) == 1
    last_run = report.call.visited[-2:]
    assert last_run == [("escalation-survey", "check-opt-in"), ("escalation-survey", "hang-up")]
    assert report.call.ended_by == "flow"


@pytest.mark.parametrize("answer", ["2", "timeout"])
def test_escalation_declined_thanks_and_hangs_up(play: Any, answer: str) -> None:
    report = play("escalation-survey", ["1", "1", "1", answer], attributes=OPTED_IN)

    assert said(report, TEXT["supervisorOffer"]) == 1
    assert report.call.prompts[-1] == TEXT["thanks"]
    assert report.call.transfers == []
    assert report.call.attributes[OPT_IN_ATTRIBUTE] == "true"


def test_busy_supervisors_offer_a_callback_instead_of_dropping_the_caller(play: Any) -> None:
    report = play(
        "escalation-survey",
        ["1", "2", "2", "1", "1"],
        attributes=OPTED_IN,
        queues_at_capacity=["supervisor"],
    )

    assert said(report, TEXT["supervisorBusy"]) == 1
    assert report.call.callbacks == [{"queue": "supervisor"}]
    assert report.call.prompts[-1] == TEXT["callbackConfirmed"]
    assert report.call.transfers == []


def test_callback_declined_ends_with_thanks(play: Any) -> None:
    report = play(
        "escalation-survey",
        ["1", "2", "2", "1", "3"],
        attributes=OPTED_IN,
        queues_at_capacity=["supervisor"],
    )

    assert report.call.callbacks == []
    assert report.call.prompts[-1] == TEXT["thanks"]


@pytest.mark.parametrize(
    "failing", ["target-supervisor", "transfer-to-supervisor", "create-callback"]
)
def test_supervisor_errors_end_with_an_apology_not_silence(play: Any, failing: str) -> None:
    report = play(
        "escalation-survey",
        ["1", "1", "1", "1", "1"],
        attributes=OPTED_IN,
        queues_at_capacity=["supervisor"] if failing == "create-callback" else [],
        failing_actions=[failing],
    )

    assert report.call.prompts[-1] == TEXT["supervisorUnavailable"]


@pytest.mark.parametrize("flow", ["escalation-survey", "opt-in-survey"])
@pytest.mark.parametrize("preset", [None, "Complete", "false"])
def test_survey_flow_without_opt_in_hangs_up_without_a_word(
    play: Any, flow: str, preset: str | None
) -> None:
    attributes = {} if preset is None else {OPT_IN_ATTRIBUTE: preset}
    report = play(flow, ["5", "5", "5"], attributes=attributes)

    assert report.call.prompts == []
    assert report.call.lambda_invocations == []
    assert report.call.ended_by == "flow"


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["on-demand-survey", "opt-in-survey", "escalation-survey"])
def test_low_score_raises_one_alert_per_channel_in_every_mode(play: Any, flow: str) -> None:
    report = play(flow, ["1", "4", "4", "2"], attributes=OPTED_IN)

    assert channels(report) == ["eventbridge", "sns"]
    event = next(a for a in report.alerts if a["channel"] == "eventbridge")
    assert event["detail-type"] == "Survey low score"
    assert event["detail"]["lowest"] == 1


def test_high_scores_raise_no_alert(play: Any) -> None:
    report = play("on-demand-survey", ["4", "4", "5"])

    assert report.alerts == []


# --- lambda failures -------------------------------------------------------------------------


def test_failing_score_lambda_apologises_and_retries_a_bounded_number_of_times(
    play: Any,
) -> None:
    report = play("on-demand-survey", ["5"] * 9, stubs=["-score=!error"])

    assert said(report, TEXT["notRecorded"]) == 9
    assert len(score_calls(report)) == 9
    assert report.call.prompts[-1] == TEXT["thanks"]
    assert "EffortScore" not in report.call.attributes


def test_timed_out_finish_lambda_still_says_goodbye(play: Any) -> None:
    report = play(
        "escalation-survey", ["1", "1", "1"], attributes=OPTED_IN,
        stubs=["-finish=!timeout"],
    )  # fmt: skip

    assert report.call.prompts[-1] == TEXT["thanks"]
    assert said(report, TEXT["apology"]) == 0
    assert "error" in finish_calls(report)[0]


def test_stubbed_response_is_what_the_flow_reads(play: Any) -> None:
    report = play(
        "escalation-survey", ["5", "5", "5"], attributes=OPTED_IN,
        stubs=['-finish={"escalate": "true", "lowest": "1"}'],
    )  # fmt: skip

    assert said(report, TEXT["apology"]) == 1
    assert report.alerts == []  # the real finish handler never ran

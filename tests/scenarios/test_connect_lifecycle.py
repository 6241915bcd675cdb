"""Calls as a real Connect instance plays them: supervisor availability, callbacks that can be
made, disconnect flows that run with nobody on the line, and the survey status for reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from connect_survey.lambda_asset.survey.contract import (
    MODE_ESCALATION,
    STATUS_COMPLETE,
    STATUS_OFFERED,
    STATUS_PARTIAL,
    STATUS_UNANSWERED,
    SURVEY_STATUS_ATTRIBUTE,
)
from connect_survey.lambda_asset.survey.sampling import NUMBER_WITHHELD_ATTRIBUTE
from connect_survey.simulator.simulate import WITHHELD
from tests.scenarios.calls import (
    MAIN_QUEUE,
    MODES,
    OPTED_IN,
    SILENCE,
    assert_survey_ended_at_once,
    caller,
    inbound,
    opted_in,
    said,
    survey,
)

if TYPE_CHECKING:
    from tests.scenarios.conftest import Player

LOW = ("1", "2", "1")
every_mode = pytest.mark.parametrize("mode", MODES)


def test_escalation_with_a_supervisor_available_transfers_to_the_supervisor(
    play: Player,
) -> None:
    # GIVEN one supervisor available, and a low-scoring caller who asks for one
    report = play(survey(MODE_ESCALATION), [*LOW, "1"], attributes=OPTED_IN)

    # THEN availability is checked on the supervisor queue before the transfer
    steps = [action for _, action in report.call.visited]
    assert steps.index("check-supervisors") < steps.index("transfer-to-supervisor")
    assert report.call.transfers == [{"queue": SUPERVISOR_QUEUE}]
    assert report.call.callbacks == []


CALLER = "+442071838750"  # the scenario player gives every other call a number of its own


def test_escalation_with_no_supervisor_available_offers_a_callback_on_the_callback_queue(
    play: Player, texts: dict[str, str]
) -> None:
    # GIVEN no supervisor available (the queue itself has room), and a caller whose number the
    # inbound flow's eligibility check found callable
    report = play(
        survey(MODE_ESCALATION),
        [*LOW, "1", "1"],
        attributes={**OPTED_IN, NUMBER_WITHHELD_ATTRIBUTE: "false"},
        supervisors_available=0,
        caller_number=CALLER,
    )

    # THEN the caller is not queued to wait for nobody: a callback is offered and made
    assert report.call.transfers == []
    assert said(report, texts["supervisorBusy"]) == 1
    assert report.call.callbacks == [{"queue": CALLBACK_QUEUE, "number": CALLER}]
    assert report.call.prompts[-1] == texts["callbackConfirmed"]


# What a withheld number may look like in the contact's address (Connect does not say): the
# simulator's word, nothing, the carriers' keypad placeholders, a word as a carrier passes it,
# and a number too short to be real.
WITHHELD_FORMS = (
    WITHHELD,
    "",
    "+266696687",
    "+7378742833",
    "+2562533",
    "+8656696",
    "+86282452253",
    "RESTRICTED",
    "+123456",
)


@pytest.mark.parametrize("available", [0, 1])
@pytest.mark.parametrize("number", WITHHELD_FORMS)
def test_escalation_caller_with_a_withheld_number_is_never_promised_a_callback(
    play: Player, texts: dict[str, str], available: int, number: str
) -> None:
    # GIVEN a withheld caller number in any of its forms, and no supervisor (none available, or
    # a full queue), on the whole call: the inbound flow judges the number
    report = play(
        inbound(MODE_ESCALATION),
        caller(MODE_ESCALATION, *LOW, "1", "1"),
        supervisors_available=available,
        queues_at_capacity=[SUPERVISOR_QUEUE],
        caller_number=number,
    )

    # THEN the caller hears a polite alternative, never "a supervisor will call you back"
    assert report.call.attributes[NUMBER_WITHHELD_ATTRIBUTE] == "true"
    assert report.call.callbacks == []
    assert said(report, texts["supervisorBusy"]) == 0
    assert said(report, texts["callbackConfirmed"]) == 0
    assert report.call.prompts[-1] == texts["noCallback"]


def test_escalation_survey_without_the_inbound_flows_number_verdict_promises_no_callback(
    play: Player, texts: dict[str, str]
) -> None:
    # GIVEN the escalation survey run without the verdict the inbound flow stores (its
    # eligibility Lambda failed, or another flow set this disconnect flow), and no supervisor
    report = play(
        survey(MODE_ESCALATION),
        [*LOW, "1", "1"],
        attributes=OPTED_IN,
        supervisors_available=0,
        caller_number=CALLER,
    )

    # THEN nobody is promised a callback: the number was never judged
    assert report.call.callbacks == []
    assert said(report, texts["supervisorBusy"]) == 0
    assert report.call.prompts[-1] == texts["supervisorUnavailable"]


@every_mode
def test_caller_hanging_up_first_gets_no_survey_call_and_nothing_stored(
    play: Player, mode: str
) -> None:
    # GIVEN a caller who agrees to the survey, then hangs up before the agent does
    report = play(inbound(mode), caller(mode, "5", "5", "5"), hangs_up_first="caller")

    # THEN the disconnect flow runs with nobody there and ends at once
    assert report.call.transfers == [{"queue": MAIN_QUEUE}]
    assert report.call.ended_by == "caller"
    assert_survey_ended_at_once(report, mode)
    assert report.call.unused_input == ["5", "5", "5"]


def test_survey_flow_started_directly_runs_as_the_disconnect_flow_and_ends_the_second_time(
    play: Player,
) -> None:
    # GIVEN the escalation survey started on its own, and a caller who asks for a supervisor
    report = play(survey(MODE_ESCALATION), [*LOW, "1"], attributes=OPTED_IN)

    # THEN after the supervisor hangs up the same flow runs again and ends at once
    assert report.call.flows == [survey(MODE_ESCALATION), survey(MODE_ESCALATION)]
    assert_survey_ended_at_once(report, MODE_ESCALATION, first_run=False)
    assert report.survey_status == STATUS_COMPLETE


@every_mode
def test_survey_flow_started_after_the_caller_hung_up_first_ends_at_once(
    play: Player, mode: str
) -> None:
    # GIVEN the survey flow run as the disconnect flow of a call the caller ended
    report = play(survey(mode), ["5", "5", "5"], attributes=opted_in(mode), hangs_up_first="caller")

    # THEN it ends at once: the first prompt fails, and nothing after it runs
    assert report.call.flows == [survey(mode)]
    assert report.call.ended_by == "caller"
    assert_survey_ended_at_once(report, mode)


@pytest.mark.parametrize(
    ("keys", "status"),
    [
        (["5", "4", "3"], STATUS_COMPLETE),
        (["5", *[SILENCE] * 3, *[SILENCE] * 3], STATUS_PARTIAL),
        ([], STATUS_UNANSWERED),
    ],
)
@every_mode
def test_survey_status_tells_complete_partial_and_unanswered_surveys_apart(
    play: Player, mode: str, keys: list[str], status: str
) -> None:
    # GIVEN a caller who answers all, some or none of the questions
    report = play(survey(mode), keys, attributes=opted_in(mode))

    # THEN the contact attribute and the stored summary say which
    assert report.call.attributes[SURVEY_STATUS_ATTRIBUTE] == status
    assert report.survey_status == status


def test_survey_status_stays_offered_when_the_caller_hangs_up_mid_survey(play: Player) -> None:
    # GIVEN a caller who hears the survey begin and hangs up at the second question
    report = play(survey("on-demand"), ["4", "hangup"])

    # THEN the contact says the survey was offered; the first answer is kept
    assert report.call.attributes[SURVEY_STATUS_ATTRIBUTE] == STATUS_OFFERED
    assert report.survey_status is None
    assert [r["score"] for r in report.results] == ["4"]

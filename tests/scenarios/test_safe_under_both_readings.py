"""The flows under both readings of what only a live instance can settle (issue 16, §7), and the
caller who hangs up during an apology (docs/flows.md, "Safe under both readings").

(a) A prompt or input with nobody on the line takes its error branch, or is skipped to its
    NextAction: either way no score or finish call starts and nothing is stored.
(b) CheckMetricData's "no agents" arrives as NoMatchingCondition or as NoMatchingError: either way
    the caller is offered what a full supervisor queue gets.
(c) The supervisor transfer from the survey flow reaches the queue, or fails: either way the
    caller hears where they stand, and the low score's alert still reaches the supervisors.
(d) The withheld number's form is covered by test_connect_lifecycle (every known form).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from connect_survey.flows.catalog import CALLBACK_QUEUE, SUPERVISOR_QUEUE
from connect_survey.lambda_asset.survey.contract import (
    ENDED_IN_FLOW_ATTRIBUTE,
    MODE_ESCALATION,
    SURVEY_STATUS_ATTRIBUTE,
    TRUE,
)
from connect_survey.lambda_asset.survey.sampling import NUMBER_WITHHELD_ATTRIBUTE
from connect_survey.simulator.simulate import WITHHELD
from tests.scenarios.calls import (
    DEV_ALERT_CHANNELS,
    MAIN_QUEUE,
    MODES,
    OPTED_IN,
    caller,
    channels,
    inbound,
    opted_in,
    said,
    survey,
    survey_lambda_calls,
)

if TYPE_CHECKING:
    from connect_survey.simulator.simulate import Report
    from tests.scenarios.conftest import Player

READINGS = ("error", "skip")
LOW = ("1", "2", "1")
every_mode = pytest.mark.parametrize("mode", MODES)
both_readings = pytest.mark.parametrize("reading", READINGS)


def survey_runs(report: Report, mode: str) -> list[list[str]]:
    """The actions each run of the mode's survey flow visited, run by run (a run starts at the
    flow's first action, which nothing else leads back to)."""
    runs: list[list[str]] = []
    for flow, action in report.call.visited:
        if flow != survey(mode):
            continue
        if action == "enable-logging":
            runs.append([])
        runs[-1].append(action)
    return runs


def assert_nothing_started_or_stored(report: Report) -> None:
    assert survey_lambda_calls(report) == []
    assert report.results == [] and report.survey_status is None
    assert report.alerts == []


# -- (a) nobody on the line ----------------------------------------------------------------------


@both_readings
@every_mode
def test_caller_who_hangs_up_first_is_never_scored_under_either_reading(
    play: Player, mode: str, reading: str
) -> None:
    # GIVEN a caller who agrees to the survey, then hangs up before the agent does
    report = play(
        inbound(mode),
        caller(mode, "5", "5", "5"),
        hangs_up_first="caller",
        absent_participant=reading,
    )

    # THEN the survey flow runs with nobody there, and no score or finish call starts
    assert report.call.flows == [inbound(mode), survey(mode)]
    assert_nothing_started_or_stored(report)
    survey_prompts = [
        e for e in report.call.events if e.flow == survey(mode) and e.kind == "prompt"
    ]
    assert survey_prompts == []
    assert report.call.unused_input == ["5", "5", "5"]


@both_readings
@every_mode
def test_survey_flow_run_with_nobody_on_the_line_calls_no_lambda_under_either_reading(
    play: Player, mode: str, reading: str
) -> None:
    # GIVEN the survey flow run as the disconnect flow of a call the caller ended
    report = play(
        survey(mode),
        attributes=opted_in(mode),
        hangs_up_first="caller",
        absent_participant=reading,
    )

    # THEN it ends without a score or finish call, whichever way Connect treats the prompts
    assert report.call.flows == [survey(mode)]
    assert report.call.ended_by == "caller"
    assert_nothing_started_or_stored(report)
    assert report.call.visited[-1] == (survey(mode), "hang-up")


def test_a_skipped_prompt_reading_would_score_without_the_flows_gates(play: Player) -> None:
    # GIVEN the skip reading, and the survey started with nobody there
    report = play(survey("on-demand"), hangs_up_first="caller", absent_participant="skip")

    # THEN each question is "asked" into silence and stops at its gate: nothing was entered,
    # so the score Lambda is never called, and the finish gate ends the run without finish
    visited = [action for _, action in report.call.visited]
    assert "answered-effort" in visited and "score-effort" not in visited
    assert "check-caller-heard" in visited and "finish-survey" not in visited


# -- the apology: Survey_Ended_In_Flow before it -------------------------------------------------


@both_readings
@pytest.mark.parametrize(
    ("setup", "apology"),
    [
        ({"queues_at_capacity": [MAIN_QUEUE], "hang_up_during": ["queue-full"]}, "queueFull"),
        (
            {"failing_actions": ["transfer-to-queue"], "hang_up_during": ["transfer-error"]},
            "transferError",
        ),
    ],
    ids=["queue-full", "transfer-error"],
)
@every_mode
def test_caller_who_hangs_up_during_the_apology_is_not_surveyed(
    play: Player,
    texts: dict[str, str],
    mode: str,
    reading: str,
    setup: dict[str, list[str]],
    apology: str,
) -> None:
    # GIVEN a caller who accepts any offer, cannot be put through, and hangs up while the
    # apology plays
    report = play(inbound(mode), caller(mode), absent_participant=reading, **setup)

    # THEN the call was marked as ended in the flow before the apology began
    marked = next(
        i
        for i, e in enumerate(report.call.events)
        if e.kind == "attribute" and e.data["key"] == ENDED_IN_FLOW_ATTRIBUTE
    )
    spoken = next(
        i
        for i, e in enumerate(report.call.events)
        if e.kind == "prompt" and e.text == texts[apology]
    )
    assert marked < spoken
    assert report.call.attributes[ENDED_IN_FLOW_ATTRIBUTE] == TRUE
    # AND the survey flow, run with nobody there, ends at its guard: nothing else is tried
    assert report.call.ended_by == "caller"
    assert survey_runs(report, mode) == [["enable-logging", "check-ended-in-flow", "hang-up"]]
    assert_nothing_started_or_stored(report)
    assert SURVEY_STATUS_ATTRIBUTE not in report.call.attributes


# -- (b) CheckMetricData's declared errors --------------------------------------------------------


@pytest.mark.parametrize("no_agents", ["NoMatchingCondition", "NoMatchingError"])
def test_no_supervisor_free_offers_a_callback_whichever_error_connect_raises(
    play: Player, texts: dict[str, str], no_agents: str
) -> None:
    # GIVEN no supervisor available, reported as a result no condition matches, or as an error
    failing = ["check-supervisors"] if no_agents == "NoMatchingError" else []
    report = play(
        survey(MODE_ESCALATION),
        [*LOW, "1", "1"],
        attributes={**OPTED_IN, NUMBER_WITHHELD_ATTRIBUTE: "false"},
        supervisors_available=0,
        failing_actions=failing,
    )

    # THEN the caller is not queued for nobody: the callback is offered and made either way
    [check] = [
        e for e in report.call.events if e.action == "check-supervisors" and "error" in e.data
    ]
    assert check.data["error"] == no_agents
    assert report.call.transfers == []
    assert said(report, texts["supervisorBusy"]) == 1
    assert [callback["queue"] for callback in report.call.callbacks] == [CALLBACK_QUEUE]


# -- (c) the supervisor transfer from the survey flow ---------------------------------------------


def test_supervisor_transfer_that_reaches_the_queue_ends_the_survey_after_the_supervisor(
    play: Player,
) -> None:
    report = play(survey(MODE_ESCALATION), [*LOW, "1"], attributes=OPTED_IN)

    assert report.call.transfers == [{"queue": SUPERVISOR_QUEUE}]
    assert survey_runs(report, MODE_ESCALATION)[-1] == [
        "enable-logging",
        "check-ended-in-flow",
        "check-opt-in",
        "hang-up",
    ]
    assert channels(report) == DEV_ALERT_CHANNELS


@pytest.mark.parametrize(
    ("number", "verdict", "heard"),
    [
        ("+442071838750", "false", "supervisorBusy"),
        (WITHHELD, "true", "noCallback"),
        ("+442071838750", None, "supervisorUnavailable"),
    ],
    ids=["callable", "withheld", "not-judged"],
)
def test_supervisor_transfer_that_fails_leaves_the_caller_a_sensible_outcome(
    play: Player, texts: dict[str, str], number: str, verdict: str | None, heard: str
) -> None:
    # GIVEN a low-scoring caller who asks for a supervisor, and a transfer Connect refuses from
    # the disconnect flow
    judged = {NUMBER_WITHHELD_ATTRIBUTE: verdict} if verdict is not None else {}
    report = play(
        survey(MODE_ESCALATION),
        [*LOW, "1", "2"],
        attributes={**OPTED_IN, **judged},
        caller_number=number,
        failing_actions=["transfer-to-supervisor"],
    )

    # THEN the caller hears a callback offer (a callable number), that no callback is possible
    # (withheld), or that a supervisor could not be reached (never judged), never silence
    assert report.call.transfers == []
    assert said(report, texts[heard]) == 1
    assert report.call.callbacks == []
    # AND the low score's alert goes out regardless: a supervisor follows up
    assert channels(report) == DEV_ALERT_CHANNELS

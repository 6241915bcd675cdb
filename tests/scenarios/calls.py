"""Callers for the scenario tests: key scripts, small readers of a report, and the curated calls
the flow-coverage test plays.

Key scripts are what `connect-survey simulate --keys` takes, one entry per input the flows ask
for: digits ("4", "77#"), "timeout" (silence) or "hangup".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from connect_survey.flows.catalog import FINISH_FUNCTION, SCORE_FUNCTION, SUPERVISOR_QUEUE
from connect_survey.lambda_asset.survey.contract import (
    ELIGIBILITY_FUNCTION,
    MODE_ESCALATION,
    MODE_ON_DEMAND,
    MODE_OPT_IN,
    OPT_IN_ACCEPTED,
    OPT_IN_ATTRIBUTE,
    OPT_IN_COMPLETE,
    SURVEY_STATUS_ATTRIBUTE,
)
from connect_survey.simulator.simulate import STUB_ERROR, STUB_TIMEOUT, WITHHELD, CallSetup

if TYPE_CHECKING:
    from connect_survey.simulator.simulate import Report

MODES = (MODE_ON_DEMAND, MODE_OPT_IN, MODE_ESCALATION)
OPT_IN_MODES = (MODE_OPT_IN, MODE_ESCALATION)
OPTED_IN = {OPT_IN_ATTRIBUTE: OPT_IN_ACCEPTED}
SURVEY_DONE = {OPT_IN_ATTRIBUTE: OPT_IN_COMPLETE}
# The default survey's questions, in order (lambdas/survey/definition.py).
SCORE_ATTRIBUTES = ("EffortScore", "PromoterScore", "SatisfactionScore")
MAIN_QUEUE = "sales"  # menu digit 1 in every stage: the first option, where silence leads
HANG_UP = "hangup"
SILENCE = "timeout"
# What a low score sends in dev, whose followUp section turns the task channel on.
DEV_ALERT_CHANNELS = ["eventbridge", "sns", "task"]

# Effort: 9 then 4; recommend: 0, 6, 77# (skipped); satisfaction: * then 3.
INVALID_THEN_VALID = ("9", "4", "0", "6", "77#", "*", "3")

SCORE_FAILS = f"-{SCORE_FUNCTION}={STUB_ERROR}"
FINISH_TIMES_OUT = f"-{FINISH_FUNCTION}={STUB_TIMEOUT}"
ELIGIBILITY_FAILS = f"-{ELIGIBILITY_FUNCTION}={STUB_ERROR}"


def inbound(mode: str) -> str:
    return f"{mode}-inbound"


def survey(mode: str) -> str:
    return f"{mode}-survey"


def caller(mode: str, *then: str, menu: str | tuple[str, ...] = "1", offer: str = "1") -> list[str]:
    """Keys for an inbound call: the menu choice (one entry per menu prompt), the survey offer
    where the mode has one, then `then` (answers, supervisor offer, callback offer)."""
    menu_keys = [menu] if isinstance(menu, str) else list(menu)
    return [*menu_keys, *([offer] if mode in OPT_IN_MODES else []), *then]


def opted_in(mode: str) -> dict[str, str]:
    """Attributes that let `mode`'s survey flow run on its own (on-demand needs none)."""
    return dict(OPTED_IN) if mode in OPT_IN_MODES else {}


def said(report: Report, text: str) -> int:
    """How many times the caller heard `text` (as a whole prompt or inside one)."""
    return sum(text in prompt for prompt in report.call.prompts)


def calls_to(report: Report, function: str) -> list[dict[str, Any]]:
    """The call's invocations of one of the project's Lambdas (`score` or `finish`)."""
    return [
        invocation
        for invocation in report.call.lambda_invocations
        if invocation["function"].endswith(f"-{function}")
    ]


def assert_survey_ended_at_once(report: Report, mode: str, *, first_run: bool = True) -> None:
    """The last run of the mode's survey flow had nobody there: no prompt, no Lambda call; and
    when it was the only run (`first_run`), nothing at all was stored for the contact."""
    starts = [
        i
        for i, event in enumerate(report.call.events)
        if event.kind == "flow" and event.flow == survey(mode)
    ]
    assert starts, f"{survey(mode)} never ran"
    last_run = report.call.events[starts[-1] + 1 :]
    assert [e.action for e in last_run if e.kind == "prompt"] == []
    assert [e.action for e in last_run if e.kind == "lambda"] == []
    assert last_run[-1].text == "the flow hangs up"
    if first_run:
        assert survey_lambda_calls(report) == []
        assert report.results == [] and report.survey_status is None
        assert SURVEY_STATUS_ATTRIBUTE not in report.call.attributes


def finish_response(report: Report) -> dict[str, str]:
    [finish] = calls_to(report, FINISH_FUNCTION)
    response: dict[str, str] = finish["response"]
    return response


def channels(report: Report) -> list[str]:
    """The alert channels that carried an alert for this call, sorted."""
    return sorted(alert["channel"] for alert in report.alerts)


@dataclass(frozen=True)
class Scenario:
    """One curated call: which flow it starts in, and what the caller and the world do."""

    name: str
    flow: str
    setup: CallSetup

    @property
    def forced(self) -> bool:
        """Whether it needs a stubbed Lambda or a failing block to take its path."""
        return bool(self.setup.stubs or self.setup.failing_actions)


def _mode_scenarios(mode: str) -> list[Scenario]:
    start, disconnect = inbound(mode), survey(mode)
    return [
        Scenario(
            f"{mode}: menu 2, happy caller", start, CallSetup(caller(mode, "5", "4", "5", menu="2"))
        ),
        Scenario(
            f"{mode}: silent at the menu twice, invalid answers, one question skipped",
            start,
            CallSetup(caller(mode, *INVALID_THEN_VALID, menu=(SILENCE, SILENCE))),
        ),
        Scenario(
            f"{mode}: caller hangs up mid-survey", start, CallSetup(caller(mode, "4", HANG_UP))
        ),
        Scenario(
            f"{mode}: main queue full", start, CallSetup(["1"], queues_at_capacity=[MAIN_QUEUE])
        ),
        Scenario(
            f"{mode}: transfer fails",
            start,
            CallSetup(caller(mode), failing_actions=["transfer-to-queue"]),
        ),
        Scenario(
            f"{mode}: eligibility Lambda fails (onError offer)",
            start,
            CallSetup(caller(mode, "5", "4", "5"), stubs=[ELIGIBILITY_FAILS]),
        ),
        Scenario(
            f"{mode}: score Lambda fails",
            disconnect,
            CallSetup(["4"] * 9, attributes=opted_in(mode), stubs=[SCORE_FAILS]),
        ),
        Scenario(
            f"{mode}: finish Lambda times out",
            disconnect,
            CallSetup(["1", "1", "1"], attributes=opted_in(mode), stubs=[FINISH_TIMES_OUT]),
        ),
    ]


def _opt_in_scenarios(mode: str) -> list[Scenario]:
    start = inbound(mode)
    return [
        Scenario(f"{mode}: survey declined", start, CallSetup(caller(mode, offer="2"))),
        Scenario(
            f"{mode}: silent at the survey offer", start, CallSetup(caller(mode, offer=SILENCE))
        ),
    ]


def _escalation_scenarios() -> list[Scenario]:
    start, disconnect = inbound(MODE_ESCALATION), survey(MODE_ESCALATION)
    low = ("1", "2", "1")
    busy = [SUPERVISOR_QUEUE]
    return [
        Scenario(
            "escalation: supervisor accepted", start, CallSetup(caller(MODE_ESCALATION, *low, "1"))
        ),
        Scenario(
            "escalation: supervisor declined", start, CallSetup(caller(MODE_ESCALATION, *low, "2"))
        ),
        Scenario(
            "escalation: supervisors busy, callback accepted",
            start,
            CallSetup(caller(MODE_ESCALATION, *low, "1", "1"), queues_at_capacity=busy),
        ),
        Scenario(
            "escalation: supervisors busy, callback declined",
            start,
            CallSetup(caller(MODE_ESCALATION, *low, "1", "2"), queues_at_capacity=busy),
        ),
        Scenario(
            "escalation: supervisor queue cannot be set",
            disconnect,
            CallSetup([*low, "1"], attributes=OPTED_IN, failing_actions=["target-supervisor"]),
        ),
        Scenario(
            "escalation: callback cannot be created",
            disconnect,
            CallSetup(
                [*low, "1", "1"],
                attributes=OPTED_IN,
                queues_at_capacity=busy,
                failing_actions=["create-callback"],
            ),
        ),
        Scenario(
            "escalation: no supervisor free, caller number withheld",
            start,
            CallSetup(
                caller(MODE_ESCALATION, *low, "1"), supervisors_available=0, caller_number=WITHHELD
            ),
        ),
        Scenario(
            "escalation: no supervisor free, the inbound flow's number verdict missing",
            disconnect,
            CallSetup([*low, "1"], attributes=OPTED_IN, supervisors_available=0),
        ),
        Scenario(
            "escalation: survey already complete", disconnect, CallSetup(attributes=SURVEY_DONE)
        ),
    ]


def coverage_scenarios() -> list[Scenario]:
    """The curated calls that, together, visit every action of the six rendered flows."""
    plays = [scenario for mode in MODES for scenario in _mode_scenarios(mode)]
    plays += [scenario for mode in OPT_IN_MODES for scenario in _opt_in_scenarios(mode)]
    return plays + _escalation_scenarios()


def survey_lambda_calls(report: Report) -> list[dict[str, Any]]:
    """The call's Lambda invocations on the survey path (the inbound eligibility check left out)."""
    eligibility = f":function:{report.sandbox.stage.resource_name(ELIGIBILITY_FUNCTION)}"
    return [
        invocation
        for invocation in report.call.lambda_invocations
        if not str(invocation["function"]).endswith(eligibility)
    ]

"""What the docs leave open, played both ways: a participant action with nobody on the line takes
its error branch or is skipped to NextAction; and a caller who hangs up while a prompt plays."""

from __future__ import annotations

from typing import Any

import pytest

from connect_survey.flow_language.engine import Flow, Simulation
from tests.flow_language.fixtures.flowdocs import action, flow, say

SURVEY_ARN = "arn:aws:connect:us-east-1:123456789012:instance/i/contact-flow/survey"

# Each participant action leads to "reached-by-next" on success and "reached-by-error" on error.
NOBODY_THERE = flow(
    action(
        "hello",
        "MessageParticipant",
        {"Text": "Hello."},
        next_action="menu",
        errors=[("NoMatchingError", "reached-by-error")],
    ),
    action(
        "menu",
        "GetParticipantInput",
        {"Text": "Press 1.", "StoreInput": "False", "InputTimeLimitSeconds": "5"},
        next_action="ask",
        conditions=[("Equals", "1", "reached-by-error")],
        errors=[
            ("InputTimeLimitExceeded", "reached-by-error"),
            ("NoMatchingCondition", "reached-by-error"),
            ("NoMatchingError", "reached-by-error"),
        ],
    ),
    action(
        "ask",
        "GetParticipantInput",
        {
            "Text": "Rate us.",
            "StoreInput": "True",
            "InputTimeLimitSeconds": "5",
            "InputValidation": {"CustomValidation": {"MaximumLength": "1"}},
        },
        next_action="reached-by-next",
        errors=[("NoMatchingError", "reached-by-error")],
    ),
    action(
        "reached-by-next",
        "UpdateContactAttributes",
        {"Attributes": {"Stored": "$.StoredCustomerInput"}},
    ),
    action("reached-by-error", "UpdateContactAttributes", {"Attributes": {"Error": "yes"}}),
)


def nobody_on_the_line(reading: str) -> Any:
    simulation = Simulation(
        flows={SURVEY_ARN: Flow("survey", NOBODY_THERE)},
        hangs_up_first="caller",
        absent_participant=reading,  # type: ignore[arg-type]
    )
    return simulation.run(
        Flow("survey", NOBODY_THERE), inputs=["1", "4"], disconnect_flow=SURVEY_ARN
    )


def test_with_nobody_on_the_line_a_prompt_takes_its_error_branch_by_default() -> None:
    result = nobody_on_the_line("error")
    assert [step for _, step in result.visited] == ["hello", "reached-by-error", "hang-up"]
    assert result.prompts == [] and result.unused_input == ["1", "4"]


def test_with_nobody_on_the_line_the_skip_reading_goes_on_by_next_action_and_stores_nothing() -> (
    None
):
    result = nobody_on_the_line("skip")

    # THEN every participant action is passed over to its NextAction, menu and stored input alike
    assert [step for _, step in result.visited] == [
        "hello",
        "menu",
        "ask",
        "reached-by-next",
        "hang-up",
    ]
    # AND nothing was heard, no key was taken, and no input was stored
    assert result.prompts == [] and result.unused_input == ["1", "4"]
    assert result.attributes == {"Stored": ""}


def test_an_unknown_reading_is_refused() -> None:
    with pytest.raises(ValueError, match="absent_participant must be error or skip"):
        Simulation(absent_participant="maybe")  # type: ignore[arg-type]


INBOUND = flow(
    action(
        "set-survey",
        "UpdateContactEventHooks",
        {"EventHooks": {"CustomerRemaining": SURVEY_ARN}},
        next_action="sorry",
    ),
    say("sorry", "We are sorry, all agents are busy.", next_action="mark"),
    action("mark", "UpdateContactAttributes", {"Attributes": {"Ended": "true"}}),
)
SURVEY = flow(say("thanks", "Thanks for staying on the line."))


def test_caller_who_hangs_up_during_a_prompt_ends_the_flow_there() -> None:
    simulation = Simulation(flows={SURVEY_ARN: Flow("survey", SURVEY)}, hang_up_during=["sorry"])

    result = simulation.run(Flow("inbound", INBOUND))

    # THEN the prompt began, nothing after it ran, and the disconnect flow ran with nobody there
    assert result.prompts == ["We are sorry, all agents are busy."]
    assert ("inbound", "mark") not in result.visited
    assert "Ended" not in result.attributes
    assert result.flows == ["inbound", "survey"]
    assert result.ended_by == "caller"
    assert [step for flow_name, step in result.visited if flow_name == "survey"] == [
        "thanks",
        "hang-up",
    ]

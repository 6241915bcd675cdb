"""The Flow Language spec: the linter and the simulator know exactly the types it describes."""

from __future__ import annotations

import pytest

from connect_survey.flow_language.engine import (
    ACTIONS,
    Flow,
    InvalidFlowError,
    Simulation,
    UnsupportedActionError,
)
from connect_survey.flow_language.lint import checked_types, lint
from connect_survey.flow_language.spec import ACTION_TYPES, NO_MATCHING_ERROR, Range, whole_number
from tests.flow_language.fixtures.flowdocs import action, flow, hang_up, say


def test_every_spec_type_has_a_simulator_function_and_nothing_else_does() -> None:
    assert set(ACTIONS) == set(ACTION_TYPES)


def test_every_spec_type_with_parameters_has_its_own_lint_rule() -> None:
    # GIVEN the types whose parameters the spec lists
    with_parameters = {name for name, spec in ACTION_TYPES.items() if spec.parameters}
    # THEN the linter checks each of them, and names no type the spec lacks
    assert with_parameters <= checked_types() <= set(ACTION_TYPES)


@pytest.mark.parametrize("name", sorted(ACTION_TYPES))
def test_spec_limits_and_choices_name_parameters_of_their_type(name: str) -> None:
    spec = ACTION_TYPES[name]
    assert NO_MATCHING_ERROR in spec.errors
    nested = {"MaximumLength": "InputValidation", "ResponseType": "ResponseValidation"}
    for parameter in [*spec.limits, *spec.choices]:
        assert nested.get(parameter, parameter) in spec.parameters


def test_linter_and_simulator_both_reject_a_type_the_spec_lacks() -> None:
    # GIVEN a flow starting with an action type the spec does not describe
    document = flow(action("ring", "RingBell"), hang_up())
    # WHEN it is linted THEN the type is reported
    assert [f.message for f in lint(document, "odd") if f.rule == "action-type"] == [
        "unknown action type 'RingBell'"
    ]
    # WHEN it is simulated THEN the simulator names the flow and action
    with pytest.raises(UnsupportedActionError, match="odd: ring: action type 'RingBell'"):
        Simulation().run(Flow("odd", document))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("8", 8), (" 8", 8), ("-1", -1), (True, None), ("8.0", None), (None, None)],
)
def test_whole_number_reads_numbers_and_digit_strings_only(
    value: object, expected: int | None
) -> None:
    assert whole_number(value) == expected


def test_range_holds_whole_numbers_within_its_bounds() -> None:
    assert 1 in Range(1, 8) and 8 in Range(1, 8) and 10**9 in Range(1)
    assert 0 not in Range(1, 8) and 9 not in Range(1, 8) and None not in Range(1)


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ({"Parameters": []}, "Parameters must be an object (may be empty)"),
        ({"Transitions": None}, "Transitions must be an object (may be empty)"),
        ({"Type": 3}, "Type must be a string"),
        ({"Transitions": {"NextAction": ""}}, "Transitions.NextAction must be an action id"),
        (
            {"Transitions": {"NextAction": "hang-up", "Errors": [{"ErrorType": 3}]}},
            "Transitions.Errors must be a list of {NextAction, ErrorType}",
        ),
        (
            {"Transitions": {"Conditions": [{"NextAction": "hang-up", "Condition": "1"}]}},
            "Transitions.Conditions must be a list of {NextAction, Condition}",
        ),
    ],
    ids=["parameters", "transitions", "type", "next-action", "errors", "conditions"],
)
def test_linter_and_simulator_refuse_the_same_malformed_action(
    broken: dict[str, object], expected: str
) -> None:
    # GIVEN a flow whose first action is malformed in one way
    document = flow({**say("greet", "Hello"), **broken})
    # WHEN it is linted THEN action-shape names the problem
    assert [(f.action, f.message) for f in lint(document, "tiny") if f.rule == "action-shape"] == [
        ("greet", expected)
    ]
    # WHEN it is loaded for the simulator THEN it is refused with the same words
    with pytest.raises(InvalidFlowError) as raised:
        Flow("tiny", document)
    assert str(raised.value) == f"tiny: greet: {expected}"


def test_linter_and_simulator_refuse_an_action_without_identifier() -> None:
    document = flow(say("greet", "Hello"), {"Type": "MessageParticipant"})
    assert [f.message for f in lint(document, "tiny") if f.rule == "action-shape"] == [
        "Actions[1] needs a non-empty string Identifier"
    ]
    with pytest.raises(InvalidFlowError, match=r"^tiny: Actions\[1\]: needs a non-empty string"):
        Flow("tiny", document)

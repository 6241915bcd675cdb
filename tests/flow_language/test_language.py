"""The Flow Language spec: the linter and the simulator know exactly the types it describes."""

from __future__ import annotations

import pytest

from connect_survey.flow_language.checks import CHECKS
from connect_survey.flow_language.constraints import Constraint, Parameter, Range
from connect_survey.flow_language.engine import ACTIONS, Flow, InvalidFlowError
from connect_survey.flow_language.lint import RULES, errors, lint
from connect_survey.flow_language.spec import ACTION_TYPES, NO_MATCHING_ERROR, whole_number
from tests.flow_language.fixtures.flowdocs import action, flow, hang_up, say


def test_every_spec_type_has_a_simulator_function_and_nothing_else_does() -> None:
    assert set(ACTIONS) == set(ACTION_TYPES)


def test_every_kind_of_constraint_has_one_check_and_one_lint_rule() -> None:
    # GIVEN the kinds of constraint the spec can declare
    classes = [*Constraint.__subclasses__(), *Parameter.__subclasses__()]
    kinds = {cls.kind for cls in classes if "kind" in vars(cls)}
    # THEN each has its check, and the linter reports each as a rule of that id and severity
    assert set(CHECKS) == kinds
    assert {(r.name, r.severity) for r in RULES if r.name in kinds} == {
        (check.kind, check.severity) for check in CHECKS.values()
    }


@pytest.mark.parametrize("name", sorted(ACTION_TYPES))
def test_spec_constraints_name_parameters_of_their_type(name: str) -> None:
    spec = ACTION_TYPES[name]
    assert all(NO_MATCHING_ERROR in form.allowed_errors for form in spec.forms)
    for constraint in spec.all_constraints:
        for path in getattr(constraint, "names", (getattr(constraint, "name", None),)):
            assert path is None or path.split(".")[0] in spec.parameters, (name, constraint)


def test_linter_and_simulator_both_reject_a_type_the_spec_lacks() -> None:
    # GIVEN a flow starting with an action type the spec does not describe
    document = flow(action("ring", "RingBell"), hang_up())
    # WHEN it is linted THEN the type is reported
    assert [f.message for f in lint(document, "odd") if f.rule == "action-type"] == [
        "unknown action type 'RingBell'"
    ]
    # WHEN it is loaded for the simulator THEN it is refused under the same rule
    with pytest.raises(InvalidFlowError, match=r"^odd: ring: action-type: unknown action type"):
        Flow("odd", document)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), ("8", 8), (" 8", 8), ("-1", -1), (True, None), ("8.0", None), (None, None)],
)
def test_whole_number_reads_numbers_and_digit_strings_only(
    value: object, expected: int | None
) -> None:
    assert whole_number(value) == expected


def test_range_holds_whole_numbers_within_its_bounds() -> None:
    one_to_eight, positive = Range("Seconds", 1, 8), Range("Count", 1)
    assert 1 in one_to_eight and 8 in one_to_eight and 10**9 in positive
    assert 0 not in one_to_eight and 9 not in one_to_eight and None not in positive
    assert True not in positive


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
    # WHEN it is loaded for the simulator THEN it is refused under the same rule, same words
    with pytest.raises(InvalidFlowError) as raised:
        Flow("tiny", document)
    assert str(raised.value).startswith(f"tiny: greet: action-shape: {expected}")
    assert raised.value.findings == errors(lint(document, "tiny"))


def test_linter_and_simulator_refuse_an_action_without_identifier() -> None:
    document = flow(say("greet", "Hello"), {"Type": "MessageParticipant"})
    assert [f.message for f in lint(document, "tiny") if f.rule == "action-shape"] == [
        "Actions[1] needs a non-empty string Identifier"
    ]
    with pytest.raises(
        InvalidFlowError, match=r"^tiny: \(flow\): action-shape: Actions\[1\] needs a non-empty"
    ):
        Flow("tiny", document)

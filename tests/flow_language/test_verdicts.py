"""The linter and the simulator give the same verdict on every mutant document.

Both reject it naming the same rule, or both accept it; an accepted flow then plays to its end
(or to a missing branch a warning named) without the simulator finding fault with it. The mutants
are the linter tests' documents, and one per constraint the spec declares on each action of the
every-action-type fixture, broken by a mutator for its kind.
"""

from __future__ import annotations

import contextlib
import copy
from typing import TYPE_CHECKING, Any

import pytest

from connect_survey.flow_language.checks import CHECKS
from connect_survey.flow_language.constraints import (
    Choice,
    Conditions,
    Constraint,
    OneOf,
    Range,
    RequiredBranches,
)
from connect_survey.flow_language.engine import DeadEndError, Flow, InvalidFlowError, Simulation
from connect_survey.flow_language.lint import errors, lint
from connect_survey.flow_language.spec import ACTION_TYPES, MISSING, constraints, value_at
from tests.flow_language.fixtures.flowdocs import flow, load, say
from tests.flow_language.fixtures.mutants import AGENTS, CASES, MALFORMED, changed, conditioned

if TYPE_CHECKING:
    from collections.abc import Callable


def linter_verdict(document: Any) -> list[str]:
    """The rule ids of the linter's error findings, in its order ([] when it accepts)."""
    return [finding.rule for finding in errors(lint(document, "mutant"))]


def engine_verdict(document: Any) -> list[str]:
    """The rule ids the simulator refuses the flow with ([] when it plays it)."""
    try:
        start = Flow("mutant", document)
    except InvalidFlowError as refused:
        assert refused.rule == refused.findings[0].rule
        assert str(refused).startswith(str(refused.findings[0]))
        return [finding.rule for finding in refused.findings]
    other = Flow("other", flow(say("other", "Another flow.")))
    simulation = Simulation(
        functions=lambda arn: lambda event, context: {"valid": "true", "score": "4"},
        flows=lambda reference: other,
    )
    # A branch the flow lacks, which a warning named, stops the call there.
    with contextlib.suppress(DeadEndError):
        simulation.run(start, attributes={"name": "Ann"})
    return []


DOCUMENTS = {
    **{f"{case.rule}-{i}-valid": case.valid for i, case in enumerate(CASES)},
    **{f"{case.rule}-{i}-broken": case.broken for i, case in enumerate(CASES)},
    **{f"malformed-{name}": document for name, document in MALFORMED.items()},
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_linter_and_engine_agree_on_every_mutant_of_the_linter_tests(document: Any) -> None:
    assert engine_verdict(document) == linter_verdict(document)


def test_the_mutants_include_rejected_and_accepted_documents() -> None:
    verdicts = [bool(linter_verdict(document)) for document in DOCUMENTS.values()]
    assert verdicts.count(True) > 50 and verdicts.count(False) > 50


# -- one mutant per constraint of the spec ---------------------------------------------------------

ANY_ERROR = ("ParticipantNotFound", "QueueAtCapacity")


def put(parameters: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for key in parents:
        parameters = parameters.setdefault(key, {})
    parameters[name] = value


def drop(transitions: dict[str, Any], *keys: str) -> None:
    for key in keys:
        transitions.pop(key, None)


def add_condition(action: dict[str, Any], operator: str, operand: str) -> None:
    condition = {"Operator": operator, "Operands": [operand]}
    action["Transitions"].setdefault("Conditions", []).append(
        {"NextAction": "hang-up", "Condition": condition}
    )


def break_one_of(constraint: OneOf, action: dict[str, Any]) -> None:
    given = [value_at(action["Parameters"], name)[1] for name in constraint.names]
    value = next((found for found in given if found is not MISSING), "x")
    for name in constraint.names:
        put(action["Parameters"], name, copy.deepcopy(value))


def break_range(constraint: Range, action: dict[str, Any]) -> None:
    high = constraint.high
    put(action["Parameters"], constraint.name, high + 1 if high is not None else constraint.low - 1)


def break_enum(constraint: Choice, action: dict[str, Any]) -> None:
    put(action["Parameters"], constraint.name, ["Bogus"] if constraint.many else "Bogus")


def break_results(constraint: Constraint, action: dict[str, Any]) -> None:
    action["Transitions"]["Conditions"] = []
    add_condition(action, "Equals", "Bogus")


def break_conditions(constraint: Conditions, action: dict[str, Any]) -> None:
    add_condition(action, "TextContains", "x")


def break_branches(constraint: RequiredBranches, action: dict[str, Any]) -> None:
    leaving = {"next": ("NextAction",), "conditions": ("Conditions",), "errors": ("Errors",)}
    drop(action["Transitions"], *leaving.get(constraint.leaves_by, ()))
    action["Transitions"]["Errors"] = [
        branch
        for branch in action["Transitions"].get("Errors", [])
        if branch["ErrorType"] not in constraint.errors
    ]


def add_forbidden_error(constraint: Any, action: dict[str, Any]) -> None:
    error = next(name for name in ANY_ERROR if name not in constraint.errors)
    action["Transitions"].setdefault("Errors", []).append(
        {"NextAction": "hang-up", "ErrorType": error}
    )


MUTATORS: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "one-of": break_one_of,
    "string": lambda c, a: put(a["Parameters"], c.name, ""),
    "enum": break_enum,
    "range": break_range,
    "json-path": lambda c, a: put(a["Parameters"], c.name, "static"),
    "string-map": lambda c, a: put(a["Parameters"], c.name, {"key": 1}),
    "one-entry": lambda c, a: put(a["Parameters"], c.name, dict.fromkeys(sorted(c.keys), "x")),
    "pattern": lambda c, a: put(a["Parameters"], c.name, "not keys"),
    "object": lambda c, a: put(a["Parameters"], c.name, "x"),
    "results": break_results,
    "conditions": break_conditions,
    "percentages": lambda c, a: add_condition(a, "NumberLessThan", "2"),
    "dead-end": break_branches,
    "forbidden-branch": add_forbidden_error,
    "console-next-action": lambda c, a: drop(a["Transitions"], "NextAction"),
}
"""Constraint kind → how to break one constraint of that kind on an action, in place."""

EVERY = load("every-action-type")
QUEUE_METRIC = flow(
    conditioned(changed(AGENTS, MetricType="NumberOfContactsInQueue"), ("NumberLessThan", "5"))
)
BASES = {"every": EVERY, "queue-metric": QUEUE_METRIC}
"""Clean flows holding an action of every type in every form."""


def breakable(constraint: Constraint) -> bool:
    """Whether a constraint can be broken (a terminal action needs no branch at all)."""
    return not (isinstance(constraint, RequiredBranches) and constraint.leaves_by == "end")


def spec_mutants() -> dict[str, tuple[str, dict[str, Any]]]:
    """`id` → (kind, a base flow with one constraint of one action broken)."""
    found = {}
    for base_name, base in BASES.items():
        for index, action in enumerate(base["Actions"]):
            for number, constraint in enumerate(filter(breakable, constraints(action))):
                document = copy.deepcopy(base)
                MUTATORS[constraint.kind](constraint, document["Actions"][index])
                name = f"{base_name}-{action['Identifier']}-{number}-{constraint.kind}"
                found[name] = (constraint.kind, document)
    return found


SPEC_MUTANTS = spec_mutants()


def test_every_kind_of_constraint_has_a_mutator() -> None:
    assert set(MUTATORS) == set(CHECKS)


def test_the_bases_hold_every_constraint_the_spec_declares() -> None:
    # GIVEN every constraint of every form of every action type
    declared = {(name, c) for name, spec in ACTION_TYPES.items() for c in spec.all_constraints}
    # THEN the base flows have an action on which each of them is broken
    held = {
        (action["Type"], c)
        for base in BASES.values()
        for action in base["Actions"]
        for c in constraints(action)
    }
    assert {(name, c) for name, c in declared if breakable(c)} <= held


@pytest.mark.parametrize(("kind", "document"), SPEC_MUTANTS.values(), ids=SPEC_MUTANTS.keys())
def test_a_broken_constraint_is_reported_by_its_kind_and_both_agree(
    kind: str, document: dict[str, Any]
) -> None:
    # GIVEN a clean flow with one declared constraint broken
    # WHEN it is linted THEN the rule of that kind reports it, at its severity
    findings = [f for f in lint(document, "mutant") if f.rule == kind]
    assert findings and {f.severity for f in findings} == {CHECKS[kind].severity}
    # AND the simulator gives the linter's verdict: refused under that rule, or played
    verdict = engine_verdict(document)
    assert verdict == linter_verdict(document)
    assert (kind in verdict) == (CHECKS[kind].severity == "error")


@pytest.mark.parametrize("base", BASES.values(), ids=BASES.keys())
def test_the_bases_lint_clean_and_play(base: dict[str, Any]) -> None:
    assert lint(base, "base") == [] and engine_verdict(base) == []

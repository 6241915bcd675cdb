"""One check per kind of constraint, shared by the linter and the simulator.

`CHECKS` maps each kind (`constraints.Constraint.kind`, also the lint rule's id) to one small
function with one signature, `check(constraint, action)`, yielding what is wrong, as
python-jsonschema maps a keyword to its validator function. `problems(action)` runs the check of
every constraint the spec declares for the action. The linter reports each kind as one rule
(`lint.actions`); the simulator refuses any flow the linter rejects with an error, and checks a
value it resolves at run time with the same function the linter checks a static one with
(`out_of_range`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from connect_survey.flow_language import constraints as kinds
from connect_survey.flow_language.spec import (
    MISSING,
    NO_MATCHING_ERROR,
    OPERATORS,
    conditions,
    constraints,
    entries,
    error_types,
    is_object,
    is_path,
    is_text,
    operand,
    parameters,
    stores_input,
    transitions,
    value_at,
    whole_number,
)

Severity = Literal["error", "warning"]
C = TypeVar("C", bound=kinds.Constraint)
Action = Mapping[str, Any]
CheckFunction = Callable[[Any, Action], Iterator[str]]
CheckOf = Callable[[C, Action], Iterator[str]]


@dataclass(frozen=True)
class Check:
    """A registered check: the kind it enforces, its function, and how bad a finding is."""

    kind: str
    function: CheckFunction
    severity: Severity


CHECKS: dict[str, Check] = {}
"""Constraint kind → its check, in the order the linter reports them."""


def check(
    constraint: type[C], *, severity: Severity = "error"
) -> Callable[[CheckOf[C]], CheckOf[C]]:
    """Register the decorated function as the check of `constraint`'s kind."""

    def register(function: CheckOf[C]) -> CheckOf[C]:
        if constraint.kind in CHECKS:
            raise ValueError(f"constraint kind {constraint.kind!r} has two checks")
        CHECKS[constraint.kind] = Check(constraint.kind, function, severity)
        return function

    return register


def problems(action: Action) -> Iterator[tuple[str, str]]:
    """What is wrong with an action of a known type: (kind, message) for every constraint the
    spec declares on it, in the order declared."""
    for constraint in constraints(action):
        for message in CHECKS[constraint.kind].function(constraint, action):
            yield constraint.kind, message


def _shown(value: Any) -> str:
    return "nothing" if value is MISSING else repr(value)


def _either(values: tuple[str, ...]) -> str:
    """`A`, `A or B`, or `one of A, B, C`."""
    if len(values) <= 2:
        return " or ".join(values)
    return f"one of {', '.join(values)}"


def _read(action: Action, name: str, *, required: bool) -> tuple[bool, Any]:
    """Whether the parameter `name` is to be checked, and its value."""
    present, value = value_at(parameters(action), name)
    return present and (required or value is not MISSING), value


# -- parameters -----------------------------------------------------------------------------------


@check(kinds.OneOf)
def one_of(constraint: kinds.OneOf, action: Action) -> Iterator[str]:
    given = [n for n in constraint.names if value_at(parameters(action), n)[1] is not MISSING]
    if len(given) > 1 or (constraint.required and not given):
        how = "exactly" if constraint.required else "at most"
        names = ", ".join(constraint.names)
        yield f"give {how} one of {names} (got {', '.join(given) or 'none'})"


@check(kinds.String)
def string(constraint: kinds.String, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=constraint.required)
    if checked and not is_text(value):
        yield f"{constraint.name} must be a non-empty string, got {_shown(value)}"


@check(kinds.Choice)
def enum(constraint: kinds.Choice, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=constraint.default is None)
    if not checked:
        return
    allowed = constraint.values
    if constraint.many:
        if not isinstance(value, list) or not all(item in allowed for item in value):
            yield f"{constraint.name} must be a list of {', '.join(allowed)}, got {_shown(value)}"
    elif value not in allowed:
        yield f"{constraint.name} must be {_either(allowed)}, got {_shown(value)}"


@check(kinds.Range)
def within(constraint: kinds.Range, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=constraint.required)
    if checked and not (constraint.dynamic and is_path(value)):
        problem = out_of_range(constraint, value)
        if problem is not None:
            yield problem


def out_of_range(constraint: kinds.Range, value: Any) -> str | None:
    """Why `value` is not a whole number within the range, or None when it is."""
    if whole_number(value) in constraint:
        return None
    low, high = constraint.low, constraint.high
    bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
    return f"{constraint.name} must be a whole number {bounds}, got {_shown(value)}"


@check(kinds.JsonPath)
def json_path(constraint: kinds.JsonPath, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=True)
    if checked and not is_path(value):
        yield f"{constraint.name} must be one JSONPath (never static), got {_shown(value)}"


@check(kinds.StringMap)
def string_map(constraint: kinds.StringMap, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=constraint.required)
    if not checked:
        return
    if (
        not is_object(value)
        or (constraint.required and not value)
        or not all(isinstance(item, str) for item in value.values())
    ):
        what = "a non-empty object" if constraint.required else "an object"
        yield f"{constraint.name} must be {what} of names to strings, got {_shown(value)}"


@check(kinds.OneEntry)
def one_entry(constraint: kinds.OneEntry, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=True)
    if not checked:
        return
    count = len(value) if is_object(value) else 0
    if count != 1:
        yield f"{constraint.name} must hold exactly one entry, got {count}"
        return
    [(key, target)] = value.items()
    if key not in constraint.keys:
        yield f"{constraint.name} has no key {key!r} (one of {', '.join(sorted(constraint.keys))})"
    if not is_text(target):
        yield f"{constraint.name}.{key} must be a non-empty string, got {target!r}"


@check(kinds.Pattern)
def pattern(constraint: kinds.Pattern, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=False)
    if checked and not (isinstance(value, str) and re.fullmatch(constraint.regex, value)):
        yield f"{constraint.name} must be {constraint.says}, got {value!r}"


@check(kinds.Object)
def json_object(constraint: kinds.Object, action: Action) -> Iterator[str]:
    checked, value = _read(action, constraint.name, required=constraint.required)
    if checked and not is_object(value):
        yield f"{constraint.name} must be an object, got {_shown(value)}"


# -- conditions -----------------------------------------------------------------------------------


def _written(condition: Mapping[str, Any]) -> tuple[Any, str | None]:
    return condition.get("Operator"), operand(condition)


@check(kinds.Results)
def results(constraint: kinds.Results, action: Action) -> Iterator[str]:
    found = [
        str(value) if op == "Equals" else f"{op} {value}"
        for op, value in map(_written, conditions(action))
    ]
    if not constraint.exact:
        for value in constraint.values:
            if value not in found:
                yield f"Conditions need Equals {value}"
    elif sorted(found) != sorted(constraint.values):
        yield (
            f"Conditions must be exactly Equals {' and Equals '.join(constraint.values)}, "
            f"got {', '.join(found) or 'none'}"
        )


@check(kinds.Conditions)
def condition_form(constraint: kinds.Conditions, action: Action) -> Iterator[str]:
    """Conditions with an unknown operator or malformed operands are the `operators` rule's."""
    for condition in conditions(action):
        operator, value = _written(condition)
        if operator not in OPERATORS or value is None:
            continue
        pattern = constraint.operand
        if operator not in constraint.operators or (pattern and not re.fullmatch(pattern, value)):
            wanted = " ".join(filter(None, (_either(constraint.operators), constraint.says)))
            yield f"a condition must be {wanted}, got {operator} {value!r}"


@check(kinds.Percentages)
def percentages(constraint: kinds.Percentages, action: Action) -> Iterator[str]:
    previous = 0
    for condition in conditions(action):
        operator, value = _written(condition)
        number = whole_number(value)
        if operator != "NumberLessThan" or number is None:
            yield "each condition must be NumberLessThan a whole number"
        elif not previous < number <= constraint.most:
            yield (
                f"NumberLessThan {number} must rise above {previous} "
                f"and stay within {constraint.most}%"
            )
        else:
            previous = number


# -- branches -------------------------------------------------------------------------------------


def _kind(action: Action) -> str:
    return "stored input" if stores_input(action) else str(action["Type"])


@check(kinds.RequiredBranches)
def dead_end(constraint: kinds.RequiredBranches, action: Action) -> Iterator[str]:
    """Every action but a terminal one needs a way on for its outcome."""
    how, errors = constraint.leaves_by, error_types(action)
    if how == "next" and not is_text(transitions(action).get("NextAction")):
        yield "no NextAction: the call would be stuck here"
    elif how == "conditions" and not entries(action, "Conditions"):
        yield "no Conditions: every result would be stuck here"
    elif how == "errors" and NO_MATCHING_ERROR not in errors:
        yield "no NoMatchingError branch: a failed transfer would be stuck"
    for error in sorted(constraint.errors.difference(errors)):
        yield f"no {error} branch: {_kind(action)} must always have one"


@check(kinds.AllowedBranches)
def forbidden_branch(constraint: kinds.AllowedBranches, action: Action) -> Iterator[str]:
    if entries(action, "Conditions") and not constraint.conditions:
        yield f"{_kind(action)} takes no Conditions"
    seen: set[str] = set()
    for error in error_types(action):
        if error not in constraint.errors:
            yield f"{_kind(action)} has no error {error!r}"
        if error in seen:
            yield f"error {error!r} has two branches"
        seen.add(error)


@check(kinds.ConsoleNextAction, severity="warning")
def console_next_action(constraint: kinds.ConsoleNextAction, action: Action) -> Iterator[str]:
    """Write what console exports always carry; Connect is not known to need it."""
    if not is_text(transitions(action).get("NextAction")):
        yield (
            f"no NextAction: console exports of {action['Type']} always carry one "
            f"({constraint.target})"
        )

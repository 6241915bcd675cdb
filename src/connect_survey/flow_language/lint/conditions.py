"""Condition rules, for every action that has Conditions: known operators with one string
operand; and two warnings about conditions that can never be chosen.

Which conditions an action type takes (a menu's one key, a loop's two results) is a constraint
of its form, checked with the other action rules (`lint.actions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_survey.flow_language.lint.registry import Document, Problem, rule
from connect_survey.flow_language.spec import OPERATORS, as_number, conditions, operand

if TYPE_CHECKING:
    from collections.abc import Iterator


@rule("operators")
def operators(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in conditions(action):
            operator = condition.get("Operator")
            if not isinstance(operator, str) or operator not in OPERATORS:
                yield (action, f"unknown operator {operator!r}")
            elif operand(condition) is None:
                yield (action, f"{operator} needs exactly one string operand")


# The docs define a Number* condition on text as false, so Connect runs it: it never matches.
@rule("numeric-operands", severity="warning")
def numeric_operands(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in conditions(action):
            operator, value = condition.get("Operator"), operand(condition)
            numeric = str(operator).startswith("Number") and value is not None
            if numeric and as_number(str(value)) is None:
                yield (action, f"{operator} operand {value!r} is not a number: it never matches")


# The first true condition wins, so a second condition written the same is never chosen.
@rule("duplicate-condition", severity="warning")
def duplicate_condition(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        seen: set[tuple[object, str]] = set()
        for condition in conditions(action):
            written = (condition.get("Operator"), operand(condition))
            if written[1] is None:
                continue
            if written in seen:
                yield (action, f"{written[0]} {written[1]!r} has two branches; the second is dead")
            seen.add((written[0], written[1]))

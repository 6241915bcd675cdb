"""Condition rules: which actions take Conditions, known operators, numeric operands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.lint.registry import Document, Problem, rule
from connect_survey.flow_language.spec import (
    ACTION_TYPES,
    OPERATORS,
    as_number,
    conditions,
    entries,
    leaves_by,
    operand,
    stores_input,
    type_name,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


@rule("conditions-unsupported")
def conditions_unsupported(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        known = type_name(action) in ACTION_TYPES
        if known and entries(action, "Conditions") and leaves_by(action) != "conditions":
            yield (action, f"{_kind(action)} takes no Conditions")


def _kind(action: Mapping[str, Any]) -> str:
    return "stored input" if stores_input(action) else str(action["Type"])


@rule("operators")
def operators(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in conditions(action):
            operator = condition.get("Operator")
            if not isinstance(operator, str) or operator not in OPERATORS:
                yield (action, f"unknown operator {operator!r}")
            elif operand(condition) is None:
                yield (action, f"{operator} needs exactly one string operand")


@rule("numeric-operands")
def numeric_operands(doc: Document) -> Iterator[Problem]:
    for action in doc.actions:
        for condition in conditions(action):
            operator, value = condition.get("Operator"), operand(condition)
            numeric = str(operator).startswith("Number") and value is not None
            if numeric and as_number(str(value)) is None:
                yield (
                    action,
                    f"{operator} operand {value!r} is not a number",
                )

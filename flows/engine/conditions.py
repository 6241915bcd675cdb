"""Condition operators: each compares an action's result with the condition's one operand.

A `Number*` operator is false when either side is not a number.
https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flows.engine.errors import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def as_number(text: str) -> Decimal | None:
    """The number a text spells, or None (no NaN, infinity, exponent or padding)."""
    return Decimal(text) if NUMBER.fullmatch(text) else None


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> Callable[[str, str], bool]:
    def operator(result: str, operand: str) -> bool:
        left, right = as_number(result), as_number(operand)
        return left is not None and right is not None and compare(left, right)

    return operator


OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda result, operand: result == operand,
    "TextStartsWith": lambda result, operand: result.startswith(operand),
    "TextEndsWith": lambda result, operand: result.endswith(operand),
    "TextContains": lambda result, operand: operand in result,
    "NumberGreaterThan": _numeric(lambda a, b: a > b),
    "NumberGreaterOrEqualTo": _numeric(lambda a, b: a >= b),
    "NumberLessThan": _numeric(lambda a, b: a < b),
    "NumberLessOrEqualTo": _numeric(lambda a, b: a <= b),
}


def holds(condition: Mapping[str, Any], result: str, flow: str, action_id: str) -> bool:
    """Whether `condition` is true of `result`; a malformed condition is an error, not false."""
    operator = OPERATORS.get(condition.get("Operator", ""))
    operands = condition.get("Operands")
    if operator is None:
        raise InvalidParameterError(
            flow, action_id, f"unknown condition operator {condition.get('Operator')!r}"
        )
    if not isinstance(operands, list) or len(operands) != 1 or not isinstance(operands[0], str):
        raise InvalidParameterError(
            flow, action_id, f"a condition needs exactly one string operand, got {operands!r}"
        )
    return operator(result, operands[0])

"""Evaluating a condition: the operators themselves are `flow_language.spec.OPERATORS`.

https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.engine.errors import InvalidParameterError
from connect_survey.flow_language.spec import OPERATORS

if TYPE_CHECKING:
    from collections.abc import Mapping


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

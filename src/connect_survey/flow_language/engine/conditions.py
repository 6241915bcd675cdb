"""Evaluating a condition: the operators themselves are `flow_language.spec.OPERATORS`.

The linter has checked every condition (a known operator, one string operand) before the flow
runs. https://docs.aws.amazon.com/connect/latest/APIReference/flow-language-actions.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connect_survey.flow_language.spec import OPERATORS

if TYPE_CHECKING:
    from collections.abc import Mapping


def holds(condition: Mapping[str, Any], result: str) -> bool:
    """Whether `condition` is true of `result`."""
    [operand] = condition["Operands"]
    return OPERATORS[condition["Operator"]](result, operand)

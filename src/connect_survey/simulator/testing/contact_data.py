"""What an Assert reads: the contact's data as a JSON document, and the comparison it makes.

The document is the ContactData Connect sends a Lambda function (attributes, endpoints, queue,
language...) plus what the flows read besides (`$.External`, `$.StoredCustomerInput`,
`$.TextToSpeechVoiceId`), so an Assert can name any path the flows read. The operators are the
Flow Language's (`flow_language.spec.OPERATORS`), plus `Exists`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

from connect_survey.flow_language.engine import contact_flow_event
from connect_survey.flow_language.engine.references import as_text
from connect_survey.flow_language.spec import OPERATORS
from connect_survey.test_cases.language import EXISTS

if TYPE_CHECKING:
    from connect_survey.flow_language.engine.state import CallState
    from connect_survey.test_cases.language import Assertion

# `.Name`, `['Name with spaces']` or `["Name"]`, one after another after `$`.
STEP = re.compile(r"\.([^.\[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]")
EXPECTATIONS: Final = {
    "Equals": "equal",
    "TextStartsWith": "start with",
    "TextEndsWith": "end with",
    "TextContains": "contain",
    "NumberGreaterThan": "be a number greater than",
    "NumberGreaterOrEqualTo": "be a number greater than or equal to",
    "NumberLessThan": "be a number less than",
    "NumberLessOrEqualTo": "be a number less than or equal to",
    EXISTS: "exist",
}


def contact_document(state: CallState) -> dict[str, Any]:
    """The contact data an Assert's Namespace is a JSON path into."""
    document: dict[str, Any] = contact_flow_event(state, {})["Details"]["ContactData"]
    document.update(
        External=state.external,
        StoredCustomerInput=state.stored_input,
        TextToSpeechVoiceId=state.voice,
    )
    return document


def read(document: Any, path: str) -> str | None:
    """The value at `path` ($.A.B, $.A['B c']) as text, or None when nothing is there."""
    if not path.startswith("$"):
        return None
    value, rest = document, path[1:]
    while rest:
        step = STEP.match(rest)
        if step is None:
            return None
        key = next(group for group in step.groups() if group is not None)
        value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
        rest = rest[step.end() :]
    return as_text(value)


def problem(assertion: Assertion, state: CallState) -> str | None:
    """Why the assertion does not hold (the actual and the expected value), or None."""
    actual = read(contact_document(state), assertion.namespace)
    if assertion.operator == EXISTS:
        holds = actual is not None
    else:
        operand = assertion.operand or ""
        holds = actual is not None and OPERATORS[assertion.operator](actual, operand)
    if holds:
        return None
    found = "is not set" if actual is None else f"is {_quoted(actual)}"
    expected = EXPECTATIONS[assertion.operator]
    if assertion.operand is not None and assertion.operator != EXISTS:
        expected = f"{expected} {_quoted(assertion.operand)}"
    return f"{assertion.namespace} {found}; expected it to {expected}"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)

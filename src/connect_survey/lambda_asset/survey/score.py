"""Score one survey answer: validate the caller's digits and store a valid answer at once.

The flow sends, after each question (Details.Parameters):
    {"question": "<question key>", "digits": "$.StoredCustomerInput", "mode": "<survey mode>"}
(mode is stored with the answer for the alert; older flows leave it out)
and gets back a flat string map, read as $.External.<key>:
    valid answer:    {"valid": "true", "score": "4", "attribute": "EffortScore",
                      "question": "effort", "stored": "true"}
                     (stored "false" + reason "storage_error" when the table write failed: the
                     answer is still valid and the flow keeps it in the contact attribute)
    invalid answer:  {"valid": "false", "reason": "out_of_range|not_a_number|timeout|empty",
                      "question": "effort"}
    otherwise:       {"valid": "false", "reason": "unknown_question|malformed_event|internal_error"}
A verification event (parameter "verification": "true", sent by `connect-survey verify`, never
by a flow) gets the valid answer with stored "false" and reason "verification"; nothing is stored.
It never raises: Connect would take the error branch and the answer would be lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import eligibility, environment, results
from .answers import parse_score
from .aws import has_time_left
from .contract import (
    ATTRIBUTE,
    FALSE,
    MODES,
    PARAM_DIGITS,
    PARAM_MODE,
    PARAM_QUESTION,
    REASON,
    REASON_INTERNAL_ERROR,
    REASON_MALFORMED_EVENT,
    REASON_STORAGE_ERROR,
    REASON_UNKNOWN_QUESTION,
    REASON_VERIFICATION,
    SCORE,
    STORED,
    TRUE,
    VALID,
)
from .exceptions import EnvironmentVariableError, InvalidAnswerError, StorageError
from .flow_handler import flow_handler
from .telemetry import Metric, begin, count, logger

if TYPE_CHECKING:
    from .contact import Contact


@flow_handler(
    malformed={VALID: FALSE, REASON: REASON_MALFORMED_EVENT},
    failed={VALID: FALSE, REASON: REASON_INTERNAL_ERROR},
    failure="Scoring failed unexpectedly",
)
def handler(contact: Contact, context: object) -> dict[str, str]:
    """Validate the caller's digits and store a valid answer; the flat string map the flow reads."""
    begin(contact.contact_id, context)
    survey = environment.survey()
    question = survey.question(contact.parameters.get(PARAM_QUESTION, "").strip())
    if question is None:
        # The value itself is not logged: a misrouted parameter could carry personal data.
        logger.warning("Unknown question key from the flow")
        count(Metric.INVALID_ANSWER)
        return {VALID: FALSE, REASON: REASON_UNKNOWN_QUESTION}
    try:
        score = parse_score(contact.parameters.get(PARAM_DIGITS), survey)
    except InvalidAnswerError as invalid:
        logger.info("Invalid answer", extra={"question": question.key, "reason": invalid.reason})
        count(Metric.INVALID_ANSWER)
        return {VALID: FALSE, REASON: invalid.reason, PARAM_QUESTION: question.key}

    answer = {  # the question key comes back under the parameter's name
        VALID: TRUE,
        SCORE: str(score),
        ATTRIBUTE: question.attribute,
        PARAM_QUESTION: question.key,
        STORED: TRUE,
    }
    if contact.is_verification:
        return {**answer, STORED: FALSE, REASON: REASON_VERIFICATION}
    count(Metric.ANSWER_RECORDED)
    mode = contact.parameters.get(PARAM_MODE, "").strip()
    try:
        if not has_time_left(context):
            raise StorageError("too little time left to write the answer")
        results.put_answer(
            environment.table_name(),
            contact,
            question=question.key,
            attribute=question.attribute,
            score=score,
            now=datetime.now(UTC),
            retention_days=environment.retention_days(),
            mode=mode if mode in MODES else None,
        )
    except (StorageError, EnvironmentVariableError) as error:
        # The flow still sets the contact attribute: a valid answer is never lost.
        logger.error("Answer not stored", extra={"question": question.key, "error": str(error)})
        count(Metric.STORAGE_ERROR)
        answer.update({STORED: FALSE, REASON: REASON_STORAGE_ERROR})
    else:
        logger.info("Answer stored", extra={"question": question.key, "score": score})
        _start_cooldown(contact, context)
    return answer


def _start_cooldown(contact: Contact, context: object) -> None:
    """The stored answer starts the caller's cooldown; a failure here never costs the answer."""
    try:
        eligibility.remember_caller(contact.attributes, datetime.now(UTC), context)
    except (StorageError, ValueError) as error:
        logger.warning("Cooldown not started", extra={"error": str(error)})

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
    otherwise:       {"valid": "false", "reason": "unknown_question|invalid_parameter|
                                                 malformed_event|internal_error"}
A parameter not of its allowed form (contract.PARAMETER_FORMS) is never stored: invalid_parameter.
A verification event (parameter "verification": "true", sent by `connect-survey verify`, never
by a flow) gets the valid answer with stored "false" and reason "verification"; nothing is stored.
A caller key (SurveyCallerKey, from the inbound flow) starts the caller's cooldown first, within
a share of the time that leaves the answer one full attempt; if it cannot be confirmed the answer
item carries the key for the sweeper (contract.PendingWork.COOLDOWN). It never raises: Connect
would take the error branch and the answer would be lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from . import deadline, eligibility, environment, results, sampling
from .answers import parse_score
from .budget import CALL_PATH
from .contract import (
    ATTRIBUTE,
    FALSE,
    PARAM_DIGITS,
    PARAM_LANGUAGE,
    PARAM_MODE,
    PARAM_QUESTION,
    REASON,
    REASON_INTERNAL_ERROR,
    REASON_INVALID_PARAMETER,
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
from .telemetry import Metric, count, logger

if TYPE_CHECKING:
    from .contact import Contact


@flow_handler(
    malformed={VALID: FALSE, REASON: REASON_MALFORMED_EVENT},
    invalid={VALID: FALSE, REASON: REASON_INVALID_PARAMETER},
    failed={VALID: FALSE, REASON: REASON_INTERNAL_ERROR},
    failure="Scoring failed unexpectedly",
)
def handler(contact: Contact, context: object) -> dict[str, str]:
    """Validate the caller's digits and store a valid answer; the flat string map the flow reads."""
    survey = environment.survey()
    question = survey.question(contact.parameter(PARAM_QUESTION))
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
    now = datetime.now(UTC)
    pending_cooldown = _start_cooldown(contact, now)
    try:
        results.put_answer(
            environment.table_name(),
            contact,
            question=question.key,
            attribute=question.attribute,
            score=score,
            now=now,
            retention_days=environment.retention_days(),
            mode=contact.parameter(PARAM_MODE) or None,
            language=contact.parameter(PARAM_LANGUAGE) or None,
            pending_cooldown=pending_cooldown,
        )
    except (StorageError, EnvironmentVariableError) as error:
        # The flow still sets the contact attribute: a valid answer is never lost.
        logger.error("Answer not stored", extra={"question": question.key, "error": str(error)})
        count(Metric.STORAGE_ERROR)
        if pending_cooldown:
            logger.error("Cooldown neither started nor marked for the sweeper")
        answer.update({STORED: FALSE, REASON: REASON_STORAGE_ERROR})
    else:
        logger.info("Answer stored", extra={"question": question.key, "score": score})
    return answer


def _start_cooldown(contact: Contact, now: datetime) -> str | None:
    """Start the caller's cooldown before the answer is stored, leaving the answer one attempt's
    time; the caller key when the record could not be confirmed (the answer item then carries
    it for the sweeper), else None. A failure here never costs the answer."""
    key = contact.attributes.get(sampling.CALLER_KEY_ATTRIBUTE, "").strip()
    if not key:
        return None
    if not sampling.is_caller_key(key):
        # Never a DynamoDB key, and never logged: the attribute could carry anything.
        logger.warning("Caller key not of its form; no cooldown kept")
        count(Metric.INVALID_PARAMETER)
        return None
    try:
        with deadline.keeping(CALL_PATH.attempt_seconds):
            eligibility.remember_caller(key, now)
    except (StorageError, EnvironmentVariableError, ValueError) as error:
        logger.warning("Cooldown not started; left to the sweeper", extra={"error": str(error)})
        count(Metric.SKIPPED_WRITE)
        return key
    return None

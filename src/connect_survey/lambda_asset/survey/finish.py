"""Finish a survey: total the answers, mark it complete, and tell the flow whether to escalate.

The flow sends, once after the last question (Details.Parameters):
    {"mode": "on-demand|opt-in|escalation"}
and gets back a flat string map, read as $.External.<key>:
    {"escalate": "true|false",        # any answered score below the threshold (every mode)
     "lowest": "2",                   # "" when nothing was answered
     "answered": "3",
     "status": "complete|partial|unanswered",  # every, some or no question answered; "offered"
                                      # when the event was unreadable (the flow's own value)
     "reason": "..."}                 # only when something failed: storage_error (answers taken
                                      # from the contact attributes), invalid_parameter,
                                      # malformed_event, internal_error; verification (below)
It never publishes: alerts leave through the table's stream (the alert function), so no SNS or
EventBridge fault can delay the caller. Retries only rewrite the same summary. A verification
event (parameter "verification": "true", sent by `connect-survey verify`, never by a flow) is
answered without reading or storing anything. It never raises, and abandons any AWS call at the
invocation's deadline (`deadline.py`). Reading the answers may take only the time that leaves the
summary write one full attempt; a summary written without them is marked for the sweeper to
complete (contract.PendingWork.SUMMARY). Every failed call counts a StorageError, and a summary
not written or not complete a SkippedWrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from . import deadline, environment, results
from .answers import parse_score
from .budget import CALL_PATH
from .contract import (
    ANSWERED,
    ESCALATE,
    FALSE,
    LOWEST,
    PARAM_MODE,
    REASON,
    REASON_INTERNAL_ERROR,
    REASON_INVALID_PARAMETER,
    REASON_MALFORMED_EVENT,
    REASON_STORAGE_ERROR,
    REASON_VERIFICATION,
    STATUS,
    STATUS_COMPLETE,
    STATUS_OFFERED,
    STATUS_PARTIAL,
    STATUS_UNANSWERED,
    TRUE,
)
from .exceptions import EnvironmentVariableError, InvalidAnswerError, StorageError
from .flow_handler import flow_handler
from .telemetry import Metric, count, logger

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .contact import Contact
    from .definition import SurveyDefinition

UNKNOWN_MODE: Final = "unknown"


@dataclass
class Failures:
    """What went wrong during this invocation, in order; the first becomes the answer's reason."""

    reasons: list[str] = field(default_factory=list)

    def failed(self, reason: str, message: str, error: Exception | str) -> None:
        logger.error(message, extra={"error": str(error)})
        count(Metric.STORAGE_ERROR)
        self.reasons.append(reason)


def _answer(
    scores: Mapping[str, int], status: str, *, escalate: bool, reasons: list[str]
) -> dict[str, str]:
    """The flat string map the flow reads; every key is always present."""
    answer = {
        ESCALATE: TRUE if escalate else FALSE,
        LOWEST: str(min(scores.values())) if scores else "",
        ANSWERED: str(len(scores)),
        STATUS: status,
    }
    if reasons:
        answer[REASON] = reasons[0]
    return answer


def _unfinished(reason: str) -> dict[str, str]:
    """The answer when the survey could not be finished: the flow keeps its own status."""
    return _answer({}, STATUS_OFFERED, escalate=False, reasons=[reason])


@flow_handler(
    malformed=_unfinished(REASON_MALFORMED_EVENT),
    invalid=_unfinished(REASON_INVALID_PARAMETER),
    failed=_unfinished(REASON_INTERNAL_ERROR),
    failure="Finishing the survey failed unexpectedly",
)
def handler(contact: Contact, context: object) -> dict[str, str]:
    """Total the answers, store the summary; the flat string map the flow reads."""
    survey = environment.survey()
    mode = contact.parameter(PARAM_MODE)  # of its allowed form, or left out (older flows)
    if not mode:
        logger.warning("No survey mode from the flow; finishing anyway")
        mode = UNKNOWN_MODE
    if contact.is_verification:
        return _unfinished(REASON_VERIFICATION)
    failures = Failures()
    now = datetime.now(UTC)

    scores, read = _scores(contact, survey, failures)
    status = survey_status(len(scores), len(survey.questions))
    try:
        results.complete_survey(
            environment.table_name(),
            contact,
            mode=mode,
            scores=scores,
            status=status,
            now=now,
            retention_days=environment.retention_days(),
            from_attributes_only=not read,
        )
    except (StorageError, EnvironmentVariableError) as error:
        failures.failed(REASON_STORAGE_ERROR, "Summary not stored", error)
        logger.error("Summary skipped, nothing marked: no item was written")
        count(Metric.SKIPPED_WRITE)
    else:
        if not read:
            logger.warning("Summary from the attributes alone; left to the sweeper to complete")
            count(Metric.SKIPPED_WRITE)
    count(Metric.SURVEY_COMPLETED)

    escalate = any(survey.is_low(score) for score in scores.values())
    if escalate:
        count(Metric.LOW_SCORE)
    summary = {"mode": mode, "answered": len(scores), "status": status, "escalate": escalate}
    logger.info("Survey finished", extra={**summary, "reasons": failures.reasons})
    return _answer(scores, status, escalate=escalate, reasons=failures.reasons)


def survey_status(answered: int, questions: int) -> str:
    """Unanswered surveys are told apart from complete ones, so response rates can be computed."""
    if answered == 0:
        return STATUS_UNANSWERED
    return STATUS_COMPLETE if answered >= questions else STATUS_PARTIAL


def _scores(
    contact: Contact, survey: SurveyDefinition, failures: Failures
) -> tuple[dict[str, int], bool]:
    """Attribute → score in survey order: the table first, the contact attributes fill the gaps;
    and whether the table was read.

    The flow sets the attribute after every valid answer even when storing it failed, so the
    attributes are the fallback when the table cannot be read and cover answers it missed. The
    read leaves the summary write one full attempt's time.
    """
    stored: Mapping[str, int] = {}
    read = False
    try:
        with deadline.keeping(CALL_PATH.attempt_seconds):
            stored = results.read_scores(
                environment.table_name(), contact.contact_id, [q.key for q in survey.questions]
            )
        read = True
    except (StorageError, EnvironmentVariableError) as error:
        failures.failed(REASON_STORAGE_ERROR, "Answers not read; using contact attributes", error)
    scores: dict[str, int] = {}
    for question in survey.questions:
        from_table = stored.get(question.key)
        candidates = (
            None if from_table is None else str(from_table),
            contact.attributes.get(question.attribute),
        )
        valid = [score for text in candidates if (score := _valid(text, survey)) is not None]
        if valid:  # a scale may start at 0: test for None, not truthiness
            scores[question.attribute] = valid[0]
    return scores, read


def _valid(text: str | None, survey: SurveyDefinition) -> int | None:
    try:
        return parse_score(text, survey)
    except InvalidAnswerError:
        return None

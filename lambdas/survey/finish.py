"""Finish a survey: total the answers, mark it complete, and raise one low-score alert per contact.

The flow sends, once after the last question (Details.Parameters):
    {"mode": "on-demand|opt-in|escalation"}
and gets back a flat string map, read as $.External.<key>:
    {"escalate": "true|false",        # any answered score below the threshold (every mode)
     "lowest": "2",                   # "" when nothing was answered
     "answered": "3",
     "alerted": "true|false|already", # already: an earlier invocation sent the alerts
     "reason": "..."}                 # only when something failed: storage_error (answers taken
                                      # from the contact attributes), alert_error, malformed_event,
                                      # internal_error
Connect may deliver the same event several times, even concurrently: each alert channel is
claimed atomically on the summary item before publishing, and released if the publish fails.
It never raises, and stops calling AWS when the invocation is about to run out of time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from aws_lambda_powertools.utilities.data_classes import ConnectContactFlowEvent, event_source

from . import alerts, environment, results
from .alerts import LowScoreAlert
from .answers import parse_score
from .aws import has_time_left
from .contact import Contact
from .contract import (
    ALERTED,
    ANSWERED,
    ESCALATE,
    FALSE,
    LOWEST,
    MODES,
    PARAM_MODE,
    REASON,
    REASON_ALERT_ERROR,
    REASON_INTERNAL_ERROR,
    REASON_MALFORMED_EVENT,
    REASON_STORAGE_ERROR,
    TRUE,
)
from .exceptions import (
    AlertError,
    EnvironmentVariableError,
    InvalidAnswerError,
    MalformedEventError,
    StorageError,
)
from .telemetry import Metric, begin, count, logger, metrics

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_lambda_powertools.utilities.typing import LambdaContext

    from .definition import SurveyDefinition

ALERTED_ALREADY: Final = "already"
UNKNOWN_MODE: Final = "unknown"


@dataclass(frozen=True)
class Channel:
    """One way an alert leaves: the summary attribute that claims it, and how to send it."""

    name: str
    claim: str
    send: Callable[[LowScoreAlert], None]


def _send_sns(alert: LowScoreAlert) -> None:
    alerts.send_sns(environment.topic_arn(), alert)


def _send_event(alert: LowScoreAlert) -> None:
    alerts.send_event(environment.bus_name(), alert)


CHANNELS: Final = (
    Channel("sns", results.SNS_CLAIM, _send_sns),
    Channel("events", results.EVENT_CLAIM, _send_event),
)


@dataclass
class Failures:
    """What went wrong during this invocation, in order; the first becomes the answer's reason."""

    reasons: list[str] = field(default_factory=list)

    def failed(self, reason: str, message: str, error: Exception | str) -> None:
        logger.error(message, extra={"error": str(error)})
        self.reasons.append(reason)


@metrics.log_metrics
@event_source(data_class=ConnectContactFlowEvent)
def handler(event: ConnectContactFlowEvent, context: LambdaContext | None) -> dict[str, str]:
    """Answer the flow with a flat string map, whatever arrives."""
    try:
        return _finish(Contact.from_event(event.raw_event), context)
    except MalformedEventError as error:
        begin(None, context)
        logger.warning("Malformed event", extra={"error": str(error)})
        count(Metric.MALFORMED_EVENT)
        return _answer({}, escalate=False, alerted=FALSE, reasons=[REASON_MALFORMED_EVENT])
    except Exception:
        logger.exception("Finishing the survey failed unexpectedly")
        count(Metric.INTERNAL_ERROR)
        return _answer({}, escalate=False, alerted=FALSE, reasons=[REASON_INTERNAL_ERROR])


def _finish(contact: Contact, context: object) -> dict[str, str]:
    begin(contact.contact_id, context)
    survey = environment.survey()
    mode = contact.parameters.get(PARAM_MODE, "").strip()
    if mode not in MODES:
        logger.warning("Unknown survey mode from the flow; finishing anyway")
        mode = UNKNOWN_MODE
    failures = Failures()
    now = datetime.now(UTC)

    scores = _scores(contact, survey, context, failures)
    try:
        if not has_time_left(context):
            raise StorageError("too little time left to write the summary")
        results.complete_survey(
            environment.table_name(),
            contact,
            mode=mode,
            scores=scores,
            now=now,
            retention_days=environment.retention_days(),
        )
    except (StorageError, EnvironmentVariableError) as error:
        failures.failed(REASON_STORAGE_ERROR, "Summary not stored", error)
    count(Metric.SURVEY_COMPLETED)

    alerted = FALSE
    escalate = any(survey.is_low(score) for score in scores.values())
    if escalate:
        count(Metric.LOW_SCORE)
        alert = LowScoreAlert(
            contact_id=contact.contact_id,
            initial_contact_id=contact.initial_contact_id,
            mode=mode,
            scores=scores,
            threshold=survey.low_score_threshold,
        )
        alerted = _alert(alert, now, context, failures)
    summary = {"mode": mode, "answered": len(scores), "alerted": alerted}
    logger.info("Survey finished", extra={**summary, "reasons": failures.reasons})
    return _answer(scores, escalate=escalate, alerted=alerted, reasons=failures.reasons)


def _scores(
    contact: Contact, survey: SurveyDefinition, context: object, failures: Failures
) -> dict[str, int]:
    """Attribute → score in survey order: the table first, the contact attributes fill the gaps.

    The flow sets the attribute after every valid answer even when storing it failed, so the
    attributes are the fallback when the table cannot be read and cover answers it missed.
    """
    stored: Mapping[str, int] = {}
    try:
        if not has_time_left(context):
            raise StorageError("too little time left to read the answers")
        stored = results.read_scores(
            environment.table_name(), contact.contact_id, [q.key for q in survey.questions]
        )
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
    return scores


def _valid(text: str | None, survey: SurveyDefinition) -> int | None:
    try:
        return parse_score(text, survey)
    except InvalidAnswerError:
        return None


def _alert(alert: LowScoreAlert, now: datetime, context: object, failures: Failures) -> str:
    """Send each channel that this invocation claims; "already" when others sent them all."""
    sent = already = 0
    for channel in CHANNELS:
        if not has_time_left(context):
            failures.failed(REASON_ALERT_ERROR, "Alert skipped", "too little time left")
            break
        try:
            table, days = environment.table_name(), environment.retention_days()
            token = results.claim_alert(
                table, alert.contact_id, channel.claim, now=now, retention_days=days
            )
        except (StorageError, EnvironmentVariableError) as error:
            # Without a claim a retry could send it twice: better to leave this one unsent.
            failures.failed(REASON_STORAGE_ERROR, f"Alert not claimed ({channel.name})", error)
            continue
        if token is None:
            already += 1
            continue
        try:
            channel.send(alert)
        except (AlertError, EnvironmentVariableError) as error:
            count(Metric.ALERT_ERROR)
            failures.failed(REASON_ALERT_ERROR, f"Alert not sent ({channel.name})", error)
            _release(table, alert.contact_id, channel, token)
            continue
        sent += 1
        count(Metric.ALERT_PUBLISHED)
        logger.info("Alert sent", extra={"channel": channel.name})
    if sent:
        return TRUE
    return ALERTED_ALREADY if already == len(CHANNELS) else FALSE


def _release(table: str, contact_id: str, channel: Channel, token: str) -> None:
    try:
        results.release_alert(table, contact_id, channel.claim, token)
    except StorageError as error:
        # The claim stays: this alert will not be retried. Loud, so someone can follow up.
        logger.error("Alert claim kept", extra={"channel": channel.name, "error": str(error)})


def _answer(
    scores: Mapping[str, int], *, escalate: bool, alerted: str, reasons: list[str]
) -> dict[str, str]:
    """The flat string map the flow reads; every key is always present."""
    answer = {
        ESCALATE: TRUE if escalate else FALSE,
        LOWEST: str(min(scores.values())) if scores else "",
        ANSWERED: str(len(scores)),
        ALERTED: alerted,
    }
    if reasons:
        answer[REASON] = reasons[0]
    return answer

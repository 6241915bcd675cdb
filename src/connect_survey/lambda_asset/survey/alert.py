"""Send low-score alerts from the results table's stream: the outbox, off the caller's path.

The event source mapping delivers the table's stream records (new images). Every stored answer
below the threshold raises its contact's one alert: the first low answer sends it, later ones find
it sent. The batch's low contacts are read together; then, ten contacts at a time, each contact's
channels (SNS, EventBridge) are claimed on its outbox item, sent with one batch call per channel
(one SDK attempt each), and recorded as sent (`delivery.py`). Whatever fails is reported as a
batch item failure, so the stream retries it (bisecting, up to its retry limit, then the
dead-letter queue). Delivery is at least once; a duplicate is possible only when a send may have
left but was not recorded as sent (its reply lost, or sentAt not written, or the function died
between the two): its claim expires and the resend that takes it over is counted
(AlertPossibleDuplicate). Consumers dedupe on `alertId`.

Answers {"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}; never raises.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from . import aws, environment, results
from .alerts import LowScoreAlert
from .budget import ALERT_PATH
from .contract import OUTBOX_SORT_KEY, SUMMARY_SORT_KEY
from .delivery import CHANNELS, Delivery, Pending
from .exceptions import EnvironmentVariableError, MalformedItemError, StorageError
from .items import Answer, OutboxItem, Summary, result_item
from .telemetry import Metric, count, logger, metrics

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from aws_lambda_powertools.utilities.typing import LambdaContext

    from .definition import SurveyDefinition

UNKNOWN_MODE: Final = "unknown"
# The stream's event name for an item deleted (by TTL or otherwise).
REMOVE_EVENT: Final = "REMOVE"


@dataclass
class LowAnswer:
    """A stream record carrying a stored answer below the threshold."""

    contact_id: str
    sequence_number: str


@dataclass
class Batch:
    """The low answers of one delivery, first record per contact, in stream order."""

    contacts: dict[str, str] = field(default_factory=dict)  # contact id → first sequence number
    # Contacts whose outbox image in the batch already records every channel sent: sentAt is
    # never removed, so nothing is left to do for them and nothing needs reading.
    sent: set[str] = field(default_factory=set)

    def to_alert(self) -> dict[str, str]:
        return {c: number for c, number in self.contacts.items() if c not in self.sent}


@metrics.log_metrics
def handler(event: Any, context: LambdaContext | None) -> dict[str, list[dict[str, str]]]:
    """Send the alerts the batch raises; name the records to retry."""
    failures: list[str] = []
    try:
        contacts = _low_answers(event, environment.survey()).to_alert()
        stored = _read(list(contacts)) if contacts else {}
        pending, settled = _plan(list(contacts), stored)
        delivery = Delivery(
            table=environment.table_name(),
            retention_days=environment.retention_days(),
            token=uuid.uuid4().hex,  # unique per invocation: our own retried claim is ours
            now=_now,
            has_time_left=lambda: aws.has_time_left(context, ALERT_PATH.margin_ms),
        )
        done = delivery.deliver(pending) | settled
        failures = [number for contact, number in contacts.items() if contact not in done]
    except EnvironmentVariableError as error:
        logger.error("Alert function misconfigured", extra={"error": str(error)})
        count(Metric.INTERNAL_ERROR)
        failures = _all_sequence_numbers(event)
    except Exception:
        logger.exception("Alerting failed unexpectedly")
        count(Metric.INTERNAL_ERROR)
        failures = _all_sequence_numbers(event)
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failures]}


def _low_answers(event: Any, survey: SurveyDefinition) -> Batch:
    batch = Batch()
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        sent = _all_sent(record)
        if sent is not None:
            batch.sent.add(sent)
        answer = _low_answer(record, survey)
        if answer is not None:
            batch.contacts.setdefault(answer.contact_id, answer.sequence_number)
    return batch


def _all_sent(record: Any) -> str | None:
    """The record's contact when its image is an outbox item recording every channel as sent."""
    try:
        item = result_item(record["dynamodb"]["NewImage"])
    except (KeyError, TypeError, MalformedItemError):
        return None  # _low_answer names what it skips
    if isinstance(item, Answer):
        return None
    return item.contact_id if all(channel.name in item.sent for channel in CHANNELS) else None


def _low_answer(record: Any, survey: SurveyDefinition) -> LowAnswer | None:
    """The record's contact when it stores a low answer; a record of another shape is skipped.

    A removal (TTL expiry, REMOVE: keys only) has no new image and nothing to alert on: skipped
    without a warning, as it is no mistake.
    """
    if _is_removal(record):
        logger.debug("Stream record skipped: a removal")
        return None
    try:
        change = record["dynamodb"]
        item = result_item(change["NewImage"])
        if isinstance(item, OutboxItem):
            return None  # the alert function's own writes
        # An answer item, or the summary: it holds scores known only from contact attributes
        # (preset, or an answer whose write had failed), totalled by the finish handler.
        score = item.lowest if isinstance(item, Summary) else item.score
        if score is None:
            return None  # a summary before the survey finished (alert claims only)
        if not survey.is_low(score):
            return None
        return LowAnswer(item.contact_id, str(change["SequenceNumber"]))
    except (KeyError, TypeError, MalformedItemError) as error:
        logger.warning("Stream record skipped: not an answer item", extra={"error": str(error)})
        return None


def _is_removal(record: Any) -> bool:
    """A REMOVE record, or one carrying no new image (the stream's view is new images only)."""
    if not isinstance(record, dict) or not isinstance(record.get("dynamodb"), dict):
        return False
    return record.get("eventName") == REMOVE_EVENT or "NewImage" not in record["dynamodb"]


def _read(contact_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """What is stored for every contact of the batch, read together; {} when reading failed."""
    try:
        questions = [question.key for question in environment.survey().questions]
        sort_keys = [*questions, SUMMARY_SORT_KEY, OUTBOX_SORT_KEY]
        return results.read_contacts(environment.table_name(), contact_ids, sort_keys)
    except StorageError as error:
        logger.error("Contacts not read; the stream retries", extra={"error": str(error)})
        count(Metric.STORAGE_ERROR)
        return {}


def _plan(
    contacts: Sequence[str], stored: Mapping[str, list[dict[str, Any]]]
) -> tuple[list[Pending], set[str]]:
    """The alerts to send, and the contacts read that need none (no low answer, or all sent)."""
    pending: list[Pending] = []
    settled: set[str] = set()
    for contact_id in contacts:
        if contact_id not in stored:
            continue  # not read (outage, or keys left unprocessed): logged and counted already
        answers, summary, outbox_item, read = _parse(contact_id, stored[contact_id])
        alert = _build_alert(contact_id, answers, summary)
        # Sent (read consistently): no claim needed to know it. The summary kept this state
        # before the outbox item existed.
        sent = {**(summary.sent if summary else {}), **(outbox_item.sent if outbox_item else {})}
        due = [c.name for c in CHANNELS if c.name not in sent]
        if alert is None or not due:
            settled.add(contact_id)
        else:
            pending.append(Pending(alert=alert, stored=read, due=due))
    return pending, settled


def _parse(
    contact_id: str, items: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Answer], Summary | None, OutboxItem | None, Mapping[str, Any]]:
    """The contact's answers by question, summary and outbox item (with that item as read); an
    item of no known shape is named and left out."""
    answers: dict[str, Answer] = {}
    summary: Summary | None = None
    outbox_item: OutboxItem | None = None
    read: Mapping[str, Any] = {}
    for raw in items:
        try:
            item = result_item(raw)
        except MalformedItemError as error:
            logger.warning("Stored item skipped", extra={"contactId": contact_id,
                                                         "error": str(error)})  # fmt: skip
            continue
        if isinstance(item, Answer):
            answers[item.question] = item
        elif isinstance(item, Summary):
            summary = item
        else:
            outbox_item, read = item, raw
    return answers, summary, outbox_item, read


def _build_alert(
    contact_id: str, answers: Mapping[str, Answer], summary: Summary | None
) -> LowScoreAlert | None:
    """The alert from what is stored for the contact; None when no stored answer is low."""
    survey = environment.survey()
    scores: dict[str, int] = {}
    first: Answer | None = None
    for question in survey.questions:
        answer = answers.get(question.key)
        if answer is None:
            continue
        first = first or answer
        scores[answer.attribute or question.attribute] = answer.score
    totalled = summary.scores if summary else {}
    for question in survey.questions:  # what only the finish handler knew, in survey order
        value = totalled.get(question.attribute)
        if question.attribute not in scores and value is not None:
            scores[question.attribute] = value
    if not scores or not any(survey.is_low(score) for score in scores.values()):
        return None
    mode = (first and first.mode) or (summary and summary.mode) or UNKNOWN_MODE
    return LowScoreAlert(
        contact_id=contact_id,
        initial_contact_id=first.initial_contact_id if first else None,
        mode=mode,
        queue=first.queue if first else None,
        scores=scores,
        threshold=survey.low_score_threshold,
        instance_alias=environment.instance_alias(),
        language=first.language if first else None,
    )


def _all_sequence_numbers(event: Any) -> list[str]:
    records = event.get("Records") if isinstance(event, dict) else None
    numbers = []
    for record in records if isinstance(records, list) else []:
        try:
            numbers.append(str(record["dynamodb"]["SequenceNumber"]))
        except (KeyError, TypeError):
            continue
    return numbers


def _now() -> datetime:
    return datetime.now(UTC)

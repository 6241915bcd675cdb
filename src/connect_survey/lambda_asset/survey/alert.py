"""Send low-score alerts from the results table's stream: the outbox, off the caller's path.

The event source mapping delivers the table's stream records (new images). Every stored answer
below the threshold raises its contact's one alert: the first low answer sends it, later ones find
it sent. The batch's low contacts are read together; then, ten contacts at a time, each contact's
registered channels (`channels.CHANNELS`: SNS, EventBridge) are claimed on its outbox item, sent
with one batch call per channel (one SDK attempt each), and recorded as sent (`delivery.py`).
Delivery is at least once; consumers dedupe on `alertId`.

What the answer, the dead-letter queue and AlertPossibleDuplicate mean:
- A record is done once its contact's alert is sent on every channel: recorded as sent, or
  confirmed by the service even if recording that failed (a retry could only send it again).
  Any other record is named and retried; one that cannot be read is named alone.
- So only a record whose alert may not have arrived after every retry, or that cannot be read,
  reaches the dead-letter queue: a claim another sender left is waited out within the
  invocation when its time allows, however fast the retries come. Neither is the end: the
  sweeper (sweeper.py) sends, with this same code, every alert whose outbox item is still
  marked unsent, and redrives the dead letters through `process` until they are done.
- AlertPossibleDuplicate counts each send after taking over a claim whose holder left no
  outcome (a lost reply, a crash, or DynamoDB refusing it for the rest of that invocation:
  outcomes are written again while time allows, so a certain failure is never counted).

Answers {"batchItemFailures": [{"itemIdentifier": <sequence number>}, ...]}; never raises.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from . import aws, environment, results
from .alerts import LowScoreAlert
from .channels import CHANNELS
from .contract import OUTBOX_SORT_KEY, SUMMARY_SORT_KEY
from .delivery import Delivery, Pending
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
    # Records that could not be read: each is reported alone, so only it is retried (and, as it
    # never reads better, dead-lettered), while the batch's other alerts go out.
    unreadable: list[str] = field(default_factory=list)

    def to_alert(self) -> dict[str, str]:
        return {c: number for c, number in self.contacts.items() if c not in self.sent}


class UnreadableRecordError(ValueError):
    """Raised when a stream record's new image is not one the results table holds."""


@metrics.log_metrics
def handler(event: Any, context: LambdaContext | None) -> dict[str, list[dict[str, str]]]:
    """Send the alerts the batch raises; name the records to retry."""
    try:
        failures = process(event, delivery_for(context))
    except EnvironmentVariableError as error:
        logger.error("Alert function misconfigured", extra={"error": str(error)})
        count(Metric.INTERNAL_ERROR)
        failures = _all_sequence_numbers(event)
    except Exception:
        logger.exception("Alerting failed unexpectedly")
        count(Metric.INTERNAL_ERROR)
        failures = _all_sequence_numbers(event)
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failures]}


def process(event: Any, delivery: Delivery) -> list[str]:
    """The sequence numbers of the stream records (an event, or records the sweeper redrives)
    to retry: those whose alert is not sent on every channel, and those that cannot be read."""
    batch = _low_answers(event, environment.survey())
    contacts = batch.to_alert()
    done = send_alerts(list(contacts), delivery)
    failed = {number for contact, number in contacts.items() if contact not in done}
    failed.update(batch.unreadable)
    return [number for number in _all_sequence_numbers(event) if number in failed]


def send_alerts(contact_ids: Sequence[str], delivery: Delivery) -> set[str]:
    """Send each contact's alert on every channel not recorded as sent (the stream's path and
    the sweeper's); the contacts with nothing left to send."""
    stored = _read(list(contact_ids)) if contact_ids else {}
    pending, settled = _plan(contact_ids, stored)
    return delivery.deliver(pending) | settled


def delivery_for(context: object) -> Delivery:
    """One invocation's sending, bounded by its time and the channels' budget."""
    return Delivery(
        table=environment.table_name(),
        retention_days=environment.retention_days(),
        token=uuid.uuid4().hex,  # unique per invocation: our own retried claim is ours
        budget=CHANNELS.budget(),
        now=_now,
        sleep=_sleep,
        remaining_ms=lambda: aws.remaining_ms(context),
    )


def _low_answers(event: Any, survey: SurveyDefinition) -> Batch:
    """The batch's low answers; a record that cannot be read is set aside, alone."""
    batch = Batch()
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        try:
            answer = _low_answer(record, survey)
        except Exception as error:  # whatever a record holds, it costs only itself
            number = _sequence_number(record)
            logger.warning(
                "Stream record unreadable: retried alone, then dead-lettered",
                # The error's type only: its text could quote the record (a phone number).
                extra={"sequenceNumber": number, "error": type(error).__name__},
            )
            count(Metric.MALFORMED_EVENT)
            if number is not None:  # without one, nothing can name it: skipped
                batch.unreadable.append(number)
            continue
        sent = _all_sent(record)
        if sent is not None:
            batch.sent.add(sent)
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
    channels = CHANNELS.active()
    return item.contact_id if all(channel.name in item.sent for channel in channels) else None


def _low_answer(record: Any, survey: SurveyDefinition) -> LowAnswer | None:
    """The record's contact when it stores a low answer; None for a record with nothing to
    alert on; UnreadableRecordError (or the item model's MalformedItemError) for one that cannot
    be read.

    A removal (TTL expiry, REMOVE: keys only) has no new image and nothing to alert on: skipped
    without a warning, as it is no mistake.
    """
    if _is_removal(record):
        logger.debug("Stream record skipped: a removal")
        return None
    item = result_item(record["dynamodb"]["NewImage"])
    if isinstance(item, OutboxItem):
        return None  # the alert function's own writes
    # An answer item, or the summary: it holds scores known only from contact attributes
    # (preset, or an answer whose write had failed), totalled by the finish handler.
    score = item.lowest if isinstance(item, Summary) else item.score
    if score is None:
        return None  # a summary before the survey finished (alert claims only)
    number = _sequence_number(record)
    if not item.contact_id or number is None:
        raise UnreadableRecordError("contactId and SequenceNumber must be non-empty strings")
    return LowAnswer(item.contact_id, number) if survey.is_low(score) else None


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
    """The alerts to send, and the contacts read that need none (no low answer, or all sent).

    A contact whose stored items cannot be read is in neither: its records are retried, and
    cost only themselves."""
    pending: list[Pending] = []
    settled: set[str] = set()
    for contact_id in contacts:
        if contact_id not in stored:
            continue  # not read (outage, or keys left unprocessed): logged and counted already
        try:
            answers, summary, outbox_item, read = _parse(contact_id, stored[contact_id])
            alert = _build_alert(contact_id, answers, summary)
        except Exception as error:
            logger.warning(
                "Stored items unreadable; the stream retries",
                extra={"contactId": contact_id, "error": type(error).__name__},
            )
            count(Metric.MALFORMED_EVENT)
            continue
        # Sent (read consistently): no claim needed to know it. The summary kept this state
        # before the outbox item existed.
        sent = {**(summary.sent if summary else {}), **(outbox_item.sent if outbox_item else {})}
        due = [c.name for c in CHANNELS.active() if c.name not in sent]
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
    times = [answer.answered_at for answer in answers.values() if answer.answered_at]
    return LowScoreAlert(
        contact_id=contact_id,
        initial_contact_id=first.initial_contact_id if first else None,
        mode=mode,
        queue=first.queue if first else None,
        scores=scores,
        threshold=survey.low_score_threshold,
        instance_alias=environment.instance_alias(),
        language=first.language if first else None,
        answered_at=min(times, default=None) or (summary.completed_at if summary else None),
    )


def _all_sequence_numbers(event: Any) -> list[str]:
    records = event.get("Records") if isinstance(event, dict) else None
    numbers = map(_sequence_number, records if isinstance(records, list) else [])
    return [number for number in numbers if number is not None]


def _sequence_number(record: Any) -> str | None:
    """The record's SequenceNumber, the one way to name it to the stream; None without one."""
    try:
        number = record["dynamodb"]["SequenceNumber"]
    except (KeyError, TypeError):
        return None
    return number if isinstance(number, str) and number else None


def _now() -> datetime:
    return datetime.now(UTC)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)

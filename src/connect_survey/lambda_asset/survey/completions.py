"""The writes the caller's path skipped for lack of time, completed by the sweeper (contract's
PendingWork.COOLDOWN and PendingWork.SUMMARY): the way the handlers make them, then the marker
removed on condition that it is still the one read, so a newer marker is never lost.

Each answers True when the item is finished (completed, or no longer marked as read), False when
it must wait for the next sweep; it raises StorageError when DynamoDB cannot be read or written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import environment
from .contract import (
    PENDING_CALLER_KEY,
    PENDING_SINCE,
    PENDING_WORK,
    SUMMARY_ANSWERED,
    SUMMARY_LOWEST,
    SUMMARY_SCORES,
    SUMMARY_STATUS,
)
from .eligibility import remember_caller
from .exceptions import MalformedItemError
from .finish import survey_status
from .items import Answer, Summary, result_key, serialize
from .results import CONDITION_FAILED, call, read_scores
from .sampling import is_caller_key
from .telemetry import logger

if TYPE_CHECKING:
    from collections.abc import Sequence


def complete_cooldown(table: str, contact_id: str, question: str, since: str) -> bool:
    """Start the cooldown an answer's handler could not confirm, at the time of the answer."""
    key = result_key(contact_id, question)
    item = _read(table, key)
    try:
        answer = Answer.from_item(item) if item else None
    except MalformedItemError as error:
        logger.warning("Marked answer unreadable; unmarked", extra={"error": str(error)})
        answer = None
    if answer is not None and answer.pending_since != since:
        return True  # finished (or marked again) by someone else
    caller = answer.pending_cooldown if answer else None
    if answer is not None and caller and is_caller_key(caller):
        answered = _moment(answer.answered_at or since)
        remember_caller(caller, answered)  # a record already there is left alone
    elif answer is not None:
        logger.warning("Marked answer has no caller key of its form; unmarked")
    _unmark(table, key, since, extra=(PENDING_CALLER_KEY,))
    return True


def complete_summary(table: str, contact_id: str, since: str) -> bool:
    """Rewrite a summary written from the contact attributes alone with the stored answers,
    by the finish handler's rule: a stored score replaces the attribute's."""
    key = Summary.key(contact_id)
    item = _read(table, key)
    try:
        summary = Summary.from_item(item) if item else None
    except MalformedItemError as error:
        logger.warning("Marked summary unreadable; left marked", extra={"error": str(error)})
        return False
    if summary is None or summary.pending_since != since:
        return True
    survey = environment.survey()
    stored = read_scores(table, contact_id, [q.key for q in survey.questions])
    scores: dict[str, int] = {}
    for question in survey.questions:
        score = stored.get(question.key, summary.scores.get(question.attribute))
        if score is not None:
            scores[question.attribute] = score
    names = {
        "#scores": SUMMARY_SCORES,
        "#answered": SUMMARY_ANSWERED,
        "#status": SUMMARY_STATUS,
        "#lowest": SUMMARY_LOWEST,
        "#work": PENDING_WORK,
        "#since": PENDING_SINCE,
    }
    values: dict[str, Any] = {
        ":scores": serialize(scores),
        ":answered": serialize(len(scores)),
        ":status": serialize(survey_status(len(scores), len(survey.questions))),
        ":since": serialize(since),
    }
    sets = "#scores = :scores, #answered = :answered, #status = :status"
    removes = "#work, #since"
    if scores:
        values[":lowest"] = serialize(min(scores.values()))
        sets += ", #lowest = :lowest"
    else:
        removes += ", #lowest"
    call(
        "update_item",
        TableName=table,
        Key=key,
        UpdateExpression=f"SET {sets} REMOVE {removes}",
        ConditionExpression="#since = :since",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        tolerate=CONDITION_FAILED,  # completed or marked again meanwhile: theirs stands
    )
    return True


def _read(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    item: dict[str, Any] | None = call(
        "get_item", TableName=table, Key=key, ConsistentRead=True
    ).get("Item")
    return item


def _unmark(table: str, key: dict[str, Any], since: str, extra: Sequence[str] = ()) -> None:
    names = {"#work": PENDING_WORK, "#since": PENDING_SINCE}
    names.update({f"#x{i}": name for i, name in enumerate(extra)})
    call(
        "update_item",
        TableName=table,
        Key=key,
        UpdateExpression="REMOVE " + ", ".join(names),
        ConditionExpression="#since = :since",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":since": serialize(since)},
        tolerate=CONDITION_FAILED,
    )


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
